import Dispatch
import Synchronization

extension MediaCheck {
    /// One line of a check: a file to read, or one refused already, with the reason.
    public enum Subject: Sendable, Equatable {
        case file(String)
        case refused(String, reason: String)
    }

    /// Checks `subjects` for `route` on every core, handing back each batch's checks in the
    /// order of `subjects` as soon as the batch is done: a big folder streams, and memory
    /// holds one batch. Stops early when `deliver` returns false.
    public static func checkAll(
        _ subjects: [Subject], route: UploadRoute, batchSize: Int = 256, deliver: ([MediaCheck]) -> Bool
    ) {
        var start = 0
        while start < subjects.count {
            let batch = Array(subjects[start..<min(start + batchSize, subjects.count)])
            let results = Mutex([MediaCheck?](repeating: nil, count: batch.count))
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                let check =
                    switch batch[index] {
                    case .file(let path): MediaCheck(path: path, route: route)
                    case .refused(let file, let reason): MediaCheck(file: file, route: route, refusedBecause: reason)
                    }
                results.withLock { $0[index] = check }
            }
            guard deliver(results.withLock { $0.compactMap { $0 } }) else { return }
            start += batch.count
        }
    }
}
