import UploadCore

/// Display width of characters in a terminal, as tmux (3.3 and later) and the C
/// library's `wcwidth` count them: each scalar of a grapheme cluster takes its own
/// width (2 for East Asian wide and emoji presentation, 0 for combining marks,
/// format characters, variation selectors and controls, else 1), except that a
/// scalar after a zero-width joiner joins the cell before it. So 👨‍👩‍👧 takes 2, the
/// flag 🇯🇵 2 (two regional indicators of 1), 👍🏽 4 (the skin tone is a wide cell of
/// its own), 1️⃣ and ❤️ 1. A cluster whose first scalar takes no room (a lone
/// combining mark, a control) takes none.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        var scalars = character.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return 0 }
        var width = of(first)
        guard width > 0 else { return 0 }
        var afterJoiner = first.value == 0x200D
        while let scalar = scalars.next() {
            if !afterJoiner { width += of(scalar) }
            afterJoiner = scalar.value == 0x200D
        }
        return width
    }

    /// The columns `text` takes.
    public static func of(_ text: String) -> Int {
        // Printable ASCII, most names and all of mediaup's own words: a column a byte,
        // without breaking the text into characters.
        var ascii = text
        if let width = ascii.withUTF8({ bytes in bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? bytes.count : nil }) { return width }
        return text.reduce(0) { $0 + of($1) }
    }

    /// The columns a terminal that draws each scalar on its own (xterm: no joining
    /// after a zero-width joiner) gives `character`: never less than ``of(_:)-swift.type.method``.
    public static func widest(_ character: Character) -> Int {
        guard of(character) > 0 else { return 0 }
        return character.unicodeScalars.reduce(0) { $0 + of($1) }
    }

    /// The columns one scalar takes on its own.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        if TerminalText.isControl(scalar) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch scalar.value {
        case 0x1160...0x11FF: return 0  // Hangul medial vowels and final consonants join the syllable
        case 0x1F1E6...0x1F1FF: return 1  // a regional indicator: a flag is two of them
        default: break
        }
        if scalar.properties.isEmojiPresentation { return 2 }
        return isWide(scalar.value) ? 2 : 1
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
            0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}
