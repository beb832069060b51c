import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// What one `curl` run produced.
struct CurlResult {
    var exitCode: Int32
    /// `%{http_code}`: 0 when no response arrived.
    var status: Int
    var body: String
    var headers: String
    var stderr: String
    var seconds: Double

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }
}

let testKey = "test-key-\(UUID().uuidString)"

/// Starts a sandbox (TestSupport's fixture, with this suite's key) on `storage` or a
/// fresh folder, runs `body` with its server, and stops it before returning. A folder the
/// caller named is kept: it is what a restart starts from.
func withSandbox<T>(
    storage: String? = nil,
    _ configure: (inout SandboxConfiguration) -> Void = { _ in },
    _ body: (SandboxServer) async throws -> T
) async throws -> T {
    try await withSandbox(apiKey: testKey, storageDirectory: storage, configure) { try await body($0.server) }
}

/// Runs `/usr/bin/curl` with `arguments` without blocking a concurrency thread.
func curl(_ arguments: [String], key: String? = testKey) async throws -> CurlResult {
    let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let bodyPath = dir + "/body", headerPath = dir + "/headers"
    var args = ["-sS", "-o", bodyPath, "-D", headerPath, "-w", "%{http_code}", "--max-time", "30"]
    if let key { args += ["-H", "D360-API-KEY: \(key)"] }
    args += arguments
    let outcome = try await RunningProcess.run("/usr/bin/curl", args)
    func read(_ p: String) -> String { (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
    return CurlResult(
        exitCode: outcome.status, status: Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
        body: read(bodyPath), headers: read(headerPath), stderr: outcome.stderr, seconds: outcome.duration)
}

/// A file of `count` pseudo-random bytes; returns its path and contents.
func makeFile(_ count: Int, seed: UInt64 = 42) throws -> (path: String, data: Data) {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    let path = try TemporaryFolder.make(prefix: "sandbox-tests") + "/source.bin"
    let data = Data(bytes)
    try data.write(to: URL(fileURLWithPath: path))
    return (path, data)
}

/// `sha256sum` of a file (an independent check of the sandbox's own digest).
func sha256sum(_ path: String) async throws -> String {
    String(try await RunningProcess.run("/usr/bin/sha256sum", [path]).stdout.prefix(64))
}

extension SandboxServer {
    /// Creates a session through the API; returns its id (`upload:…?sig=…`).
    func createSession(length: Int, type: String = "image/png", name: String = "a.png") async throws -> String {
        let r = try await curl(["-X", "POST", "\(baseURL)/uploads?file_name=\(name)&file_length=\(length)&file_type=\(type)"])
        try #require(r.status == 200, "create answered \(r.status): \(r.body)")
        return try #require(r.json["id"] as? String)
    }

    /// `GET` the session; returns status and parsed JSON.
    func status(_ id: String) async throws -> CurlResult {
        try await curl(["\(baseURL)/\(id)"])
    }

    /// `POST` a file (or part of it) to the session.
    func post(_ id: String, offset: Int?, file: String, extra: [String] = []) async throws -> CurlResult {
        var args = ["-X", "POST", "-H", "Expect:", "-H", "Content-Type: application/octet-stream", "--data-binary", "@\(file)"]
        if let offset { args += ["-H", "file_offset: \(offset)"] }
        return try await curl(args + extra + ["\(baseURL)/\(id)"])
    }
}

func writeTemp(_ data: Data) throws -> String {
    let path = try TemporaryFolder.make(prefix: "sandbox-tests") + "/part.bin"
    try data.write(to: URL(fileURLWithPath: path))
    return path
}
