import Foundation

/// Callers of `Uploader.waitUntilSettled`, each with the ids it waits for that are
/// still active; kept per id so that a change costs a set update, not a scan of
/// every id.
struct SettleWaiters {
    private var waiters: [UUID: (ids: Set<String>, active: Set<String>, continuation: CheckedContinuation<Void, Never>)] = [:]

    /// Adds a waiter for `ids`, of which `active` are still queued or running.
    mutating func add(ids: Set<String>, active: Set<String>, continuation: CheckedContinuation<Void, Never>) {
        waiters[UUID()] = (ids, active, continuation)
    }

    /// Tells the waiters for `id` whether it is still active; wakes those left with none.
    mutating func note(_ id: String, isActive active: Bool) {
        for (key, var waiter) in waiters where waiter.ids.contains(id) {
            if active {
                waiter.active.insert(id)
                waiters[key] = waiter
            } else {
                waiter.active.remove(id)
                if waiter.active.isEmpty {
                    waiters[key] = nil
                    waiter.continuation.resume()
                } else {
                    waiters[key] = waiter
                }
            }
        }
    }
}
