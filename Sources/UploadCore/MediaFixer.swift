import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `MediaFixer.fix` did with one file.
public enum MediaFixOutcome: Sendable, Equatable {
    /// The converted file is at `path`, beside the original; `check` judges it.
    case fixed(path: String, check: MediaCheck)
    /// WhatsApp delivers the file as it is; `check` says so.
    case nothingToFix(MediaCheck)
    /// No conversion removes this reason.
    case noConversion(String)
    /// ffmpeg failed, or its result is still refused, or it could not be put in place.
    case failed(String)
    /// The task was cancelled: ffmpeg was killed and nothing was left behind.
    case cancelled
}

extension MediaFixOutcome {
    /// The outcome for the file named `name` (as the user named it) in one line of text,
    /// unescaped: "fixed  clips/clip.mp4 → clip.whatsapp.mp4  (now ok)"; the new file is beside it.
    public func textLine(file name: String) -> String {
        switch self {
        case .fixed(let path, let check):
            let now =
                check.findings.isEmpty ? check.status.rawValue : check.status.rawValue + ": " + check.findings.map(\.reason).joined(separator: "; ")
            return "fixed  \(name) → \(FilePaths.fileName(path))  (now \(now))"
        case .nothingToFix: return "nothing to fix  \(name)"
        case .noConversion(let reason): return "cannot fix  \(name): \(reason); \(MediaFixPlan.noConversionText)"
        case .failed(let message): return "cannot fix  \(name): \(message)"
        case .cancelled: return "cancelled  \(name)"
        }
    }
}

/// Runs a file's one conversion with ffmpeg: into `.NAME.whatsapp.EXT.TOKEN.partial`
/// beside it (a name of this run's own), judged again, then moved to `NAME.whatsapp.EXT`
/// without overwriting anything. The original is only read; if it changes while ffmpeg
/// reads it, nothing is kept. Awaiting it blocks no thread of the concurrency pool:
/// ffmpeg's exit comes by a termination handler.
public enum MediaFixer {
    /// The most of ffmpeg's stderr kept, from its end, for a failure's message.
    public static let stderrLimit = 4096

    public static func fix(path: String, route: UploadRoute, ffmpeg: String) async -> MediaFixOutcome {
        // Taken before the check, so that a change after it is caught too.
        let before = FileIdentity.read(path: path)
        let check = MediaCheck(path: path, route: route)
        let conversion: MediaConversion
        switch check.fixPlan {
        case .nothingToFix: return .nothingToFix(check)
        case .noConversion(let reason): return .noConversion(reason)
        case .conversion(let planned): conversion = planned
        }
        guard !Task.isCancelled else { return .cancelled }
        let identity: FileIdentity
        switch before {
        case .success(let read): identity = read
        case .failure(let problem): return .failed(problem.message)
        }
        let output = MediaFixPlan.outputPath(for: path, extension: conversion.outputExtension)
        let partial: String
        switch Self.makePartial(for: output) {
        case .success(let made): partial = made
        case .failure(let message): return .failed(message.text)
        }

        let arguments =
            ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", MediaFixPlan.literalPath(path)] + conversion.arguments
            + (conversion.muxer == "image2" ? ["-frames:v", "1", "-update", "1"] : []) + ["-f", conversion.muxer, MediaFixPlan.literalPath(partial)]
        let run = await FFmpegRun.run(ffmpeg, arguments)
        if run.cancelled || Task.isCancelled {
            unlink(partial)
            return .cancelled
        }
        // ffmpeg read whatever the file held as it went: a file rewritten, cut or
        // replaced meanwhile gives a conversion of no one version of it.
        guard case .success(let now) = FileIdentity.read(path: path), now.isSameVersion(as: identity) else {
            unlink(partial)
            return .failed("\(FilePaths.fileName(path)) changed while it was being converted; nothing was kept — run fix again")
        }
        guard run.launched, run.status == 0 else {
            unlink(partial)
            return .failed(Self.failure(run, conversion: conversion))
        }
        let after = MediaCheck(path: partial, route: route)
        guard after.status != .refused else {
            unlink(partial)
            return .failed("the converted file is still refused: " + after.findings.map(\.reason).joined(separator: "; "))
        }
        switch Self.place(partial, at: output, extension: conversion.outputExtension, original: path) {
        case .success(let placed): return .fixed(path: placed, check: MediaCheck(path: placed, route: route))
        case .failure(let message):
            unlink(partial)
            return .failed(message.text)
        }
    }

    private struct PlaceFailure: Error { var text: String }

    /// Creates this run's empty partial for `output` under a fresh random name: created
    /// exclusively, so no other file (another run's partial, a file of the user's, a
    /// link) is ever written to or removed.
    private static func makePartial(for output: String) -> Result<String, PlaceFailure> {
        for _ in 0..<100 {
            let partial = MediaFixPlan.partialPath(for: output, token: MediaFixPlan.partialToken())
            let made = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if made >= 0 {
                close(made)
                return .success(partial)
            }
            let reason = errno
            guard reason == EEXIST else {
                return .failure(PlaceFailure(text: "cannot write \(FilePaths.fileName(partial)) beside it: \(String(cString: strerror(reason)))"))
            }
        }
        return .failure(PlaceFailure(text: "no free name beside it for the partial file"))
    }

    /// Moves `partial` to `output`, or to the next free name when `output` appeared
    /// meanwhile: a hard link fails rather than replace a file; where the file system has
    /// none, a rename after seeing the name free.
    private static func place(_ partial: String, at output: String, extension ext: String, original: String) -> Result<String, PlaceFailure> {
        var target = output
        for _ in 0..<100 {
            if link(partial, target) == 0 {
                unlink(partial)
                return .success(target)
            }
            let reason = errno
            if reason != EEXIST {
                guard reason == EPERM || reason == ENOTSUP || reason == EOPNOTSUPP || reason == EMLINK else {
                    return .failure(PlaceFailure(text: "cannot name it \(FilePaths.fileName(target)): \(String(cString: strerror(reason)))"))
                }
                if !MediaFixPlan.exists(target) {
                    guard rename(partial, target) == 0 else {
                        return .failure(PlaceFailure(text: "cannot name it \(FilePaths.fileName(target)): \(String(cString: strerror(errno)))"))
                    }
                    return .success(target)
                }
            }
            target = MediaFixPlan.outputPath(for: original, extension: ext)
        }
        return .failure(PlaceFailure(text: "no free name beside it for the converted file"))
    }

    private static func failure(_ run: FFmpegRun.Result, conversion: MediaConversion) -> String {
        guard run.launched else { return "cannot run ffmpeg: \(run.stderr)" }
        if let encoder = conversion.encoder, run.stderr.contains("Unknown encoder") || run.stderr.contains("Encoder not found") {
            return "this ffmpeg has no \(encoder) encoder, which the conversion needs; use one built with it: \(FFmpegLocator.installHint)"
        }
        let how = run.signalled ? "was killed by signal \(run.status)" : "exited with \(run.status)"
        let said = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "ffmpeg \(how)" + (said.isEmpty ? "" : ": " + said.split(separator: "\n").joined(separator: " / "))
    }
}

/// One ffmpeg process: started, awaited through its termination handler and the end of
/// its stderr, killed when the awaiting task is cancelled.
final class FFmpegRun: Sendable {
    struct Result: Sendable {
        var launched = false
        var status: Int32 = 0
        var signalled = false
        var cancelled = false
        /// The end of stderr, at most `MediaFixer.stderrLimit` bytes.
        var stderr = ""
    }

    private struct State {
        var pid: pid_t?
        var exited = false
        var cancelled = false
        var stderrDone = false
        var result = Result()
        var continuation: CheckedContinuation<Result, Never>?
    }

    private let state = Mutex(State())

    static func run(_ executable: String, _ arguments: [String]) async -> Result {
        let run = FFmpegRun()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                run.start(executable, arguments, continuation)
            }
        } onCancel: {
            run.cancel()
        }
    }

    private func start(_ executable: String, _ arguments: [String], _ continuation: CheckedContinuation<Result, Never>) {
        let cancelledAlready = state.withLock { state in
            state.continuation = continuation
            return state.cancelled
        }
        guard !cancelledAlready else {
            return finish {
                $0.cancelled = true; $0.exited = true; $0.stderrDone = true
            }
        }
        var ends: [Int32] = [0, 0]
        // Close-on-exec from the start: a process another thread starts meanwhile must
        // not hold the write end, or the end of stderr would wait for it.
        guard Self.makePipe(&ends) == 0 else {
            return finish {
                $0.result.stderr = "no pipe: \(String(cString: strerror(errno)))"; $0.exited = true; $0.stderrDone = true
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(fileDescriptor: ends[1], closeOnDealloc: false)
        process.terminationHandler = { [self] ended in
            let status = ended.terminationStatus
            let signalled = ended.terminationReason == .uncaughtSignal
            finish {
                $0.exited = true
                $0.result.status = status
                $0.result.signalled = signalled
            }
        }
        do {
            try process.run()
        } catch {
            close(ends[0])
            close(ends[1])
            return finish {
                $0.result.stderr = "\(executable): \(error.localizedDescription)"; $0.exited = true; $0.stderrDone = true
            }
        }
        close(ends[1])
        let pid = process.processIdentifier
        let killNow = state.withLock { state in
            state.result.launched = true
            if !state.exited { state.pid = pid }
            return state.cancelled && !state.exited
        }
        if killNow { kill(pid, SIGKILL) }
        let reading = ends[0]
        DispatchQueue.global().async { [self] in
            let tail = Self.readTail(reading)
            close(reading)
            finish {
                $0.result.stderr = tail
                $0.stderrDone = true
            }
        }
    }

    private static func makePipe(_ ends: inout [Int32]) -> Int32 {
        #if canImport(Glibc)
        // Glibc's pipe2 is not visible to Swift; a socket pair takes the flag at birth.
        return socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends)
        #else
        guard pipe(&ends) == 0 else { return -1 }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return 0
        #endif
    }

    /// Reads `fd` to its end, keeping its last `MediaFixer.stderrLimit` bytes.
    private static func readTail(_ fd: Int32) -> String {
        var kept: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            kept += buffer[0..<count]
            if kept.count > 2 * MediaFixer.stderrLimit { kept.removeFirst(kept.count - MediaFixer.stderrLimit) }
        }
        if kept.count > MediaFixer.stderrLimit { kept.removeFirst(kept.count - MediaFixer.stderrLimit) }
        return String(decoding: kept, as: UTF8.self)
    }

    /// Changes the state; resumes the awaiting task once ffmpeg has exited and its stderr ended.
    private func finish(_ change: (inout State) -> Void) {
        let done: (CheckedContinuation<Result, Never>, Result)? = state.withLock { state in
            change(&state)
            if state.exited { state.pid = nil }
            guard state.exited, state.stderrDone, let continuation = state.continuation else { return nil }
            state.continuation = nil
            var result = state.result
            result.cancelled = state.cancelled
            return (continuation, result)
        }
        if let (continuation, result) = done { continuation.resume(returning: result) }
    }

    private func cancel() {
        let pid = state.withLock { state in
            state.cancelled = true
            return state.pid
        }
        if let pid { kill(pid, SIGKILL) }
    }
}
