import Foundation
import Testing

@testable import UploadCore

@Suite("Session catalog")
struct SessionCatalogTests {
    /// A journal in a new state directory holding sessions in these states, oldest first.
    func journal(_ states: [UploadState]) throws -> (directory: String, journal: Journal, ids: [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-catalog-\(UUID())").path
        let journal = try Journal(stateDirectory: directory)
        var ids: [String] = []
        for (index, state) in states.enumerated() {
            var session = UploadSession(
                path: "/data/\(index).png", fileSize: 10, fileModified: 1, mimeType: "image/png", route: .resumable,
                now: Date(timeIntervalSince1970: Double(index)))
            session.state = state
            try journal.save(session)
            ids.append(session.id)
        }
        return (directory, journal, ids)
    }

    /// Holds session `id`'s lock as another process would (a second flock in this process is refused just the same).
    func holdElsewhere(_ id: String, in directory: String) throws -> SessionLock {
        guard case .acquired(let lock) = SessionLock.tryAcquire(sessionID: id, stateDirectory: directory) else {
            throw CancellationError()
        }
        return lock
    }

    @Test("a crashed run's active session lists as paused; one another process holds lists as active elsewhere")
    func listing() throws {
        let (directory, journal, ids) = try journal([.uploading, .retrying, .done])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let held = try holdElsewhere(ids[1], in: directory)
        let listed = try SessionCatalog(journal: journal, stateDirectory: directory).list()
        #expect(listed.map(\.session.id) == ids)
        #expect(listed.map(\.session.state) == [.paused, .retrying, .done])
        #expect(listed.map(\.activeElsewhere) == [false, true, false])
        withExtendedLifetime(held) {}
    }

    @Test("forget removes rows and lock files, leaves sessions busy elsewhere, reports unknown ids")
    func forget() throws {
        let (directory, journal, ids) = try journal([.done, .paused, .done, .uploading])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let catalog = SessionCatalog(journal: journal, stateDirectory: directory)
        let held = try holdElsewhere(ids[2], in: directory)
        // A claim of an earlier run, released.
        _ = try holdElsewhere(ids[0], in: directory)

        let result = try catalog.forget(ids: [ids[1], "nosuch"], allDone: true)
        #expect(result.forgotten == [ids[0], ids[1]])
        #expect(result.busyElsewhere == [ids[2]])
        #expect(result.unknown == ["nosuch"])
        #expect(try journal.allSessions().map(\.id) == [ids[2], ids[3]])
        #expect(!SessionLock.isHeldElsewhere(sessionID: ids[0], stateDirectory: directory))
        #expect(SessionLock.isHeldElsewhere(sessionID: ids[2], stateDirectory: directory), "still held by its process")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory + "/locks")
        #expect(!left.contains("\(ids[0]).lock") && !left.contains("\(ids[1]).lock"), "no file of a forgotten session is left")
        withExtendedLifetime(held) {}
    }
}
