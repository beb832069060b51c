import Foundation

/// mediaup's optional config file: `key = value` lines (`#` starts a comment, values
/// may be quoted). It may hold the API key, so it must be private to its owner.
public struct ConfigFile: Sendable, Equatable {
    /// The keys it understands.
    public static let knownKeys: Set<String> = ["api_key", "base_url"]

    public var values: [String: String]
    /// Set when the file is readable by others, or has keys mediaup does not know.
    public var warnings: [String]

    /// Where the file is looked for: `$MEDIAUP_CONFIG`, else
    /// `$XDG_CONFIG_HOME/mediaup/config`, else `~/.config/mediaup/config`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let path = environment["MEDIAUP_CONFIG"], !path.isEmpty { return path }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/mediaup/config" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/mediaup/config"
    }

    /// Reads the file at `path`; a missing file is an empty config. A malformed line is
    /// an error naming its number (never its text: it may be the key).
    public static func load(path: String) throws(ConfigurationError) -> ConfigFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return ConfigFile(values: [:], warnings: []) }
            throw ConfigurationError("cannot read the config file \(path): \(FileIdentity.errorText(errno))")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("cannot read the config file \(path) as UTF-8 text")
        }
        var warnings: [String] = []
        if info.st_mode & 0o077 != 0 {
            let mode = String(info.st_mode & 0o777, radix: 8)
            warnings.append("the config file \(path) can be read by others (mode \(mode)); it may hold your API key: chmod 600 \(path)")
        }
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ConfigurationError("the config file \(path), line \(index + 1): expected key = value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            if knownKeys.contains(key) {
                values[key] = value
            } else {
                warnings.append("the config file \(path), line \(index + 1): unknown key \"\(key)\" ignored (known: api_key, base_url)")
            }
        }
        return ConfigFile(values: values, warnings: warnings)
    }
}
