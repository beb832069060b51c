import Foundation
import Synchronization

/// A child process started now and awaited later (or at once, through
/// ``run(_:_:environment:workingDirectory:)``).
///
/// Output goes to files in a private temporary folder, read after the exit, so nothing
/// waits on a pipe; the exit is awaited through the termination handler, so no thread of
/// Swift's cooperative pool blocks on it (the sandbox a test talks to shares those threads).
public final class RunningProcess: Sendable {
    /// The process itself, for its pid, `interrupt()` and termination reason.
    public let process: Process
    /// The file standard output goes to; it can be read while the process runs.
    public var stdoutPath: String { directory + "/stdout" }
    /// The file standard error goes to; it can be read while the process runs.
    public var stderrPath: String { directory + "/stderr" }
    private let directory: String
    private let exit = ExitRecord()

    /// Written by the termination handler, read by ``outcome()``; a class of its own so the
    /// handler can hold it without holding the process that holds the handler.
    private final class ExitRecord: Sendable {
        struct Exit {
            var status: Int32?
            var duration: Double = 0
            var waiters: [CheckedContinuation<Void, Never>] = []
        }

        let state = Mutex(Exit())
    }

    /// Starts `program` (a path) with `arguments`. Standard input is `/dev/null`.
    /// - Parameters:
    ///   - environment: the child's whole environment; the test process's when `nil`.
    ///   - workingDirectory: the child's current directory; the test process's when `nil`.
    public init(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil
    ) throws {
        directory = try TemporaryFolder.make(prefix: "mediaup-process")
        let outPath = directory + "/stdout", errPath = directory + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let started = ContinuousClock.now
        process.terminationHandler = { [exit] finished in
            let elapsed = started.duration(to: .now)
            let waiters = exit.state.withLock { exit in
                exit.status = finished.terminationStatus
                exit.duration = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                defer { exit.waiters = [] }
                return exit.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Waits for the exit (at once if it happened already) and collects the output.
    public func outcome() async -> ProcessOutcome {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let exited = exit.state.withLock { exit in
                if exit.status != nil { return true }
                exit.waiters.append(waiter)
                return false
            }
            if exited { waiter.resume() }
        }
        let (status, duration) = exit.state.withLock { ($0.status ?? -1, $0.duration) }
        let read = { (name: String) in (try? String(contentsOfFile: self.directory + "/" + name, encoding: .utf8)) ?? "" }
        return ProcessOutcome(status: status, stdout: read("stdout"), stderr: read("stderr"), duration: duration)
    }

    /// Runs `program` to its exit and returns what it left.
    public static func run(
        _ program: String, _ arguments: [String], environment: [String: String]? = nil, workingDirectory: String? = nil
    ) async throws -> ProcessOutcome {
        try await RunningProcess(program, arguments, environment: environment, workingDirectory: workingDirectory).outcome()
    }
}
