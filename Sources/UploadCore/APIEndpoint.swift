import Foundation

/// Where the API is and the key that opens it. The key is held here only: it is sent
/// in a header, never logged, printed or stored.
public struct APIEndpoint: Sendable {
    /// 360dialog's production host.
    public static let defaultBaseURL = "https://waba-v2.360dialog.io"

    /// The base URL without a trailing slash.
    public let baseURL: String
    let apiKey: String
    /// Whether the base URL points at this machine (a sandbox).
    public let isLoopback: Bool

    /// Checks the base URL (https, or http to loopback only) and that a key is given.
    public init(baseURL: String, apiKey: String?) throws(ConfigurationError) {
        var trimmed = baseURL.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(),
            case let host = Self.hostText(trimmed), !host.isEmpty,
            components.query == nil, components.fragment == nil
        else {
            throw ConfigurationError("the base URL \"\(baseURL)\" is not a valid URL (expected e.g. \(Self.defaultBaseURL))")
        }
        let loopback = Self.isLoopbackHost(host)
        switch scheme {
        case "https": break
        case "http" where loopback: break
        case "http":
            throw ConfigurationError(
                "refusing http:// to \(host): the API key would travel unencrypted; use https:// (http is allowed only to 127.0.0.1, localhost or ::1)"
            )
        default:
            throw ConfigurationError("the base URL must start with https:// (got \"\(scheme)://\")")
        }
        guard let apiKey, !apiKey.isEmpty else {
            throw ConfigurationError("no API key: set D360_API_KEY or pass --api-key (or try the sandbox: mediaup sandbox)")
        }
        guard !apiKey.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw ConfigurationError("the API key contains a line break")
        }
        self.baseURL = trimmed
        self.apiKey = apiKey
        self.isLoopback = loopback
    }

    /// An endpoint with no key yet, for a screen that can browse without one: every
    /// call fails at once as unauthorized, without a request.
    public static func withoutKey(baseURL: String) throws(ConfigurationError) -> APIEndpoint {
        let probe = try APIEndpoint(baseURL: baseURL, apiKey: "-")
        return APIEndpoint(checkedBaseURL: probe.baseURL, isLoopback: probe.isLoopback)
    }

    private init(checkedBaseURL: String, isLoopback: Bool) {
        baseURL = checkedBaseURL
        apiKey = ""
        self.isLoopback = isLoopback
    }

    /// Whether a key was given.
    public var hasKey: Bool { !apiKey.isEmpty }

    /// The host as written in a URL that URLComponents accepted. Not `components.host`:
    /// that runs international names through ICU, megabytes of resident memory for a
    /// check that needs none of it.
    static func hostText(_ url: String) -> String {
        guard let start = url.range(of: "://")?.upperBound else { return "" }
        var authority = url[start...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }) + "]" }
        return String(authority.prefix { $0 != ":" })
    }

    /// Whether `host` names this machine: 127.0.0.0/8, localhost or ::1.
    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        var address = in_addr()
        // s_addr is in network byte order: the first octet is the lowest byte in memory.
        let loopbackIPv4 = inet_pton(AF_INET, bare, &address) == 1 && withUnsafeBytes(of: &address) { $0.first == 127 }
        return bare == "localhost" || bare == "::1" || loopbackIPv4
    }
}
