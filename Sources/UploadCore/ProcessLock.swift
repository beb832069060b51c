import Foundation

/// A mediaup process's claim on its queue: a ``SessionLock`` on the name
/// `process-TOKEN`, held for the process's life. Rows it queues carry the token (`UploadSession.owner`);
/// another process that can take the lock knows the queue's process is gone, however it
/// ended, and may take its rows over.
public final class ProcessLock: Sendable {
    /// The token rows queued by this process carry.
    public let token: String
    private let lock: SessionLock
    private let stateDirectory: String

    private init(token: String, lock: SessionLock, stateDirectory: String) {
        self.token = token
        self.lock = lock
        self.stateDirectory = stateDirectory
    }

    /// Takes a new claim in `stateDirectory`, or says why it cannot.
    public static func take(stateDirectory: String) -> Result<ProcessLock, FileProblem> {
        let token = UUID().uuidString.lowercased()
        switch SessionLock.tryAcquire(sessionID: fileStem(token), stateDirectory: stateDirectory) {
        case .acquired(let lock): return .success(ProcessLock(token: token, lock: lock, stateDirectory: stateDirectory))
        case .heldElsewhere: return .failure(FileProblem("the process lock \(token) is taken"))
        case .failed(let message): return .failure(FileProblem(message))
        }
    }

    /// Whether the process whose token is `token` still runs. A claim found free is of a
    /// process that ended: what it left on disk is removed.
    public static func isAlive(_ token: String, stateDirectory: String) -> Bool {
        // A token is a UUID; anything else names no file of ours.
        guard !token.isEmpty, token.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return false }
        switch SessionLock.tryAcquire(sessionID: fileStem(token), stateDirectory: stateDirectory) {
        case .heldElsewhere: return true
        case .acquired(let lock):
            SessionLock.removeFile(sessionID: fileStem(token), stateDirectory: stateDirectory)
            withExtendedLifetime(lock) {}
            return false
        case .failed: return false
        }
    }

    // Removed while still held: the lock is released after this body.
    deinit { SessionLock.removeFile(sessionID: Self.fileStem(token), stateDirectory: stateDirectory) }

    private static func fileStem(_ token: String) -> String { "process-" + token }
}
