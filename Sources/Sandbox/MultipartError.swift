enum MultipartError: Error, CustomStringConvertible {
    case headersTooLarge
    case malformed(String)

    var description: String {
        switch self {
        case .headersTooLarge: "multipart part headers too large"
        case .malformed(let why): "malformed multipart body: \(why)"
        }
    }
}
