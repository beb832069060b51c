import Foundation

/// The corpus of small real media files in Tests/Fixtures/media (made by its make.py),
/// read by path so that a clean clone needs no resources.
public enum MediaCorpus {
    public static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/media").path

    public static func path(_ name: String) -> String { folder + "/" + name }

    /// The media files in the corpus (not the script or its notes).
    public static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasSuffix(".py") && !$0.hasSuffix(".txt") }.sorted()
    }

    /// The bytes of one corpus file.
    public static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name)))) }
}
