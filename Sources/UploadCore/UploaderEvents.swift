import Foundation

/// The observers of an `Uploader`: each `events()` stream, fed every event.
struct UploaderEvents {
    private var observers: [UUID: AsyncStream<UploaderEvent>.Continuation] = [:]

    /// A new stream; `onEnd` runs with its key when the stream's reader goes away.
    mutating func makeStream(onEnd: @escaping @Sendable (UUID) -> Void) -> AsyncStream<UploaderEvent> {
        let (stream, continuation) = AsyncStream<UploaderEvent>.makeStream(bufferingPolicy: .bufferingNewest(4096))
        let key = UUID()
        observers[key] = continuation
        continuation.onTermination = { _ in onEnd(key) }
        return stream
    }

    /// Forgets the stream `key`.
    mutating func remove(_ key: UUID) { observers[key] = nil }

    /// Sends `event` to every stream.
    func emit(_ event: UploaderEvent) {
        for continuation in observers.values { continuation.yield(event) }
    }
}
