import Foundation
import TestSupport
import Testing
import UploadCore

@Suite("Files written whole")
struct AtomicFileTests {
    @Test("a new name, a replaced file, a name kept when asked, a link followed, a FIFO refused; no temporary left")
    func targets() throws {
        let folder = try TemporaryFolder.make(prefix: "mediaup-atomic")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/out.csv"
        #expect(try AtomicFile.write(path: path, bytes: Array("one".utf8)))
        #expect(try AtomicFile.write(path: path, bytes: Array("two".utf8)))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
        #expect(try !AtomicFile.write(path: path, bytes: Array("three".utf8), replacing: false), "taken: left alone")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")

        try FileManager.default.createSymbolicLink(atPath: folder + "/link.csv", withDestinationPath: "out.csv")
        try AtomicFile.write(path: folder + "/link.csv", bytes: Array("four".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link.csv") == "out.csv")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "four")

        #expect(mkfifo(folder + "/pipe", 0o644) == 0)
        #expect(throws: FileProblem.self) { try AtomicFile.write(path: folder + "/pipe", bytes: [1]) }
        #expect(throws: FileProblem.self) { try AtomicFile.write(path: folder, bytes: [1]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["link.csv", "out.csv", "pipe"])
    }

    @Test("an export into a folder never overwrites: the same second gives -2, -3")
    func exportNames() throws {
        let folder = try TemporaryFolder.make(prefix: "mediaup-atomic")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        try Data("KEEP".utf8).write(to: URL(fileURLWithPath: folder + "/mediaup-export-20270115-080000.csv"))
        #expect(try MediaExport.writeNewFile("a", in: folder, at: date, format: .csv) == folder + "/mediaup-export-20270115-080000-2.csv")
        #expect(try MediaExport.writeNewFile("b", in: folder, at: date, format: .csv) == folder + "/mediaup-export-20270115-080000-3.csv")
        #expect(try String(contentsOfFile: folder + "/mediaup-export-20270115-080000.csv", encoding: .utf8) == "KEEP")
        #expect(try MediaExport.writeNewFile("c", in: folder, at: date, format: .json).hasSuffix("/mediaup-export-20270115-080000.jsonl"))
    }
}
