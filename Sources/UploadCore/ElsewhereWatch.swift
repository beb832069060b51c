import Logging

/// Follows sessions another process is uploading: shows what its journal rows say,
/// and takes a session over (resumes it here) the moment that process lets go of
/// it without finishing, e.g. because it died. A queued row is left to the process
/// that queued it while that process runs (its process lock tells).
struct ElsewhereWatch: Sendable {
    let journal: Journal
    let catalog: SessionCatalog
    /// Seconds between looks.
    let pollInterval: Double
    let logger: Logger

    /// Looks until no session is another process's any more, or the task is cancelled.
    func follow(host: isolated any ElsewhereWatchHost) async {
        while !Task.isCancelled {
            let watched = host.sessionsActiveElsewhere()
            if watched.isEmpty { break }
            for shown in watched {
                guard let stored = try? journal.session(id: shown.id) else { continue }
                var snapshot = shown
                snapshot.session = stored
                snapshot.transferredBytes = stored.serverOffset
                // Unlocked but queued: waiting for a free slot in the queue of a process that runs.
                if catalog.isActiveElsewhere(shown.id) || catalog.isQueuedElsewhere(stored) {
                    // Shown as it stands there; its queue is the other process's.
                    if snapshot != shown { host.publish(snapshot, queuing: false) }
                    continue
                }
                snapshot.activeElsewhere = false
                let abandoned = stored.state.isActive
                if abandoned { snapshot.session.state = .paused }
                host.publish(snapshot, queuing: true)
                if abandoned {
                    logger.info("session \(shown.id) was left by another process; taking it over")
                    host.resume(id: shown.id)
                }
            }
            try? await Task.sleep(for: .seconds(pollInterval))
        }
    }
}
