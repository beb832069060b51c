/// The retry budget of one run of a session. Transient failures use up `maxRetries`,
/// but progress between two failures starts the count again, so a long upload on a
/// flaky line keeps going. Offset refusals (resyncs) are counted apart: an offset that
/// moved since the last refusal means bytes of an earlier connection are still
/// arriving, which is not a failure.
struct RetryCounter: Sendable, Equatable {
    /// The most resyncs in a row, at one offset, before the row fails.
    static let maxResyncs = 3

    let maxRetries: Int
    /// Retries used since the server's offset last moved between two failures.
    private(set) var retriesUsed = 0
    /// The server's offset at the last transient failure (-1 before the first).
    private(set) var offsetAtLastFailure: Int64 = -1
    /// Resyncs since the last transient failure or since the offset moved.
    private(set) var resyncsInARow = 0
    /// The server's offset at the last resync (-1 before the first).
    private(set) var offsetAtLastResync: Int64 = -1

    init(maxRetries: Int) { self.maxRetries = maxRetries }

    /// Counts a transient failure with the server holding `offset`; returns the number
    /// (1-based) of the retry to make, or nil when the budget is spent.
    mutating func noteFailure(serverOffset offset: Int64) -> Int? {
        resyncsInARow = 0
        if offset > offsetAtLastFailure && offsetAtLastFailure >= 0 { retriesUsed = 0 }
        offsetAtLastFailure = offset
        retriesUsed += 1
        return retriesUsed > maxRetries ? nil : retriesUsed
    }

    /// Counts an offset refusal with the server holding `offset`; returns how many stand
    /// in a row (1-based, the pause before asking again grows with it), or nil when
    /// more than `maxResyncs` did.
    mutating func noteResync(serverOffset offset: Int64) -> Int? {
        if offset > offsetAtLastResync && offsetAtLastResync >= 0 { resyncsInARow = 0 }
        offsetAtLastResync = offset
        resyncsInARow += 1
        return resyncsInARow > Self.maxResyncs ? nil : resyncsInARow
    }
}
