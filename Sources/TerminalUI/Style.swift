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

extension Style {
    /// This style with another foreground colour.
    func with(foreground color: Color) -> Style {
        var copy = self
        copy.foreground = color
        return copy
    }

    var bolded: Style {
        var copy = self
        copy.bold = true
        return copy
    }
}
