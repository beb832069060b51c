/// One row of the key table: which keys, where, what they do.
public struct KeyBinding: Sendable {
    /// The keys, the first one as the key line shows it.
    public let keys: [Key]
    /// Where the keys mean this.
    public let context: KeyContext
    /// What it does in a few words, for the help. Neighbours with the same summary share
    /// a help line.
    public let summary: String
    /// The key line's word for it; nil: not on the key line. Neighbours with the same
    /// label share one entry ("P/A all").
    public let label: String?
    /// What the reducer does for these keys.
    public let action: KeyAction

    /// A row of the table: `keys` in `context` do `action`, described by `summary`.
    public init(_ keys: [Key], _ context: KeyContext, _ summary: String, label: String? = nil, _ action: KeyAction) {
        self.keys = keys
        self.context = context
        self.summary = summary
        self.label = label
        self.action = action
    }

    /// The keys as the help and the README write them: "x, Delete".
    public var keysText: String { keys.map(\.name).joined(separator: ", ") }
}
