/// One entry of the key line: a binding's first key (or neighbours' keys sharing a label,
/// as "P/A all") and its label.
struct KeyLineEntry {
    static let separator = " · "

    var keys: [String]
    var label: String
    /// Kept however narrow the line: help and quit lead to everything else.
    var alwaysShown: Bool

    var text: String { keys.joined(separator: "/") + " " + label }

    static func line(_ entries: [KeyLineEntry]) -> String { entries.map(\.text).joined(separator: separator) }
}
