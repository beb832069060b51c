import Synchronization

/// Lets one side cancel a transfer that another thread runs. Thread-safe.
public final class TransferControl: Sendable {
    private let cancelled = Atomic<Bool>(false)

    public init() {}

    /// Asks the transfer to stop as soon as it can; it then fails with `.cancelled`.
    public func cancel() { cancelled.store(true, ordering: .relaxed) }

    /// Whether `cancel()` has been called.
    public var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}
