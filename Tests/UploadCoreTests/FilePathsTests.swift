import Foundation
import TestSupport
import Testing

@testable import UploadCore

/// A path with `..` after a symbolic link names what the kernel opens, not what folding
/// the text would give: `dir/link/../x.png` is `x.png` beside the link's target.
@Suite("Paths resolved as the kernel does")
struct FilePathsTests {
    @Test("dir/link/../x.png names, and uploads, the file the kernel opens, not dir/x.png")
    func dotDotAfterSymlink() async throws {
        try await withTestBed { bed in
            let root = bed.directory + "/tree"
            try FileManager.default.createDirectory(atPath: root + "/deep/inner", withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root + "/deep/inner")
            let opened = root + "/deep/x.png"
            let decoy = root + "/x.png"
            _ = FileManager.default.createFile(atPath: opened, contents: Data(Magic.png(wrapping: [UInt8](repeating: 1, count: 900))))
            _ = FileManager.default.createFile(atPath: decoy, contents: Data(Magic.png(wrapping: [UInt8](repeating: 2, count: 700))))
            let tricky = root + "/link/../x.png"
            let kernelBytes = try Data(contentsOf: URL(fileURLWithPath: tricky))
            #expect(kernelBytes == (try Data(contentsOf: URL(fileURLWithPath: opened))), "the kernel opens deep/x.png")

            let resolved = FilePaths.absolute(tricky)
            #expect(resolved == FilePaths.absolute(opened), "resolved to \(resolved)")
            #expect(FilePaths.absolute(root + "/link/..") == FilePaths.absolute(root + "/deep"))
            #expect(FilePaths.absolute(root + "/./deep//inner/../x.png") == FilePaths.absolute(opened))
            #expect(
                FilePaths.absolute(root + "/missing/../x.png") == root + "/missing/../x.png",
                "not folded to \(decoy), which the kernel would not open")

            let uploader = try bed.makeUploader()
            let added = try await uploader.add(path: tricky, route: .resumable).snapshot
            let row = try #require(await uploader.waitUntilSettled([added.id]).first)
            #expect(row.session.state == .done, "\(row.session.lastError ?? "")")
            #expect(row.session.path == resolved)
            #expect(row.session.fileSize == Int64(Magic.png.count + Magic.pngWrapping + 900))
            #expect(await bed.server.sessions().first?.sha256 == (try bed.sha256(opened)))
        }
    }
}
