import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 server on 127.0.0.1 that reads request bodies slowly through a small
/// receive buffer (so the peer acknowledges little more than it has read), keeps
/// connections alive, and counts the body bytes it has read.
final class SlowReadingServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let bytesPerSecond: Int
    private let bodyBytes = Atomic<Int64>(0)

    /// Body bytes read so far, over all requests.
    var received: Int64 { bodyBytes.load(ordering: .relaxed) }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    init(bytesPerSecond: Int) throws {
        self.bytesPerSecond = bytesPerSecond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        // Set before listen, so every accepted connection starts with a small window.
        var small: Int32 = 16 * 1024
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EIO)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        Thread.detachNewThread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                Thread.detachNewThread { [self] in serve(connection) }
            }
        }
    }

    /// Stops accepting; connections end when their peer closes.
    func stop() { shutdown(listener, Int32(SHUT_RDWR)) }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            while findHeadEnd(pending) == nil {
                let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard got > 0 else { return }
                pending.append(contentsOf: chunk[..<got])
            }
            let headEnd = findHeadEnd(pending)!
            let head = String(decoding: pending[..<headEnd], as: UTF8.self).lowercased()
            pending.removeFirst(headEnd + 4)
            let lengthLine = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
            var left = Int64(lengthLine?.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces) ?? "0") ?? 0
            let already = min(Int64(pending.count), left)
            pending.removeFirst(Int(already))
            left -= already
            bodyBytes.add(already, ordering: .relaxed)
            while left > 0 {
                let want = min(chunk.count, Int(left))
                let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, want, 0) }
                guard got > 0 else { return }
                left -= Int64(got)
                bodyBytes.add(Int64(got), ordering: .relaxed)
                usleep(useconds_t(1_000_000 * got / bytesPerSecond))
            }
            let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
            guard reply.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == reply.count else { return }
        }
    }

    private func findHeadEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (0...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }
}
