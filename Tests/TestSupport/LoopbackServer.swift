import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 with blocking POSIX sockets, one thread per
/// connection. It handles keep-alive so tests can count connections.
public final class LoopbackServer: Sendable {
    public enum Mode: Sendable {
        /// Read each request fully, then answer it.
        case respond(@Sendable (ReceivedRequest) -> CannedResponse)
        /// Accept connections but never read from or write to them.
        case silent
    }

    private struct State {
        var requests: [ReceivedRequest] = []
        var accepted = 0
        var connections: [Int32] = []
        var stopped = false
    }

    public let port: UInt16
    private let listener: Int32
    private let mode: Mode
    private let state = Mutex(State())

    public init(_ mode: Mode) throws {
        self.mode = mode
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno)!)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [ReceivedRequest] { state.withLock { $0.requests } }
    public var acceptedConnections: Int { state.withLock { $0.accepted } }

    /// Stops accepting and unblocks every connection thread.
    public func stop() {
        // Shut down under the lock: a connection thread removes its descriptor under it
        // before closing, so none is shut down after it was closed, when its number may
        // already be another test's socket (tests run in parallel).
        state.withLock { state in
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                break
            }
            let stopped = state.withLock { state -> Bool in
                state.accepted += 1
                state.connections.append(fd)
                return state.stopped
            }
            if stopped {
                close(fd)
                break
            }
            Thread.detachNewThread { [self] in serve(fd) }
        }
        close(listener)
    }

    private func serve(_ fd: Int32) {
        defer {
            state.withLock { $0.connections.removeAll { $0 == fd } }
            close(fd)
        }
        guard case .respond(let answer) = mode else {
            // Silent: hold the connection open until the server stops.
            while !state.withLock({ $0.stopped }) { usleep(50_000) }
            return
        }
        var buffer: [UInt8] = []
        while true {
            guard let headEnd = readUntilHeadEnd(fd, &buffer) else { return }
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            buffer.removeFirst(headEnd + 4)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
            guard requestLine.count == 3 else { return }
            let headers = lines.compactMap { line -> (name: String, value: String)? in
                guard let colon = line.firstIndex(of: ":") else { return nil }
                return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
            let length = Int(headers.last { $0.name == "content-length" }?.value ?? "0") ?? 0
            while buffer.count < length {
                guard receive(fd, &buffer) else { return }
            }
            let body = Array(buffer.prefix(length))
            buffer.removeFirst(length)
            let request = ReceivedRequest(
                method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body
            )
            state.withLock { $0.requests.append(request) }
            let response = answer(request)
            var out = ""
            if response.interim { out += "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n" }
            out += "HTTP/1.1 \(response.status) Canned\r\n"
            for (name, value) in response.headers { out += "\(name): \(value)\r\n" }
            out += "Content-Length: \(response.body.count)\r\n\r\n"
            guard sendAll(fd, Array(out.utf8) + response.body) else { return }
            if request.header("connection")?.lowercased() == "close" { return }
        }
    }

    /// Reads until the buffer holds a blank line; returns where it starts, nil on EOF.
    private func readUntilHeadEnd(_ fd: Int32, _ buffer: inout [UInt8]) -> Int? {
        let marker: [UInt8] = [13, 10, 13, 10]
        while true {
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where buffer[index..<(index + 4)].elementsEqual(marker) {
                    return index
                }
            }
            guard receive(fd, &buffer) else { return nil }
        }
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        let got = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
        guard got > 0 else { return false }
        buffer.append(contentsOf: chunk[..<got])
        return true
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }
}
