import Foundation

/// One JSON object on one line, as every `--json` output prints it: the keys in the
/// order given (scripts and tests read them so), absent values as null.
public enum JSONLine {
    /// A value of one key.
    public enum Value: Sendable, Equatable {
        /// A string; nil is written as null.
        case string(String?)
        /// An integer; nil is written as null.
        case number(Int64?)
        case bool(Bool)
        /// A flag that may be unknown; nil is written as null.
        case optionalBool(Bool?)
        /// An array of strings.
        case strings([String])

        var text: String {
            switch self {
            case .string(let text): text.map(JSONLine.quote) ?? "null"
            case .number(let number): number.map(String.init) ?? "null"
            case .bool(let flag): flag ? "true" : "false"
            case .optionalBool(let flag): flag.map { $0 ? "true" : "false" } ?? "null"
            case .strings(let texts): "[" + texts.map(JSONLine.quote).joined(separator: ",") + "]"
            }
        }
    }

    /// The object with these keys, in this order (no newline).
    public static func object(_ fields: KeyValuePairs<String, Value>) -> String {
        "{" + fields.map { "\(quote($0.key)):\($0.value.text)" }.joined(separator: ",") + "}"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped,
    /// slashes and non-ASCII text as they are.
    public static func quote(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(text)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
