import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A thread-safe queue into the UI loop, with a pipe that wakes its `poll`.
final class Inbox: Sendable {
    private let items = Mutex<[InboxItem]>([])
    private let pipeEnds: (read: Int32, write: Int32)

    init() {
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        pipeEnds = (ends[0], ends[1])
    }

    deinit {
        close(pipeEnds.read)
        close(pipeEnds.write)
    }

    var wakeDescriptor: Int32 { pipeEnds.read }

    func post(_ item: InboxItem) {
        items.withLock { $0.append(item) }
        var byte: UInt8 = 1
        _ = write(pipeEnds.write, &byte, 1)
    }

    func take() -> [InboxItem] {
        items.withLock { items in
            defer { items = [] }; return items
        }
    }

    func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(pipeEnds.read, &buffer, buffer.count) > 0 {}
    }
}
