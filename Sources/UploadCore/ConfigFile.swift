import Foundation

/// mediaup's optional config file: `key = value` lines. `#` outside quotes starts a
/// comment; a value is bare (to the comment or the line's end, trimmed), in double quotes
/// (`\"` and `\\` escaped) or in single quotes (taken as written); lines may end in CRLF.
/// It may hold the API key, so it must be private to its owner, and no message about it
/// shows a line's text.
public struct ConfigFile: Sendable, Equatable {
    /// The keys it understands.
    public static let knownKeys: Set<String> = ["api_key", "base_url", "provider", "token", "graph_version", "app_id", "phone_number_id"]

    public var values: [String: String]
    /// Set when the file is readable by others.
    public var warnings: [String]

    public init(values: [String: String], warnings: [String]) {
        self.values = values
        self.warnings = warnings
    }

    /// Where the file is looked for, and whether it must be there: `$MEDIAUP_CONFIG`
    /// (which must name a file), else `$XDG_CONFIG_HOME/mediaup/config`, else
    /// `~/.config/mediaup/config` (each optional).
    public static func location(environment: [String: String]) -> (path: String, mustExist: Bool) {
        if let path = environment["MEDIAUP_CONFIG"], !path.isEmpty { return (path, true) }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return (xdg + "/mediaup/config", false) }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home + "/.config/mediaup/config", false)
    }

    /// Where the file is looked for (see ``location(environment:)``).
    public static func defaultPath(environment: [String: String]) -> String {
        location(environment: environment).path
    }

    /// Reads the file at `path`; a missing file is an empty config unless `mustExist`.
    /// Every problem is reported at once, each with the file and line (never the line's
    /// text: it may be the key), one a line.
    public static func load(path: String, mustExist: Bool = false) throws(ConfigurationError) -> ConfigFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno
            if reason == ENOENT && !mustExist { return ConfigFile(values: [:], warnings: []) }
            let named = mustExist ? " (named by MEDIAUP_CONFIG)" : ""
            throw ConfigurationError("cannot read the config file \(path)\(named): \(FileIdentity.errorText(reason))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ConfigurationError("the config file \(path) is not a regular file (a folder?); point MEDIAUP_CONFIG at the file itself")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read the config file \(path): \(FileIdentity.errorText(errno))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError("cannot read the config file \(path) as UTF-8 text")
        }
        var file = try parse(text, path: path)
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            file.warnings.append("the config file \(path) can be read by others (mode \(mode)); it may hold your API key: chmod 600 \(path)")
        }
        return file
    }

    /// Parses the text of the file at `path` (named in the messages).
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> ConfigFile {
        var values: [String: String] = [:]
        var firstLine: [String: Int] = [:]
        var problems: [String] = []
        // By scalars: Swift takes "\r\n" for one Character, which a split on "\n" misses.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, scalars) in lines.enumerated() {
            let number = index + 1
            var line = String(String.UnicodeScalarView(scalars))
            if line.hasSuffix("\r") { line.removeLast() }
            do throws(ConfigurationError) {
                guard let (key, value) = try entry(line) else { continue }
                if let earlier = firstLine[key] {
                    throw ConfigurationError("\(key) is set again (first on line \(earlier)); keep one")
                }
                guard knownKeys.contains(key) else {
                    throw ConfigurationError("unknown key \"\(key)\" (known: \(knownKeys.sorted().joined(separator: ", ")))")
                }
                firstLine[key] = number
                values[key] = value
            } catch {
                problems.append("the config file \(path), line \(number): \(error.description)")
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems.joined(separator: "\n")) }
        return ConfigFile(values: values, warnings: [])
    }

    /// The key and value of one line (without its line ending), or nil for a blank or comment line.
    static func entry(_ line: String) throws(ConfigurationError) -> (key: String, value: String)? {
        var rest = Substring(line).drop { $0 == " " || $0 == "\t" }
        if rest.isEmpty || rest.hasPrefix("#") { return nil }
        guard let equals = rest.firstIndex(of: "=") else { throw ConfigurationError("expected key = value") }
        let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
        guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ConfigurationError("expected key = value, the key in letters, digits and _")
        }
        rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
        let value: String
        switch rest.first {
        case "\"":
            (value, rest) = try doubleQuoted(rest.dropFirst())
        case "'":
            guard let close = rest.dropFirst().firstIndex(of: "'") else { throw ConfigurationError("the quote ' is not closed on this line") }
            value = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
        default:
            let end = rest.firstIndex(of: "#") ?? rest.endIndex
            value = rest[..<end].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            rest = rest[end...]
        }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        guard rest.isEmpty || rest.hasPrefix("#") else { throw ConfigurationError("text after the closing quote (a comment starts with #)") }
        if value.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            throw ConfigurationError("the value of \(key) contains a control character")
        }
        return (key, value)
    }

    /// A double-quoted value from just after its opening quote: the value, unescaped, and what follows the closing quote.
    private static func doubleQuoted(_ text: Substring) throws(ConfigurationError) -> (String, Substring) {
        var value = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            switch character {
            case "\"": return (value, text[index...])
            case "\\":
                guard index < text.endIndex, text[index] == "\"" || text[index] == "\\" else {
                    throw ConfigurationError("in double quotes only \\\" and \\\\ are escapes")
                }
                value.append(text[index])
                index = text.index(after: index)
            default: value.append(character)
            }
        }
        throw ConfigurationError("the quote \" is not closed on this line")
    }
}
