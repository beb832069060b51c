import Dispatch

/// SHA-256 of whole files on one background thread outside Swift's cooperative pool,
/// so hashing runs beside the transfer without starving other tasks.
enum BackgroundHashing {
    private static let queue = DispatchQueue(label: "mediaup.hashing", qos: .utility)

    static func sha256(ofFileAt path: String) async -> Result<String, FileProblem> {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(FileProblem) -> String in try SHA256Digest.ofFile(at: path) })
            }
        }
    }
}
