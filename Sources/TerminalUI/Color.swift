/// Colours the screen uses; the backend maps them to the terminal's palette, or to
/// nothing at all when colours are off (`NO_COLOR`, monochrome terminals).
public enum Color: Sendable, Equatable, CaseIterable {
    case standard, red, green, yellow, blue, magenta, cyan, gray
}
