import Foundation
import UploadCore

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
    /// edge); returns the number of columns used. A character takes the columns
    /// `DisplayWidth` gives it (2 or more: its first cell holds it, the others are
    /// continuations); one that would be cut is left out. Control and bidirectional characters are shown as escapes
    /// (`\n`, `\u{202E}`), as on every line mediaup prints: a name must neither break
    /// the row nor reverse the text around it.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, maxWidth: Int? = nil, style: Style = .plain) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in TerminalText.escaped(text) {
            let cellWidth = DisplayWidth.of(character)
            if cellWidth == 0 { continue }
            if column + cellWidth > limit { break }
            if column >= 0 {
                detach(x: column, y: y)
                self[column, y] = Cell(text: String(character), style: style)
                for extra in 1..<cellWidth {
                    detach(x: column + extra, y: y)
                    self[column + extra, y] = Cell(text: "", style: style, isContinuation: true)
                }
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
            for column in max(0, x)..<min(width, x + w) {
                detach(x: column, y: row)
                self[column, row] = Cell(style: style)
            }
        }
    }

    /// Before (`x`, `y`) is written over: the rest of a wide character it is part of
    /// becomes blanks, so no half of one is left (a terminal would draw it as `?`).
    private mutating func detach(x: Int, y: Int) {
        if self[x, y].isContinuation {
            var owner = x - 1
            while owner > 0 && self[owner, y].isContinuation { owner -= 1 }
            for column in max(0, owner)..<x { self[column, y] = Cell(style: self[column, y].style) }
        }
        var next = x + 1
        while next < width && self[next, y].isContinuation {
            self[next, y] = Cell(style: self[next, y].style)
            next += 1
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
