import Foundation

enum SandboxIOError: Error, CustomStringConvertible {
    case open(path: String, errno: Int32)
    case read(path: String, errno: Int32)
    case write(path: String, errno: Int32)
    case rename(path: String, errno: Int32)
    case createDirectory(path: String, errno: Int32)

    var description: String {
        switch self {
        case .createDirectory(let p, let e): "cannot create the folder \(p): \(String(cString: strerror(e)))"
        case .rename(let p, let e): "cannot rename into \(p): \(String(cString: strerror(e)))"
        case .open(let p, let e): "cannot open \(p): \(String(cString: strerror(e)))"
        case .read(let p, let e): "cannot read \(p): \(String(cString: strerror(e)))"
        case .write(let p, let e): "cannot write \(p): \(String(cString: strerror(e)))"
        }
    }
}
