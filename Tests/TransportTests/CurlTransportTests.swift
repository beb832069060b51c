import Foundation
import Synchronization
import TestSupport
import Testing
import Transport
import UploadCore

// MARK: - Helpers

private func outcome(
    _ transport: CurlTransport,
    _ request: HTTPRequest,
    limits: TransferLimits = TransferLimits(connectTimeout: 5, stallTimeout: 10),
    control: TransferControl = TransferControl(),
    progress: @escaping @Sendable (Int64) -> Void = { _ in }
) async -> Result<HTTPResponse, TransportError> {
    do {
        return .success(try await transport.send(request, limits: limits, control: control, progress: progress))
    } catch {
        return .failure(error)
    }
}

extension Result {
    var value: Success? { if case .success(let value) = self { value } else { nil } }
    var error: Failure? { if case .failure(let error) = self { error } else { nil } }
}

/// A temporary file with the given bytes; removed by the caller.
private func temporaryFile(_ bytes: [UInt8]) throws -> String {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("transport-test-\(UUID().uuidString)").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
}

/// A sparse file of `size` zero bytes: large without costing disk or time.
private func sparseFile(size: Int64) throws -> String {
    let path = try temporaryFile([])
    guard truncate(path, off_t(size)) == 0 else { throw POSIXError(.EIO) }
    return path
}

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
}

private final class ProgressLog: Sendable {
    private let values = Mutex<[Int64]>([])
    func record(_ value: Int64) { values.withLock { $0.append(value) } }
    var all: [Int64] { values.withLock { $0 } }
}

/// The outcome of a transfer awaited elsewhere.
private final class OutcomeBox: Sendable {
    private let stored = Mutex<Result<HTTPResponse, TransportError>?>(nil)
    func store(_ outcome: Result<HTTPResponse, TransportError>) { stored.withLock { $0 = outcome } }
    var value: Result<HTTPResponse, TransportError>? { stored.withLock { $0 } }
}

private let ok: LoopbackServer.Mode = .respond { _ in CannedResponse(status: 200, body: Array("ok".utf8)) }

// MARK: - Tests

@Suite struct CurlTransportTests {
    @Test func postSendsPartsInOrderWithExactLengthAndUntouchedURL() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let content = randomBytes((3 << 20) + 50_000)
        let path = try temporaryFile(content)
        defer { unlink(path) }
        let prefix = Array("--prefix--".utf8), suffix = Array("--suffix--".utf8)
        let offset = 12_345, length = (3 << 20) - 100
        let request = HTTPRequest(
            method: .post,
            url: server.baseURL + "/upload:abc?sig=x=y",
            headers: [("D360-API-KEY", "secret"), ("Content-Type", "application/octet-stream")],
            body: [.bytes(prefix), .file(path: path, offset: Int64(offset), length: Int64(length)), .bytes(suffix)]
        )
        let result = await outcome(CurlTransport(), request)
        #expect(result.value?.status == 200, "\(result)")
        #expect(result.value?.body == Array("ok".utf8))

        let received = try #require(server.requests.first)
        #expect(server.requests.count == 1)
        #expect(received.method == "POST")
        #expect(received.target == "/upload:abc?sig=x=y")
        let expected = prefix + content[offset..<(offset + length)] + suffix
        #expect(received.body.count == expected.count)
        let sameBytes = received.body == expected
        #expect(sameBytes, "the body that arrived differs from prefix + file slice + suffix")
        #expect(received.header("content-length") == String(expected.count))
        #expect(!received.hasHeader("expect"))
        #expect(received.header("d360-api-key") == "secret")
        #expect(received.header("content-type") == "application/octet-stream")
        #expect(received.header("user-agent") == "mediaup/0.1")
    }

    @Test func postWithoutContentTypeIsNotLabelledAsAForm() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let request = HTTPRequest(method: .post, url: server.baseURL + "/x", body: [.bytes([1, 2, 3])])
        let result = await outcome(CurlTransport(), request)
        #expect(result.value?.status == 200)
        let received = try #require(server.requests.first)
        #expect(received.body == [1, 2, 3])
        #expect(!received.hasHeader("content-type"))
    }

    @Test func responseStatusHeadersAndBodyComeBack() async throws {
        let server = try LoopbackServer(
            .respond { _ in
                CannedResponse(
                    status: 201,
                    headers: [("X-Thing", "one"), ("X-Thing", "two"), ("Content-Type", "application/json")],
                    body: Array(#"{"id":"42"}"#.utf8),
                    interim: true
                )
            })
        defer { server.stop() }
        let result = await outcome(CurlTransport(), HTTPRequest(method: .get, url: server.baseURL + "/media/42"))
        let response = try #require(result.value, "\(String(describing: result.error))")
        #expect(response.status == 201)
        #expect(response.headers["x-thing"] == "two")
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["x-interim"] == nil, "headers of the interim 100 must be dropped")
        #expect(response.body == Array(#"{"id":"42"}"#.utf8))
        #expect(server.requests.first?.method == "GET")
        #expect(server.requests.first?.body.isEmpty == true)
    }

    @Test func responseOverTheCapFails() async throws {
        let server = try LoopbackServer(.respond { _ in CannedResponse(body: [UInt8](repeating: 65, count: 5000)) })
        defer { server.stop() }
        let limits = TransferLimits(connectTimeout: 5, stallTimeout: 10, maxResponseBytes: 1000)
        let result = await outcome(CurlTransport(), HTTPRequest(method: .get, url: server.baseURL + "/big"), limits: limits)
        #expect(result.error == .responseTooLarge(limit: 1000))
    }

    @Test func fileShorterThanDeclaredFailsAsShrank() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let path = try temporaryFile(randomBytes(100))
        defer { unlink(path) }
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 200)])
        let result = await outcome(CurlTransport(), request)
        #expect(result.error == .fileShrank(path: path))
        #expect(server.requests.isEmpty, "the server must not see a complete request")
    }

    @Test func aFIFOInPlaceOfTheFileFailsPromptlyInsteadOfBlockingInOpen() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("transport-fifo-\(UUID().uuidString)").path
        try #require(mkfifo(path, 0o600) == 0)
        defer { unlink(path) }
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 10)])
        let result = OutcomeBox()
        let sending = Task { result.store(await outcome(CurlTransport(), request)) }
        // Generous: on a loaded machine even trivial tests have taken 25 s; a thread blocked
        // in open() never ends without the writer below.
        let ended = await eventually(within: 90) { result.value != nil }
        #expect(ended, "the transfer thread is blocked in open() waiting for a writer")
        // Give a blocked open() its writer, so the thread ends either way.
        let writer = open(path, O_WRONLY | O_NONBLOCK)
        if writer >= 0 { close(writer) }
        await sending.value
        guard ended, case .fileUnreadable(let failedPath, let reason) = result.value?.error else {
            Issue.record("expected fileUnreadable, got \(String(describing: result.value))")
            return
        }
        #expect(failedPath == path)
        #expect(reason.contains("not a regular file"), "reason: \(reason)")
        #expect(server.acceptedConnections == 0)
    }

    @Test func progressMeasuresTheReusedConnectionNotTheHandlesLastOne() async throws {
        let slow = try SlowReadingServer(bytesPerSecond: 1_000_000)
        defer { slow.stop() }
        let other = try LoopbackServer(ok)
        defer { other.stop() }
        let transport = CurlTransport()
        let size = 3_000_000
        let path = try temporaryFile(randomBytes(size))
        defer { unlink(path) }
        // One pooled handle: a connection to the slow server, then one to another host.
        let first = await outcome(transport, HTTPRequest(method: .post, url: slow.baseURL + "/a", body: [.bytes([1, 2, 3])]))
        #expect(first.value?.status == 200)
        #expect(await outcome(transport, HTTPRequest(method: .get, url: other.baseURL + "/b")).value?.status == 200)
        let sent = ProgressLog()
        let upload = Task {
            await outcome(
                transport, HTTPRequest(method: .post, url: slow.baseURL + "/c", body: [.file(path: path, offset: 0, length: Int64(size))]),
                progress: { sent.record($0) })
        }
        // Progress read before the server's count may lead it by the small window, not by a send queue.
        var worstLead: Int64 = 0
        let deadline = Date().addingTimeInterval(60)
        while sent.all.last != Int64(size), Date() < deadline {
            let reported = sent.all.last ?? 0
            worstLead = max(worstLead, reported - (slow.received - 3))
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await upload.value.value?.status == 200)
        #expect(worstLead < 256 << 10, "progress ran \(worstLead) bytes ahead of what the server had read")
    }

    @Test func cancelResetsTheConnectionSoQueuedBytesNeverArrive() async throws {
        let slow = try SlowReadingServer(bytesPerSecond: 1_000_000)
        defer { slow.stop() }
        let size = 8_000_000
        let path = try temporaryFile(randomBytes(size))
        defer { unlink(path) }
        let control = TransferControl()
        let upload = Task {
            await outcome(
                CurlTransport(), HTTPRequest(method: .post, url: slow.baseURL + "/c", body: [.file(path: path, offset: 0, length: Int64(size))]),
                control: control)
        }
        let start = Date()
        try #require(await eventually(within: 30) { slow.received > 1_000_000 })
        let waited = Date().timeIntervalSince(start)
        control.cancel()
        let ended = await upload.value
        #expect(ended.error == .cancelled, "\(ended) after \(waited) s to reach 1 MB")
        let atCancel = slow.received
        try await Task.sleep(for: .seconds(1))
        // At most the small window the server had acknowledged; not the send queue.
        #expect(slow.received - atCancel < 256 << 10, "the server read \(slow.received - atCancel) bytes after the cancel")
    }

    @Test func missingFileFailsBeforeAnyTraffic() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let path = "/nonexistent/\(UUID().uuidString)"
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.bytes([1]), .file(path: path, offset: 0, length: 10)])
        let result = await outcome(CurlTransport(), request)
        guard case .fileUnreadable(let failedPath, let reason) = result.error else {
            Issue.record("expected fileUnreadable, got \(result)")
            return
        }
        #expect(failedPath == path)
        #expect(reason == String(cString: strerror(ENOENT)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(server.acceptedConnections == 0)
    }

    @Test func silentServerStalls() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let limits = TransferLimits(connectTimeout: 5, stallTimeout: 1)
        let start = ContinuousClock.now
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.bytes(randomBytes(1000))])
        let result = await outcome(CurlTransport(), request, limits: limits)
        let elapsed = ContinuousClock.now - start
        #expect(result.error == .stalled(seconds: 1))
        #expect(elapsed >= .milliseconds(900))
    }

    @Test func stallDuringALargeUploadIsDetected() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let path = try sparseFile(size: 256 << 20)
        defer { unlink(path) }
        let limits = TransferLimits(connectTimeout: 5, stallTimeout: 1)
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 256 << 20)])
        let start = ContinuousClock.now
        let result = await outcome(CurlTransport(), request, limits: limits)
        #expect(result.error == .stalled(seconds: 1))
        #expect(ContinuousClock.now - start >= .milliseconds(900))
    }

    @Test func cancelStopsASlowTransferPromptly() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let path = try sparseFile(size: 256 << 20)
        defer { unlink(path) }
        let control = TransferControl()
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.file(path: path, offset: 0, length: 256 << 20)])
        let transfer = Task { await outcome(CurlTransport(), request, limits: TransferLimits(stallTimeout: 60), control: control) }
        try await Task.sleep(for: .milliseconds(700))
        let cancelledAt = ContinuousClock.now
        control.cancel()
        let result = await transfer.value
        #expect(result.error == .cancelled)
        // Far below the 60 s stall timeout: only the cancel can have ended it. Not a speed target.
        #expect(ContinuousClock.now - cancelledAt < .seconds(20))
    }

    @Test func cancellingTheTaskCancelsTheTransfer() async throws {
        let server = try LoopbackServer(.silent)
        defer { server.stop() }
        let request = HTTPRequest(method: .post, url: server.baseURL + "/u", body: [.bytes([1, 2, 3])])
        let transfer = Task { await outcome(CurlTransport(), request, limits: TransferLimits(stallTimeout: 60)) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = ContinuousClock.now
        transfer.cancel()
        #expect(await transfer.value.error == .cancelled)
        // Far below the 60 s stall timeout: only the cancel can have ended it.
        #expect(ContinuousClock.now - cancelledAt < .seconds(20))
    }

    @Test func refusedConnectionFailsToConnect() async throws {
        let url = "http://127.0.0.1:\(closedPort())/u"
        let result = await outcome(CurlTransport(), HTTPRequest(method: .get, url: url))
        guard case .connectFailed = result.error else {
            Issue.record("expected connectFailed, got \(result)")
            return
        }
    }

    @Test(arguments: [
        "http://example.com/upload",
        "http://10.0.0.1/upload",
        "http://[::2]/upload",
        "http://127.0.0.1.example.com/upload",
        "ftp://127.0.0.1/upload",
        "file:///etc/passwd",
        "not a url",
        "http://127.0.0.1/a\r\nX-Injected: 1",
    ])
    func refusedURLsFailWithoutTraffic(url: String) async throws {
        // .invalidURL is raised before any connection is made.
        let result = await outcome(CurlTransport(), HTTPRequest(method: .get, url: url))
        guard case .invalidURL = result.error else {
            Issue.record("expected invalidURL for \(url), got \(result)")
            return
        }
    }

    @Test func loopbackHostsAreAllowedOverPlainHTTP() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        for host in ["127.0.0.1", "localhost"] {
            let result = await outcome(CurlTransport(), HTTPRequest(method: .get, url: "http://\(host):\(server.port)/ping"))
            #expect(result.value?.status == 200, "\(host): \(result)")
        }
        #expect(server.requests.count == 2)
    }

    @Test func redirectIsReturnedNotFollowed() async throws {
        let server = try LoopbackServer(
            .respond { request in
                request.target == "/start"
                    ? CannedResponse(status: 302, headers: [("Location", "/elsewhere")])
                    : CannedResponse(status: 200)
            })
        defer { server.stop() }
        let request = HTTPRequest(method: .post, url: server.baseURL + "/start", body: [.bytes([9, 9])])
        let response = try #require(await outcome(CurlTransport(), request).value)
        #expect(response.status == 302)
        #expect(response.headers["location"] == "/elsewhere")
        #expect(server.requests.map(\.target) == ["/start"])
    }

    @Test func progressEndsAtTheBodyLength() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let path = try sparseFile(size: 8 << 20)
        defer { unlink(path) }
        let request = HTTPRequest(
            method: .post, url: server.baseURL + "/u",
            body: [.bytes([1, 2, 3]), .file(path: path, offset: 0, length: 8 << 20)]
        )
        let log = ProgressLog()
        let result = await outcome(CurlTransport(), request, progress: { log.record($0) })
        #expect(result.value?.status == 200)
        let values = log.all
        #expect(!values.isEmpty)
        #expect(values.last == request.bodyLength)
        #expect(values == values.sorted(), "progress must not go backwards")
    }

    @Test func twoThousandSequentialUploadsReuseOneConnection() async throws {
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let transport = CurlTransport()
        for index in 0..<2000 {
            let request = HTTPRequest(method: .post, url: server.baseURL + "/u\(index)", body: [.bytes([UInt8(truncatingIfNeeded: index)])])
            let status = await outcome(transport, request).value?.status
            if status != 200 { Issue.record("request \(index): \(String(describing: status))"); break }
        }
        #expect(server.requests.count == 2000)
        #expect(server.acceptedConnections == 1)
    }

    @Test func blockedTransfersDoNotStarveOtherTasks() async throws {
        // Far more blocked transfers than cooperative threads (2 cores here).
        let silent = try LoopbackServer(.silent)
        defer { silent.stop() }
        let server = try LoopbackServer(ok)
        defer { server.stop() }
        let transport = CurlTransport()
        let control = TransferControl()
        let blocked = (0..<8).map { _ in
            Task {
                await outcome(
                    transport, HTTPRequest(method: .post, url: silent.baseURL + "/u", body: [.bytes([1])]),
                    limits: TransferLimits(stallTimeout: 60), control: control)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        let result = await outcome(transport, HTTPRequest(method: .get, url: server.baseURL + "/ping"))
        #expect(result.value?.status == 200)
        // Had the blocked transfers held the cooperative threads, this would wait for
        // their 60 s stall timeout.
        #expect(ContinuousClock.now - start < .seconds(20))
        control.cancel()
        for task in blocked {
            let error = await task.value.error
            #expect(error == .cancelled, "\(String(describing: error))")
        }
    }
}
