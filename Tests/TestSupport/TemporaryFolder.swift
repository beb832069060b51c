import Foundation

/// Fresh folders under the system's temporary directory, one per test or helper.
public enum TemporaryFolder {
    /// Creates `<tmp>/<prefix>-<uuid>` and returns its path; the caller removes it.
    public static func make(prefix: String = "mediaup-test") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
