import Testing

@testable import UploadCore

@Suite("Retry counter")
struct RetryCounterTests {
    @Test("without progress between failures, the budget runs out after maxRetries")
    func noProgressExhausts() {
        var counter = RetryCounter(maxRetries: 3)
        #expect(counter.noteFailure(serverOffset: 100) == 1)
        #expect(counter.noteFailure(serverOffset: 100) == 2)
        #expect(counter.noteFailure(serverOffset: 100) == 3)
        #expect(counter.noteFailure(serverOffset: 100) == nil)
    }

    @Test("progress between two failures starts the retry count again")
    func progressResets() {
        var counter = RetryCounter(maxRetries: 2)
        #expect(counter.noteFailure(serverOffset: 0) == 1)
        #expect(counter.noteFailure(serverOffset: 0) == 2)
        // The server's offset moved since the last failure: the count starts again.
        #expect(counter.noteFailure(serverOffset: 500) == 1)
        #expect(counter.noteFailure(serverOffset: 500) == 2)
        #expect(counter.noteFailure(serverOffset: 500) == nil)
        // The first failure has nothing to compare with: it is counted.
        var fresh = RetryCounter(maxRetries: 0)
        #expect(fresh.noteFailure(serverOffset: 500) == nil)
    }

    @Test("resyncs: an offset that moved since the last refusal is not counted; a fourth at one offset fails")
    func resyncs() {
        var counter = RetryCounter(maxRetries: 5)
        #expect(counter.noteResync(serverOffset: 100) == 1)
        #expect(counter.noteResync(serverOffset: 100) == 2)
        #expect(counter.noteResync(serverOffset: 100) == 3)
        // Bytes of an earlier connection still arriving: the offset moved.
        #expect(counter.noteResync(serverOffset: 200) == 1)
        #expect(counter.noteResync(serverOffset: 200) == 2)
        #expect(counter.noteResync(serverOffset: 200) == 3)
        #expect(counter.noteResync(serverOffset: 200) == nil)
        #expect(counter.retriesUsed == 0, "a resync uses no retry")
    }

    @Test("a transient failure ends a run of resyncs")
    func failureEndsResyncs() {
        var counter = RetryCounter(maxRetries: 5)
        #expect(counter.noteResync(serverOffset: 100) == 1)
        #expect(counter.noteResync(serverOffset: 100) == 2)
        #expect(counter.noteResync(serverOffset: 100) == 3)
        #expect(counter.noteFailure(serverOffset: 100) == 1)
        #expect(counter.noteResync(serverOffset: 100) == 1)
    }
}
