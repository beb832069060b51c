import CCurl
import UploadCore

/// Decides, before any traffic, whether a URL may be used: http or https only, and plain
/// http only to a loopback host (the local sandbox). The API key travels in a header, so
/// it must never cross a network in clear text.
enum URLPolicy {
    /// The parts of a URL the transport needs to know about.
    struct Target: Equatable {
        var scheme: String
        var host: String
        var isLoopback: Bool
    }

    /// Parses `url` with libcurl's own URL parser (the one the transfer will use) and
    /// applies the policy. Messages name only the scheme and host: the rest of the URL
    /// can carry a signature.
    static func check(_ url: String) throws(TransportError) -> Target {
        if url.utf8.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D }) {
            throw .invalidURL("the URL contains a control character")
        }
        guard let handle = curl_url() else { throw .other("curl_url() failed: out of memory") }
        defer { curl_url_cleanup(handle) }
        // Flags 0: a scheme is required, nothing is guessed or re-encoded.
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else {
            throw .invalidURL("the URL cannot be parsed")
        }
        guard let scheme = part(handle, CURLUPART_SCHEME)?.lowercased() else {
            throw .invalidURL("the URL has no scheme")
        }
        guard let host = part(handle, CURLUPART_HOST)?.lowercased(), !host.isEmpty else {
            throw .invalidURL("the URL has no host")
        }
        let loopback = isLoopback(host)
        switch scheme {
        case "https":
            break
        case "http":
            guard loopback else {
                throw .invalidURL("plain http is only allowed to a loopback host, not \(host)")
            }
        default:
            throw .invalidURL("unsupported scheme \(scheme); only http and https are allowed")
        }
        return Target(scheme: scheme, host: host, isLoopback: loopback)
    }

    /// `localhost` (also as `localhost.`), `[::1]`, or a dotted IPv4 address in 127.0.0.0/8:
    /// the same test the endpoint's configuration makes.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost." || APIEndpoint.isLoopbackHost(host)
    }

    private static func part(_ handle: OpaquePointer, _ which: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(handle, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }
}
