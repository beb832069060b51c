import Foundation
import Synchronization
import TestSupport
import Testing
import Transport
import UploadCore

/// A response body streamed to a descriptor (`HTTPRequest.responseSink`), against a
/// scripted server on loopback.
@Suite struct ResponseSinkTests {
    private let limits = TransferLimits(connectTimeout: 5, stallTimeout: 10)

    private func scratchFile() throws -> (path: String, fd: Int32) {
        let path = try TemporaryFolder.make(prefix: "sink-test") + "/body"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        return (path, fd)
    }

    @Test func aTwoHundredBodyGoesToTheDescriptorNotToMemory() async throws {
        var generator = SystemRandomNumberGenerator()
        let block = (0..<(64 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let payload = Array((0..<96).map { _ in block }.joined())
        let server = try LoopbackServer(.respond { _ in CannedResponse(status: 200, body: payload) })
        defer { server.stop() }
        let (path, fd) = try scratchFile()
        defer { close(fd) }
        let sink = ResponseSink(descriptor: fd, label: path)
        let last = Mutex<Int64>(0)
        let response = try await CurlTransport().send(
            HTTPRequest(method: .get, url: server.baseURL + "/file", responseSink: sink), limits: limits, control: TransferControl(),
            progress: { value in last.withLock { $0 = value } })
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(sink.written == Int64(payload.count))
        #expect(last.withLock { $0 } == Int64(payload.count))
        #expect(sink.finishDigest() == SHA256Digest.hex(of: payload))
        #expect(try SHA256Digest.ofFile(at: path) == SHA256Digest.hex(of: payload))
    }

    @Test func anErrorBodyStaysInMemoryWhereItCanBeRead() async throws {
        let body = Array(#"{"error":{"message":"URL signature expired","code":100,"error_subcode":33}}"#.utf8)
        let server = try LoopbackServer(.respond { _ in CannedResponse(status: 404, body: body) })
        defer { server.stop() }
        let (path, fd) = try scratchFile()
        defer { close(fd) }
        let sink = ResponseSink(descriptor: fd, label: path)
        let response = try await CurlTransport().send(
            HTTPRequest(method: .get, url: server.baseURL + "/file", responseSink: sink), limits: limits, control: TransferControl(),
            progress: { _ in })
        #expect(response.status == 404)
        #expect(response.body == body)
        #expect(sink.written == 0)
        #expect(fileSizeAt(path) == 0)
        let error = ServerError(status: response.status, body: response.body, headers: response.headers)
        #expect(error.message == "URL signature expired")
        #expect(error.isNoSuchObject)
    }

    @Test func aFullDiskFailsTheTransferSayingSo() async throws {
        let server = try LoopbackServer(.respond { _ in CannedResponse(status: 200, body: Array(repeating: 7, count: 1 << 20)) })
        defer { server.stop() }
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        do {
            _ = try await CurlTransport().send(
                HTTPRequest(method: .get, url: server.baseURL + "/file", responseSink: ResponseSink(descriptor: fd, label: "/dev/full")),
                limits: limits, control: TransferControl(), progress: { _ in })
            Issue.record("a write to /dev/full succeeded")
        } catch {
            #expect(error == .writeFailed(path: "/dev/full", reason: String(cString: strerror(ENOSPC))))
            #expect(TransportErrorText.describe(error).contains("No space left on device"))
        }
    }

    @Test func deleteGoesOutAsDeleteWithoutABody() async throws {
        let server = try LoopbackServer(.respond { _ in CannedResponse(status: 200, body: Array(#"{"success":true}"#.utf8)) })
        defer { server.stop() }
        let response = try await CurlTransport().send(
            HTTPRequest(method: .delete, url: server.baseURL + "/123"), limits: limits, control: TransferControl(), progress: { _ in })
        #expect(response.status == 200)
        #expect(server.requests.first?.method == "DELETE")
        #expect(server.requests.first?.target == "/123")
    }
}

private func fileSizeAt(_ path: String) -> Int64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? -1
}
