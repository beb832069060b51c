import Foundation

/// Colours the screen uses; the backend maps them to the terminal's palette, or to
/// nothing at all when colours are off (`NO_COLOR`, monochrome terminals).
public enum Color: Sendable, Equatable, CaseIterable {
    case standard, red, green, yellow, blue, magenta, cyan, gray
}

/// How a cell is drawn.
public struct Style: Sendable, Equatable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(foreground: Color = .standard, background: Color = .standard, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }

    public static let plain = Style()
}

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

/// A grid of cells that the view renders into and the backend copies to the
/// terminal. Tests read it back as text lines.
public struct CellBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (`x`, `y`), clipped to `maxWidth` columns (and the buffer's
    /// edge); returns the number of columns used. A wide character that would be cut
    /// in half is left out.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in text {
            let cellWidth = DisplayWidth.of(character)
            if cellWidth == 0 { continue }
            if column + cellWidth > limit { break }
            if column >= 0 {
                self[column, y] = Cell(text: String(character), style: style)
                if cellWidth == 2 { self[column + 1, y] = Cell(text: "", style: style, isContinuation: true) }
            }
            column += cellWidth
        }
        return column - x
    }

    /// Sets the style of a run of cells, keeping their text.
    public mutating func paint(x: Int, y: Int, width count: Int, style: Style) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { self[column, y].style = style }
    }

    /// Fills a rectangle with blanks of `style`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, style: Style = .plain) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { self[column, row] = Cell(style: style) }
        }
    }

    /// Row `y` as text, wide characters once, trailing spaces kept.
    public func line(_ y: Int) -> String {
        (0..<width).map { self[$0, y] }.filter { !$0.isContinuation }.map(\.text).joined()
    }

    /// Every row as text, trailing spaces removed: what render tests compare.
    public var lines: [String] {
        (0..<height).map { line($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
    }
}

/// Display width of characters in a terminal: 2 for East Asian wide and emoji, 0 for
/// combining marks and controls, else 1.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        guard let first = character.unicodeScalars.first else { return 0 }
        if character.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        if first.properties.generalCategory == .nonspacingMark || first.properties.generalCategory == .enclosingMark { return 0 }
        return isWide(first.value) ? 2 : 1
    }

    /// The columns `text` takes.
    public static func of(_ text: String) -> Int { text.reduce(0) { $0 + of($1) } }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
