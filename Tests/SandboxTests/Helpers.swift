import Foundation
import Logging
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

func makeTempDir() throws -> String {
    let dir = NSTemporaryDirectory() + "sandbox-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Starts a sandbox on a free port with a fresh storage directory, runs `body`, stops it.
func withSandbox<T>(
    storage: String? = nil,
    _ tweak: (inout SandboxConfiguration) -> Void = { _ in },
    _ body: (SandboxServer) async throws -> T
) async throws -> T {
    let directory = try storage ?? makeTempDir()
    let server = try await startSandbox(storage: directory, tweak)
    // A folder the caller named is kept: it is what a restart starts from.
    func finish() async {
        await server.stop()
        if storage == nil { try? FileManager.default.removeItem(atPath: directory) }
    }
    do {
        let result = try await body(server)
        await finish()
        return result
    } catch {
        await finish()
        throw error
    }
}

/// Runs `/usr/bin/curl` with `arguments` without blocking a concurrency thread.
func curl(_ arguments: [String], key: String? = testKey) async throws -> CurlResult {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let bodyPath = dir + "/body", headerPath = dir + "/headers", errPath = dir + "/stderr"
    var args = ["-sS", "-o", bodyPath, "-D", headerPath, "-w", "%{http_code}", "--max-time", "30"]
    if let key { args += ["-H", "D360-API-KEY: \(key)"] }
    args += arguments
    let (code, out, seconds) = try await run("/usr/bin/curl", args, stderrPath: errPath)
    func read(_ p: String) -> String { (try? String(contentsOfFile: p, encoding: .utf8)) ?? "" }
    return CurlResult(
        exitCode: code, status: Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
        body: read(bodyPath), headers: read(headerPath), stderr: read(errPath), seconds: seconds)
}

/// Runs a program; returns its exit code, its standard output and how long it took.
func run(_ program: String, _ arguments: [String], stderrPath: String? = nil) async throws -> (Int32, String, Double) {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let outPath = dir + "/stdout"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    if let stderrPath {
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
    }
    let started = ContinuousClock.now
    let code: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    let elapsed = started.duration(to: .now)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return (code, out, seconds)
}

/// A file of `count` pseudo-random bytes; returns its path and contents.
func makeFile(_ count: Int, seed: UInt64 = 42) throws -> (path: String, data: Data) {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        bytes[i] = UInt8(truncatingIfNeeded: state >> 33)
    }
    let path = try makeTempDir() + "/source.bin"
    let data = Data(bytes)
    try data.write(to: URL(fileURLWithPath: path))
    return (path, data)
}

/// `sha256sum` of a file (an independent check of the sandbox's own digest).
func sha256sum(_ path: String) async throws -> String {
    let (_, out, _) = try await run("/usr/bin/sha256sum", [path])
    return String(out.prefix(64))
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
    let path = try makeTempDir() + "/part.bin"
    try data.write(to: URL(fileURLWithPath: path))
    return path
}

/// Starts a sandbox on a free port with the given storage directory (kept after stop,
/// so a later sandbox can start on it); the caller stops it.
func startSandbox(
    storage: String,
    _ tweak: (inout SandboxConfiguration) -> Void = { _ in }
) async throws -> SandboxServer {
    var config = SandboxConfiguration(apiKey: testKey, storageDirectory: storage)
    config.port = 0
    tweak(&config)
    var logger = Logger(label: "sandbox-tests")
    logger.logLevel = .error
    return try await SandboxServer.start(config, logger: logger)
}
