import Foundation

enum SandboxIOError: Error, CustomStringConvertible {
    case open(path: String, errno: Int32)
    case read(path: String, errno: Int32)
    case write(path: String, errno: Int32)
    /// The storage folder could not be made; the message says which folder and why.
    case storage(String)

    var description: String {
        switch self {
        case .storage(let message): message
        case .open(let p, let e): "cannot open \(p): \(String(cString: strerror(e)))"
        case .read(let p, let e): "cannot read \(p): \(String(cString: strerror(e)))"
        case .write(let p, let e): "cannot write \(p): \(String(cString: strerror(e)))"
        }
    }
}
