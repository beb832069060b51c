import Foundation
import Testing

@testable import UploadCore

@Suite("Server errors and reactions")
struct ServerErrorTests {
    func error(_ status: Int, _ json: String, headers: [String: String] = [:]) -> ServerError {
        ServerError(status: status, body: Array(json.utf8), headers: headers)
    }

    @Test("360dialog's flat shape")
    func flatShape() {
        let parsed = error(400, #"{"error":"missing 'upload:' prefix"}"#)
        #expect(parsed.message == "missing 'upload:' prefix")
        #expect(parsed.description == "HTTP 400: missing 'upload:' prefix")
        #expect(APIFailure.server(parsed).reaction == .fail)
    }

    @Test("Meta's nested shape keeps code and trace id")
    func metaShape() {
        let parsed = error(
            400, #"{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_subcode":33,"fbtrace_id":"AbC123"}}"#)
        #expect(parsed.message == "Invalid parameter")
        #expect(parsed.code == 100)
        #expect(parsed.description == "HTTP 400: Invalid parameter (code 100/33, fbtrace_id AbC123)")
    }

    @Test("reactions follow the table in docs/api.md")
    func reactions() {
        #expect(APIFailure.server(error(401, #"{"error":"unauthorized"}"#)).reaction == .unauthorized)
        #expect(APIFailure.server(error(400, #"{"error":{"message":"expired","code":190}}"#)).reaction == .unauthorized)
        #expect(APIFailure.server(error(429, #"{"error":"slow down"}"#, headers: ["retry-after": "7"])).reaction == .retry(retryAfter: 7))
        #expect(APIFailure.server(error(400, #"{"error":{"message":"too many","code":130429}}"#)).reaction == .retry(retryAfter: nil))
        #expect(APIFailure.server(error(503, "<html><title>Service Unavailable</title></html>")).reaction == .retry(retryAfter: nil))
        #expect(APIFailure.server(error(400, #"{"error":"upload session not found or expired"}"#)).reaction == .expired)
        #expect(APIFailure.server(error(400, #"{"error":"file_offset mismatch: server has 10"}"#)).reaction == .resync)
        #expect(APIFailure.transport(.stalled(seconds: 30)).reaction == .stalled)
        #expect(APIFailure.transport(.connectionLost("reset")).reaction == .retry(retryAfter: nil))
        #expect(APIFailure.transport(.fileShrank(path: "/x")).reaction == .fileChanged)
        #expect(APIFailure.transport(.cancelled).reaction == .stopped)
        #expect(APIFailure.unexpectedReply("garbage").reaction == .retry(retryAfter: nil))
        #expect(APIFailure.redirected(status: 302, location: "https://evil.example").reaction == .fail)
        #expect(APIFailure.transport(.tls("SSL connect error")).reaction == .retry(retryAfter: nil))
        #expect(APIFailure.transport(.certificate("self-signed certificate")).reaction == .halt)
        #expect(APIFailure.transport(.invalidRequest("request header D360-API-KEY is malformed")).reaction == .halt)
        #expect(APIFailure.transport(.invalidURL("no host")).reaction == .halt)
        let notFound = error(404, #"{"error":"not found"}"#)
        #expect(APIFailure.server(notFound).reaction == .expired)
        #expect(APIFailure.server(notFound).notFoundAsWrongURL("POST /uploads").reaction == .halt)
        #expect(APIFailure.server(error(410, "gone")).notFoundAsWrongURL("POST /uploads").reaction == .expired)
    }

    @Test("an HTML error page becomes its title")
    func htmlPage() {
        let parsed = error(502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")
        #expect(parsed.message == "502 Bad Gateway")
    }

    @Test("Retry-After as seconds or as a date")
    func retryAfter() {
        #expect(ServerError.parseRetryAfter("12") == 12)
        let date = Date().addingTimeInterval(60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = ServerError.parseRetryAfter(formatter.string(from: date))
        #expect(seconds != nil && seconds! > 55 && seconds! <= 60)
        #expect(ServerError.parseRetryAfter("soon") == nil)
    }
}

@Suite("Lenient JSON")
struct JSONValuesTests {
    @Test("numbers as numbers or strings; booleans are not numbers")
    func numbers() throws {
        let object = try #require(JSONValues.object(Array(#"{"a":0,"b":"42","c":true,"d":12.0,"e":"x"}"#.utf8)))
        #expect(JSONValues.int64(object["a"]) == 0)
        #expect(JSONValues.int64(object["b"]) == 42)
        #expect(JSONValues.int64(object["c"]) == nil)
        #expect(JSONValues.int64(object["d"]) == 12)
        #expect(JSONValues.int64(object["e"]) == nil)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    @Test("exponential backoff with jitter, capped")
    func backoff() {
        let policy = RetryPolicy(maxRetries: 5, baseDelay: 1, maxDelay: 30)
        #expect(policy.delay(beforeRetry: 1, random: 0) == 0.5)
        #expect(policy.delay(beforeRetry: 1, random: 1) == 1)
        #expect(policy.delay(beforeRetry: 3, random: 1) == 4)
        #expect(policy.delay(beforeRetry: 10, random: 1) == 30)
        #expect(policy.delay(beforeRetry: 10, random: 0) == 15)
    }

    @Test("Retry-After wins over the backoff")
    func retryAfterWins() {
        let policy = RetryPolicy()
        #expect(policy.delay(beforeRetry: 1, retryAfter: 42, random: 0) == 42)
    }

    @Test("a Retry-After over the cap waits the cap")
    func retryAfterCapped() {
        let policy = RetryPolicy()
        #expect(RetryPolicy.longestRetryAfter == 300)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 3600) == 300)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 99_999) == 300)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 300) == 300)
    }
}

@Suite("Endpoint configuration")
struct EndpointTests {
    @Test func acceptsHTTPSAndLoopbackHTTP() throws {
        #expect(try APIEndpoint(baseURL: "https://waba-v2.360dialog.io/", apiKey: "k").baseURL == "https://waba-v2.360dialog.io")
        #expect(try APIEndpoint(baseURL: "http://127.0.0.1:8360", apiKey: "k").isLoopback)
        #expect(try APIEndpoint(baseURL: "http://localhost:1", apiKey: "k").isLoopback)
        #expect(try APIEndpoint(baseURL: "http://[::1]:8360", apiKey: "k").isLoopback)
    }

    @Test func refusesUnsafeOrMalformed() {
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "http://example.com", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "ftp://example.com", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "not a url", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "https://ok.example", apiKey: nil) }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "https://ok.example", apiKey: "a\nb") }
        // A loopback name in the user part does not make the host loopback.
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "http://127.0.0.1@example.com/", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "http://localhost.example.com:80", apiKey: "k") }
        #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "http://127.example.com", apiKey: "k") }
    }

    @Test("a port out of range, an empty host or a bracket left open: not a valid URL")
    func refusesBadAuthority() throws {
        for url in [
            "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:", "http://127.0.0.1:8x", "http://:8360", "https://[]:443",
            "http://[::1:8360", "http://[::1]x:80", "http://::1:8566",
        ] {
            #expect(throws: ConfigurationError.self, "\(url)") { try APIEndpoint(baseURL: url, apiKey: "k") }
        }
        #expect(try APIEndpoint(baseURL: "https://ok.example:65535/v1", apiKey: "k").baseURL == "https://ok.example:65535/v1")
        #expect(try APIEndpoint(baseURL: "http://[::1]:8566", apiKey: "k").isLoopback)
    }

    @Test("a key with a control character is refused, without the key in the message")
    func refusesControlCharacters() {
        for key in ["a\u{7}b", "ab\t", "a\u{7F}", "a\rb", "a\u{85}b"] {
            #expect(throws: ConfigurationError.self) { try APIEndpoint(baseURL: "https://ok.example", apiKey: key) }
            #expect(APIEndpoint.keyProblem(key)?.contains(key) == false)
        }
        #expect(APIEndpoint.keyProblem("plain-key_1") == nil)
    }

    @Test func hostIsReadFromTheURLText() {
        #expect(APIEndpoint.hostText("https://user:pw@waba-v2.360dialog.io:443/v1?x#y") == "waba-v2.360dialog.io")
        #expect(APIEndpoint.hostText("http://[::1]:8360/") == "[::1]")
        #expect(APIEndpoint.hostText("http://127.0.0.1") == "127.0.0.1")
        #expect(APIEndpoint.hostText("no scheme") == "")
    }
}

@Suite("JSON report")
struct UploadReportTests {
    @Test("keys in contract order, absent values null")
    func shape() throws {
        var session = UploadSession(path: "/tmp/a \"b\".png", fileSize: 10, fileModified: 1, mimeType: "image/png", route: .resumable)
        session.state = .done
        session.handle = "4::aGk=:ARb"
        session.sha256 = "ab"
        session.attempts = 2
        let line = UploadReport(file: "a \"b\".png", snapshot: UploadSnapshot(session: session)).jsonLine
        #expect(
            line
                == #"{"file":"a \"b\".png","state":"done","via":"resumable","session_id":"\#(session.id)","handle":"4::aGk=:ARb","media_id":null,"bytes":10,"sha256":"ab","attempts":2,"error":null,"warnings":[],"reused":false,"expires_at":null}"#
        )
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?.count == 13)
    }
}

@Suite("Config file")
struct ConfigFileTests {
    @Test("keys, comments, quotes; a missing file is empty")
    func parse() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mediaup-config-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ConfigFile.load(path: path) == ConfigFile(values: [:], warnings: []))
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("# c\n\napi_key = 'k 1'\nbase_url=https://x.example\n".utf8),
            attributes: [.posixPermissions: 0o600])
        let config = try ConfigFile.load(path: path)
        #expect(config.values == ["api_key": "k 1", "base_url": "https://x.example"])
        #expect(config.warnings.isEmpty)
        #expect(ConfigFile.defaultPath(environment: ["XDG_CONFIG_HOME": "/c"]) == "/c/mediaup/config")
        #expect(ConfigFile.defaultPath(environment: ["MEDIAUP_CONFIG": "/x", "XDG_CONFIG_HOME": "/c"]) == "/x")
    }
}

@Suite("Config file format")
struct ConfigFileFormatTests {
    static func parse(_ text: String) throws(ConfigurationError) -> [String: String] {
        try ConfigFile.parse(text, path: "/c").values
    }

    /// The problems `text` has, one a line, or nil when it parses.
    static func problems(_ text: String) -> [String]? {
        do {
            _ = try ConfigFile.parse(text, path: "/c")
            return nil
        } catch {
            return error.description.split(separator: "\n").map(String.init)
        }
    }

    @Test("CRLF lines: the key has no \\r, and a leading comment does not swallow the next line")
    func crlf() throws {
        #expect(try Self.parse("api_key = k1\r\nbase_url = https://x.example\r\n") == ["api_key": "k1", "base_url": "https://x.example"])
        #expect(try Self.parse("# mediaup\r\napi_key = \"k2\"\r\n") == ["api_key": "k2"])
    }

    @Test("a # outside quotes starts a comment; inside quotes it is part of the value")
    func comments() throws {
        #expect(try Self.parse("api_key = key # comment\n") == ["api_key": "key"])
        #expect(try Self.parse("api_key = \"a # b\" # comment\n") == ["api_key": "a # b"])
        #expect(try Self.parse("  # indented comment\n\napi_key=k\n") == ["api_key": "k"])
    }

    @Test("double quotes take \\\" and \\\\; single quotes are literal")
    func escapes() throws {
        #expect(try Self.parse(#"api_key = "a\"b""# + "\n") == ["api_key": #"a"b"#])
        #expect(try Self.parse(#"api_key = "a\\b""# + "\n") == ["api_key": #"a\b"#])
        #expect(try Self.parse(#"api_key = 'a\b'"# + "\n") == ["api_key": #"a\b"#])
    }

    @Test("every problem is named with its line, and no line's text is shown")
    func problems() {
        let text = "api_key = \"secret-1\nbase_url = a\nbase_url = b\ncolour = blue\nno equals\napi_key = \"x\" y\napi_key = \"a\\qb\"\n"
        let found = Self.problems(text) ?? []
        #expect(found.count == 6, "\(found)")
        for line in [1, 3, 4, 5, 6, 7] { #expect(found.contains { $0.hasPrefix("the config file /c, line \(line):") }, "\(found)") }
        #expect(!found.joined().contains("secret-1"))
        #expect(found.contains { $0.contains("line 3") && $0.contains("base_url") && $0.contains("line 2") })
    }

    @Test("a value with a control character is a problem")
    func controlCharacters() {
        #expect(Self.problems("api_key = \"a\u{7}b\"\n")?.count == 1)
        #expect(Self.problems("api_key = a\rb\n")?.count == 1)
    }

    @Test("a path that names a folder, or (when named by MEDIAUP_CONFIG) nothing, is an error")
    func paths() throws {
        let folder = FileManager.default.temporaryDirectory.path
        #expect(throws: ConfigurationError.self) { try ConfigFile.load(path: folder) }
        #expect(throws: ConfigurationError.self) { try ConfigFile.load(path: folder + "/no-such-\(UUID())", mustExist: true) }
        #expect(try ConfigFile.load(path: folder + "/no-such-\(UUID())").values.isEmpty)
    }
}

@Suite("One spelling per server")
struct CanonicalBaseURLTests {
    @Test("scheme and host in any case and a port with leading zeros name the same server; the path is kept")
    func sameServerSpelledOneWay() throws {
        let spellings = ["http://127.0.0.1:18600", "HTTP://127.0.0.1:18600/", "http://127.0.0.1:018600", "Http://127.0.0.1:18600"]
        let bases = try spellings.map { try APIEndpoint(baseURL: $0, apiKey: "k").baseURL }
        #expect(Set(bases) == ["http://127.0.0.1:18600"], "\(bases)")
        #expect(try APIEndpoint(baseURL: "https://Waba-V2.360dialog.IO/V1", apiKey: "k").baseURL == "https://waba-v2.360dialog.io/V1")
        #expect(try APIEndpoint(baseURL: "http://[::1]:08360", apiKey: "k").baseURL == "http://[::1]:8360")
        #expect(try APIEndpoint(baseURL: "http://[::1]", apiKey: "k").baseURL == "http://[::1]")
    }
}
