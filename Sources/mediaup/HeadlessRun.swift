import Foundation
import TerminalRuntime
import UploadCore

/// Runs uploads without a screen: JSON lines on stdout (`--json`), or progress on
/// stderr (live lines on a terminal, plain lines otherwise). Returns the exit code.
public struct HeadlessRun: Sendable {
    let uploader: Uploader
    let json: Bool

    public init(uploader: Uploader, json: Bool) {
        self.uploader = uploader
        self.json = json
    }

    /// One file of the run: what the user named, and its session once it has one.
    public struct Entry: Sendable {
        public var file: String
        public var sessionID: String

        public init(file: String, sessionID: String) {
            self.file = file
            self.sessionID = sessionID
        }
    }

    /// `settled` are files whose outcome was known before anything ran (refused files,
    /// sessions already done); they are reported first.
    public func run(entries: [Entry], settled: [UploadReport]) async -> Int32 {
        for report in settled { emit(report) }
        let ids = entries.map(\.sessionID)
        let names = Dictionary(entries.map { ($0.sessionID, $0.file) }, uniquingKeysWith: { first, _ in first })
        let interrupt = SignalForwarder { [uploader] in
            try? ConsoleWriter.standardError.write("\nmediaup: pausing uploads; run the same command again to continue\n")
            Task { await uploader.pauseAllAndWait() }
        }
        let display = ProgressDisplay(enabled: !json, live: isatty(STDERR_FILENO) == 1, names: names)
        let events = await uploader.events()
        let reporter = Task {
            var reported = Set<String>()
            for await event in events {
                guard case .updated(let snapshot) = event, let file = names[snapshot.id] else { continue }
                await display.note(snapshot)
                if !snapshot.session.state.isActive && !reported.contains(snapshot.id) && snapshot.session.state != .paused {
                    reported.insert(snapshot.id)
                    await display.finished(snapshot)
                    emit(UploadReport(file: file, snapshot: snapshot))
                }
            }
            return reported
        }
        for snapshot in await uploader.currentSnapshots() where names[snapshot.id] != nil { await display.note(snapshot) }
        let ticker = Task { while !Task.isCancelled { await display.redraw(); try? await Task.sleep(for: .milliseconds(250)) } }
        let final = await uploader.waitUntilSettled(ids)
        ticker.cancel()
        // Whatever the reporter has not written yet is written below, from `final`:
        // stopping it now costs no wait and loses no line.
        reporter.cancel()
        let reported = await reporter.value
        await display.redraw()
        for snapshot in final where !reported.contains(snapshot.id) {
            await display.finished(snapshot)
            emit(UploadReport(file: names[snapshot.id] ?? snapshot.session.path, snapshot: snapshot))
        }
        withExtendedLifetime(interrupt) {}
        let allDone = settled.allSatisfy(\.succeeded) && final.count == ids.count && final.allSatisfy { $0.session.state == .done }
        return allDone ? 0 : 1
    }

    /// Reports one file. A line that cannot be written does not stop the others' uploads:
    /// each result is in the journal, and the writer's failure makes the exit code 1.
    private func emit(_ report: UploadReport) {
        if json {
            try? ConsoleWriter.standardOutput.line(report.jsonLine)
        } else if report.sessionID == nil {
            try? ConsoleWriter.standardError.line("mediaup: \(report.file): \(report.error ?? "failed")")
        }
    }
}
