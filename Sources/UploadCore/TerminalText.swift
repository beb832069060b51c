/// Text from outside (file names, server messages, ids typed by the user) as a terminal
/// may receive it: the characters it would act on instead of showing are written as
/// visible escapes, so that a name can neither move the cursor, clear the screen, set
/// the title, split a line nor reverse the text around it.
public enum TerminalText {
    /// Whether `scalar` is a control character (C0, DEL or C1): a terminal acts on these.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    /// Whether `scalar` reorders the text around it: a bidirectional embedding,
    /// override, isolate or mark.
    public static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: true
        default: false
        }
    }

    /// `text` with each control and bidirectional control written out: `\n`, `\r`, `\t`,
    /// `\x1b` for the rest of C0 and DEL, `\u{9B}` for C1, `\u{202E}` for the others.
    public static func escaped(_ text: String) -> String {
        var bytes = text
        // Printable ASCII, nearly every name: nothing to escape, and no scalars to walk.
        if bytes.withUTF8({ $0.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }) { return text }
        guard text.unicodeScalars.contains(where: { isControl($0) || isBidiControl($0) }) else { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": shown += "\\n"
            case "\r": shown += "\\r"
            case "\t": shown += "\\t"
            case _ where scalar.value < 0x80 && isControl(scalar): shown += "\\x" + hex(scalar.value, digits: 2)
            case _ where isControl(scalar) || isBidiControl(scalar): shown += "\\u{" + hex(scalar.value, digits: 1).uppercased() + "}"
            default: shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
