import Dispatch
import Synchronization

extension MediaCheck {
    /// Checks `paths` for `route` on every core, handing back each batch's checks in the
    /// order of `paths` as soon as the batch is done: a big folder streams, and memory
    /// holds one batch. Stops early when `deliver` returns false.
    public static func checkAll(
        _ paths: [String], route: UploadRoute, batchSize: Int = 256, deliver: ([MediaCheck]) -> Bool
    ) {
        var start = 0
        while start < paths.count {
            let batch = Array(paths[start..<min(start + batchSize, paths.count)])
            let results = Mutex([MediaCheck?](repeating: nil, count: batch.count))
            DispatchQueue.concurrentPerform(iterations: batch.count) { index in
                let check = MediaCheck(path: batch[index], route: route)
                results.withLock { $0[index] = check }
            }
            guard deliver(results.withLock { $0.compactMap { $0 } }) else { return }
            start += batch.count
        }
    }
}
