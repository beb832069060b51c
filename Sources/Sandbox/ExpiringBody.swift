import Hummingbird
import NIOCore

/// A request body that ends early once its ``SessionExpiry`` fires: the rest of the body
/// is read and dropped, so the client finishes sending before it hears the session is gone.
struct ExpiringBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let expiry: SessionExpiry

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let expiry: SessionExpiry
        var ended = false
        var yielded = false

        /// Asked for the next buffer, the handler has stored the last one: the moment to
        /// look at what the session holds.
        mutating func next() async throws -> ByteBuffer? {
            if ended { return nil }
            if yielded, await expiry.expireIfDue() {
                ended = true
                while try await base.next() != nil {}
                return nil
            }
            guard let buffer = try await base.next() else {
                ended = true
                // The last buffer may have been the one that reached the limit.
                if yielded { _ = await expiry.expireIfDue() }
                return nil
            }
            yielded = true
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), expiry: expiry)
    }
}
