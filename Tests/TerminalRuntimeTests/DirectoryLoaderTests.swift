import Foundation
import TerminalUI
import TestSupport
import Testing
import UploadCore

@testable import TerminalRuntime

/// The Files pane's loader against real folders on disk.
@Suite("Listing folders")
struct DirectoryLoaderTests {
    /// A fresh folder under the temporary directory, removed by the caller.
    private func makeFolder() throws -> String {
        let path = NSTemporaryDirectory() + "mediaup-listing-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    private func write(_ path: String, bytes: Int, head: [UInt8] = []) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(head + [UInt8](repeating: 7, count: max(0, bytes - head.count))))
    }

    @Test("folders first, then Finder's name order; sizes; hidden names only when asked")
    func orderAndSizes() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, size) in [("img-10.png", 10), ("IMG-2.png", 2), ("img-1.png", 1), ("été.mp4", 5), (".hidden", 3)] {
            write(folder + "/" + name, bytes: size)
        }
        try FileManager.default.createDirectory(atPath: folder + "/zeta", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/Alpha", withIntermediateDirectories: false)
        let listing = DirectoryLoader.list(folder, showHidden: false)
        #expect(listing.error == nil)
        #expect(listing.entries.map(\.name) == ["Alpha", "zeta", "été.mp4", "img-1.png", "IMG-2.png", "img-10.png"])
        #expect(listing.entries.map(\.isDirectory) == [true, true, false, false, false, false])
        #expect(listing.entries.map(\.size).suffix(4) == [5, 1, 2, 10])
        #expect(listing.entries.allSatisfy { $0.path == folder + "/" + $0.name && $0.problem == nil })
        let withHidden = DirectoryLoader.list(folder, showHidden: true)
        #expect(withHidden.entries.map(\.name).contains(".hidden") && withHidden.entries.count == 7)
    }

    @Test("links are followed; a dangling link, a loop, a FIFO and a name that is not UTF-8 are listed with the reason")
    func oddEntries() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/real", withIntermediateDirectories: false)
        #expect(symlink(folder + "/real", folder + "/to-folder") == 0)
        #expect(symlink(folder + "/missing", folder + "/dangling") == 0)
        #expect(symlink(folder + "/loop", folder + "/loop") == 0)
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)
        let oddName: [CChar] = Array((folder + "/bad-").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF), 0]
        let descriptor = open(oddName, O_CREAT | O_WRONLY, 0o600)
        #expect(descriptor >= 0)
        close(descriptor)

        let entries = DirectoryLoader.list(folder, showHidden: false).entries
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0) })
        #expect(entries.prefix(2).map(\.name) == ["real", "to-folder"])
        #expect(byName["to-folder"]?.isDirectory == true)
        #expect(byName["dangling"]?.problem == "a symbolic link to nothing")
        #expect(byName["loop"]?.problem == "a symbolic link loop")
        #expect(byName["pipe"]?.problem == "not a regular file")
        #expect(byName["bad-\\xFF"]?.problem == "the name is not valid UTF-8; rename the file to upload it")
        #expect(entries.count == 6)
    }

    @Test("a file whose name is not UTF-8 shows its real size, and stays refused with its reason")
    func notUTF8NameHasItsSize() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let oddName: [CChar] = Array((folder + "/scan-").utf8CString.dropLast()) + [CChar(bitPattern: 0xFF)] + Array(".pdf".utf8CString)
        let descriptor = open(oddName, O_CREAT | O_WRONLY, 0o600)
        #expect(descriptor >= 0)
        try FileHandle(fileDescriptor: descriptor, closeOnDealloc: true).write(contentsOf: Data(repeating: 7, count: 5_009))

        let entries = DirectoryLoader.list(folder, showHidden: false).entries
        let entry = try #require(entries.first)
        #expect(entries.count == 1)
        #expect(entry.name == "scan-\\xFF.pdf")
        #expect(entry.size == 5_009)
        #expect(entry.modified > 0)
        #expect(entry.problem == "the name is not valid UTF-8; rename the file to upload it")
        #expect(entry.verdict(for: .media) == .rejected(reason: "the name is not valid UTF-8; rename the file to upload it"))
    }

    @Test("a folder that cannot be read gives its reason and no entries")
    func unreadable() {
        let listing = DirectoryLoader.list("/nonexistent-\(UUID().uuidString)", showHidden: false)
        #expect(listing.entries.isEmpty)
        #expect(listing.error?.hasSuffix(": no such file or directory") == true)
    }

    @Test("a folder big enough to be stat'ed on every core: every entry in order with its own size")
    func bigFolder() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let count = 2_500
        for index in (0..<count).shuffled() { write(folder + "/file-\(index).bin", bytes: index % 97) }
        let entries = DirectoryLoader.list(folder, showHidden: false).entries
        #expect(entries.map(\.name) == (0..<count).map { "file-\($0).bin" })
        #expect(entries.enumerated().allSatisfy { $0.element.size == Int64($0.offset % 97) })
    }

    @Test("a folder opened anew: its first rows and odd entries are stat'ed at once, the rest after, to the same listing")
    func firstRowsFirst() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let count = 2_300
        for index in (0..<count).shuffled() { write(folder + "/file-\(index).bin", bytes: 1 + index % 97) }
        try FileManager.default.createDirectory(atPath: folder + "/album", withIntermediateDirectories: false)
        #expect(symlink(folder + "/missing", folder + "/zz-dangling") == 0)
        #expect(mkfifo(folder + "/zz-pipe", 0o600) == 0)

        var listing = DirectoryLoader.list(folder, showHidden: false, statingFirst: 100)
        let whole = DirectoryLoader.list(folder, showHidden: false)
        #expect(listing.entries.map(\.name) == whole.entries.map(\.name), "the order needs no stat")
        #expect(listing.entries.prefix(100).allSatisfy { !$0.factsPending })
        #expect(Array(listing.entries.prefix(100)) == Array(whole.entries.prefix(100)))
        let later = listing.entries.dropFirst(100)
        #expect(later.filter(\.factsPending).count == later.count - 2, "all but the link and the pipe wait")
        #expect(later.filter(\.factsPending).allSatisfy { $0.size == 0 && $0.problem == nil })
        #expect(later.first { $0.name == "zz-dangling" }?.problem == "a symbolic link to nothing")
        #expect(later.first { $0.name == "zz-pipe" }?.problem == "not a regular file")

        // One goes before the rest are stat'ed: it says so, and the others are as a whole listing has them.
        let gone = try #require(later.first { $0.factsPending })
        try FileManager.default.removeItem(atPath: gone.path)
        let facts = DirectoryLoader.completeFacts(of: &listing)
        #expect(facts.count == later.count - 2)
        #expect(facts.allSatisfy { listing.entries[$0.position] == $0.entry && !$0.entry.factsPending })
        #expect(listing.entries.first { $0.name == gone.name }?.problem == "no longer in the folder")
        #expect(
            zip(listing.entries, whole.entries).allSatisfy { $0 == $1 || $0.name == gone.name },
            "the same sizes, times and problems as a listing that stat'ed everything")
        #expect(DirectoryLoader.completeFacts(of: &listing).isEmpty)
    }

    @Test("judging reads each file's head and says where its row is")
    func judging() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        write(folder + "/photo.png", bytes: 64, head: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        write(folder + "/notes.txt", bytes: 10, head: Array("hello".utf8))
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: false)
        let entries = DirectoryLoader.list(folder, showHidden: false).entries
        let judgements = DirectoryLoader.judge(entries.dropFirst())
        #expect(judgements.map(\.position) == [1, 2])
        #expect(judgements.map(\.name) == ["notes.txt", "photo.png"])
        #expect(judgements[1].mime == "image/png")
        #expect(judgements[1].verdicts[.media] == .accepted(MediaType(mime: "image/png", kind: .image)))
    }

    @Test("every corpus file stands on the screen as mediaup check judges it, in both modes; the memory keeps what is inside")
    func insideAsCheckJudges() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // Twice over: enough files that they are judged on every core.
        for name in MediaCorpus.names {
            for copy in ["a-", "b-"] { try FileManager.default.copyItem(atPath: MediaCorpus.path(name), toPath: folder + "/" + copy + name) }
        }
        var listing = DirectoryLoader.list(folder, showHidden: false)
        let judgements = DirectoryLoader.judge(listing.entries[...])
        #expect(judgements.map(\.position) == Array(listing.entries.indices))
        #expect(judgements.map(\.name) == listing.entries.map(\.name))
        for judgement in judgements {
            listing.entries[judgement.position].verdicts = judgement.verdicts
            listing.entries[judgement.position].mime = judgement.mime
            listing.entries[judgement.position].inspection = judgement.inspection
        }
        var statuses: Set<String> = []
        for entry in listing.entries {
            for route in UploadRoute.allCases {
                let check = MediaCheck(path: entry.path, route: route)
                let standing = entry.standing(for: route, checksMedia: true)
                let shown: MediaCheckStatus? =
                    switch standing {
                    case .takes: .ok
                    case .warns: .warn
                    case .refused: .refused
                    case .checking: nil
                    }
                #expect(shown == check.status, "\(entry.name) via \(route)")
                #expect(Set(standing.findings.map(\.reason)) == Set(check.findings.map(\.reason)), "\(entry.name) via \(route)")
                statuses.insert(shown?.rawValue ?? "not judged")
            }
        }
        #expect(statuses == ["ok", "warn", "refused"])

        let memory = JudgementMemory()
        memory.remember(judgements, of: listing)
        var again = DirectoryLoader.list(folder, showHidden: false)
        memory.recall(into: &again)
        #expect(again.entries.map(\.inspection) == listing.entries.map(\.inspection))
        #expect(again.entries.contains { $0.inspection?.status == .refused })
    }

    @Test("listing a folder again reuses the verdicts of files unchanged since, and judges only the others")
    func judgementMemory() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        write(folder + "/kept.png", bytes: 64, head: png)
        write(folder + "/grown.png", bytes: 64, head: png)
        let memory = JudgementMemory()
        let first = DirectoryLoader.list(folder, showHidden: false)
        memory.remember(DirectoryLoader.judge(first.entries[...]), of: first)

        write(folder + "/grown.png", bytes: 128, head: png)
        write(folder + "/added.png", bytes: 32, head: png)
        var again = DirectoryLoader.list(folder, showHidden: false)
        memory.recall(into: &again)
        #expect(again.entries.map(\.name) == ["added.png", "grown.png", "kept.png"])
        #expect(again.entries.map { $0.mime != nil } == [false, false, true])
        let judged = DirectoryLoader.judge(again.entries[...])
        #expect(judged.map(\.name) == ["added.png", "grown.png"])

        // Another folder's listing finds nothing, and replaces what was kept.
        let other = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: other) }
        write(other + "/kept.png", bytes: 64, head: png)
        var elsewhere = DirectoryLoader.list(other, showHidden: false)
        memory.recall(into: &elsewhere)
        #expect(elsewhere.entries.allSatisfy { $0.mime == nil })
        memory.remember([], of: elsewhere)
        memory.recall(into: &again)
        #expect(again.entries.first { $0.name == "grown.png" }?.mime == nil)
    }
}
