import Foundation

/// Who serves the API: 360dialog's proxy, or Meta's Graph API itself. The calls are
/// the same; their paths and their auth differ.
public enum APIProvider: String, Sendable, CaseIterable {
    case dialog360 = "360dialog"
    case meta
}

/// What Meta's Graph API needs besides the token: the version path segment, and the ids
/// its paths name.
public struct GraphAccount: Sendable, Equatable {
    /// The newest Graph API version Meta documented when this was built.
    public static let defaultVersion = "v26.0"

    /// `vMAJOR.MINOR`, the first path segment of every call.
    public let version: String
    /// The app that owns resumable upload sessions (`POST /{version}/{app-id}/uploads`).
    public let appID: String?
    /// The number that `/media` uploads belong to (`POST /{version}/{phone-number-id}/media`).
    public let phoneNumberID: String?

    /// Checks the version's shape and that the ids are Meta's kind: digits only.
    public init(version: String = defaultVersion, appID: String? = nil, phoneNumberID: String? = nil) throws(ConfigurationError) {
        let parts = version.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard version.hasPrefix("v"), parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else {
            throw ConfigurationError("the Graph API version \"\(version)\" is not of the form v26.0")
        }
        for (name, id) in [("app id", appID), ("phone number id", phoneNumberID)] {
            if let id, id.isEmpty || !id.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw ConfigurationError("the \(name) \"\(TerminalText.escaped(id))\" is not a Meta id (digits only)")
            }
        }
        self.version = version
        self.appID = appID
        self.phoneNumberID = phoneNumberID
    }
}

/// Where the API is and the key that opens it. The key is held here only: it is sent
/// in a header, never logged, printed or stored.
public struct APIEndpoint: Sendable {
    /// 360dialog's production host.
    public static let defaultBaseURL = "https://waba-v2.360dialog.io"
    /// Meta's Graph API host.
    public static let defaultMetaBaseURL = "https://graph.facebook.com"

    /// The base URL without a trailing slash (for Meta, without the version segment).
    public let baseURL: String
    /// 360dialog's API key, or Meta's access token.
    let apiKey: String
    /// Whether the base URL points at this machine (a sandbox).
    public let isLoopback: Bool
    /// Set for Meta's Graph API; nil for 360dialog.
    public let graph: GraphAccount?

    /// Who serves the API.
    public var provider: APIProvider { graph == nil ? .dialog360 : .meta }

    /// Checks the base URL (https, or http to loopback only; a host, and a port in
    /// 1...65535 if one is written) and that a key without control characters is given.
    public init(baseURL: String, apiKey: String?) throws(ConfigurationError) {
        try self.init(baseURL: baseURL, secret: apiKey, graph: nil)
    }

    /// Meta's Graph API at `baseURL` with `token`, checked as the 360dialog endpoint is.
    public init(metaBaseURL baseURL: String = defaultMetaBaseURL, token: String?, graph: GraphAccount) throws(ConfigurationError) {
        try self.init(baseURL: baseURL, secret: token, graph: graph)
    }

    private init(baseURL: String, secret apiKey: String?, graph: GraphAccount?) throws(ConfigurationError) {
        var trimmed = baseURL.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
            let scheme = components.scheme?.lowercased(),
            components.query == nil, components.fragment == nil
        else {
            throw ConfigurationError("the base URL \"\(baseURL)\" is not a valid URL (expected e.g. \(Self.defaultBaseURL))")
        }
        if let problem = Self.authorityProblem(trimmed) {
            throw ConfigurationError("the base URL \"\(baseURL)\" is not a valid URL: \(problem)")
        }
        // The base URL is kept in the journal and shown by `sessions`: no secret goes in it.
        if components.user != nil || components.password != nil {
            throw ConfigurationError("the base URL must not carry a user name or password (the API key is the only credential)")
        }
        let host = Self.hostText(trimmed)
        let loopback = Self.isLoopbackHost(host)
        switch scheme {
        case "https": break
        case "http" where loopback: break
        case "http":
            throw ConfigurationError(
                "refusing http:// to \(host): the API key would travel unencrypted; use https:// (http is allowed only to 127.0.0.1, localhost or [::1])"
            )
        default:
            throw ConfigurationError("the base URL must start with https:// (got \"\(scheme)://\")")
        }
        guard let apiKey, !apiKey.isEmpty else {
            throw ConfigurationError(
                graph == nil
                    ? "no API key: set D360_API_KEY or pass --api-key (or try the sandbox: mediaup sandbox)"
                    : "no access token: set WHATSAPP_TOKEN (or pass --token, which shows in ps) (or try the sandbox: mediaup sandbox --provider meta)"
            )
        }
        if let problem = Self.keyProblem(apiKey) {
            throw ConfigurationError(graph == nil ? problem : problem.replacingOccurrences(of: "the API key", with: "the access token"))
        }
        self.baseURL = Self.canonical(trimmed)
        self.apiKey = apiKey
        self.isLoopback = loopback
        self.graph = graph
    }

    /// What is wrong with `key` as a header value, in words that never show the key:
    /// a control character (a line break, a tab, a bell…) would corrupt the request or
    /// hide a pasted mistake.
    public static func keyProblem(_ key: String) -> String? {
        guard let index = key.unicodeScalars.firstIndex(where: { CharacterSet.controlCharacters.contains($0) }) else { return nil }
        let position = key.unicodeScalars.distance(from: key.unicodeScalars.startIndex, to: index) + 1
        let code = String(key.unicodeScalars[index].value, radix: 16, uppercase: true)
        return
            "the API key contains a control character (U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) at character \(position)); check where it was copied from"
    }

    /// An endpoint with no key yet, for a screen that can browse without one: every
    /// call fails at once as unauthorized, without a request.
    public static func withoutKey(baseURL: String, graph: GraphAccount? = nil) throws(ConfigurationError) -> APIEndpoint {
        let probe = try APIEndpoint(baseURL: baseURL, secret: "-", graph: graph)
        return APIEndpoint(checkedBaseURL: probe.baseURL, isLoopback: probe.isLoopback, graph: graph)
    }

    private init(checkedBaseURL: String, isLoopback: Bool, graph: GraphAccount?) {
        baseURL = checkedBaseURL
        apiKey = ""
        self.isLoopback = isLoopback
        self.graph = graph
    }

    /// Whether a key was given.
    public var hasKey: Bool { !apiKey.isEmpty }

    /// `url` spelled one way for one server: the scheme and host in lower case and the
    /// port without leading zeros (`HTTP://Example.COM:0443/v1` is `http://example.com:443/v1`),
    /// since the journal tells servers apart by this text. The path is kept as written.
    static func canonical(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://"), let authority = authority(url) else { return url }
        var host = authority
        var port = ""
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            host = authority[..<colon]
            port = Int(authority[authority.index(after: colon)...]).map { ":\($0)" } ?? String(authority[colon...])
        }
        return url[..<schemeEnd.lowerBound].lowercased() + "://" + host.lowercased() + port + url[authority.endIndex...]
    }

    /// The authority (`user@host:port`) of a URL, as written.
    private static func authority(_ url: String) -> Substring? {
        guard let start = url.range(of: "://")?.upperBound else { return nil }
        var authority = url[start...].prefix { !"/?#".contains($0) }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return authority
    }

    /// The host as written in a URL that URLComponents accepted. Not `components.host`:
    /// that runs international names through ICU, megabytes of resident memory for a
    /// check that needs none of it.
    static func hostText(_ url: String) -> String {
        guard let authority = authority(url) else { return "" }
        if authority.hasPrefix("[") { return String(authority.prefix { $0 != "]" }) + "]" }
        return String(authority.prefix { $0 != ":" })
    }

    /// What is wrong with the URL's host and port, or nil: no host, an IPv6 address
    /// without its brackets, a port that is not a number in 1...65535.
    static func authorityProblem(_ url: String) -> String? {
        guard let authority = authority(url) else { return "no scheme (expected e.g. \(defaultBaseURL))" }
        var rest = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return "the IPv6 address has no closing ]" }
            if authority[authority.index(after: authority.startIndex)..<close].isEmpty { return "no host" }
            rest = authority[authority.index(after: close)...]
            if !rest.isEmpty && !rest.hasPrefix(":") { return "expected :PORT after ]" }
        } else {
            if authority.filter({ $0 == ":" }).count > 1 { return "an IPv6 address goes in brackets, e.g. http://[::1]:8360" }
            let host = authority.prefix { $0 != ":" }
            if host.isEmpty { return "no host" }
            rest = authority[host.endIndex...]
        }
        guard rest.hasPrefix(":") else { return nil }
        let digits = rest.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), let port = Int(digits), (1...65535).contains(port) else {
            return "the port \"\(digits)\" is not a number from 1 to 65535"
        }
        return nil
    }

    /// Whether `host` names this machine: 127.0.0.0/8, localhost or ::1.
    public static func isLoopbackHost(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        var address = in_addr()
        // s_addr is in network byte order: the first octet is the lowest byte in memory.
        let loopbackIPv4 = inet_pton(AF_INET, bare, &address) == 1 && withUnsafeBytes(of: &address) { $0.first == 127 }
        var address6 = in6_addr()
        let loopbackIPv6 =
            inet_pton(AF_INET6, bare, &address6) == 1 && withUnsafeBytes(of: &address6) { $0.dropLast().allSatisfy { $0 == 0 } && $0.last == 1 }
        return bare == "localhost" || loopbackIPv6 || loopbackIPv4
    }
}
