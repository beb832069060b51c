/// One screen cell: a grapheme cluster of display width 1 or 2. A wide character
/// fills its cell and the next, which holds `continuation` so columns stay aligned.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style
    /// True for the right half of a wide character: drawn by its left neighbour.
    public var isContinuation: Bool

    public init(text: String = " ", style: Style = .plain, isContinuation: Bool = false) {
        self.text = text
        self.style = style
        self.isContinuation = isContinuation
    }

    public static let blank = Cell()
}
