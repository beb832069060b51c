import TerminalUI
import Testing

@testable import TerminalRuntime

/// What can be checked without a terminal: how `wget_wch` results become keys, and how
/// colours become pairs. Drawing is checked end to end through tmux elsewhere.
@Suite struct NcursesBackendTests {
    // ncurses key codes, spelled out as X/Open curses fixes them.
    static let keyCodes: [(UInt32, Key)] = [
        (0o403, .up), (0o402, .down), (0o404, .left), (0o405, .right),
        (0o523, .pageUp), (0o522, .pageDown), (0o406, .home), (0o550, .end),
        (0o541, .backTab), (0o407, .backspace), (0o512, .delete), (0o527, .enter),
    ]

    @Test func keyCodesMapToNamedKeys() {
        for (code, key) in Self.keyCodes {
            #expect(NcursesBackend.key(forWideChar: code, isKeyCode: true) == key, "code \(code)")
        }
    }

    @Test func unknownKeyCodesAreDropped() {
        #expect(NcursesBackend.key(forWideChar: 0o632, isKeyCode: true) == nil)  // KEY_RESIZE: handled apart
        #expect(NcursesBackend.key(forWideChar: 0o411, isKeyCode: true) == nil)  // F1
    }

    @Test func sameNumberAsCharacterIsNotAKeyCode() {
        // 0o403 is U+0103 "ă" when wget_wch returns OK rather than KEY_CODE_YES.
        #expect(NcursesBackend.key(forWideChar: 0o403, isKeyCode: false) == .character("ă"))
    }

    @Test func controlCharacters() {
        #expect(NcursesBackend.key(forWideChar: 13, isKeyCode: false) == .enter)
        #expect(NcursesBackend.key(forWideChar: 10, isKeyCode: false) == .enter)
        #expect(NcursesBackend.key(forWideChar: 9, isKeyCode: false) == .tab)
        #expect(NcursesBackend.key(forWideChar: 127, isKeyCode: false) == .backspace)
        #expect(NcursesBackend.key(forWideChar: 8, isKeyCode: false) == .backspace)
        #expect(NcursesBackend.key(forWideChar: 27, isKeyCode: false) == .escape)
        #expect(NcursesBackend.key(forWideChar: 1, isKeyCode: false) == .ctrl("a"))
        #expect(NcursesBackend.key(forWideChar: 3, isKeyCode: false) == .ctrl("c"))
        #expect(NcursesBackend.key(forWideChar: 26, isKeyCode: false) == .ctrl("z"))
        for value: UInt32 in [0, 28, 29, 30, 31, 0x80, 0x9F] {
            #expect(NcursesBackend.key(forWideChar: value, isKeyCode: false) == nil, "value \(value)")
        }
    }

    @Test func printableCharacters() {
        #expect(NcursesBackend.key(forWideChar: 0x20, isKeyCode: false) == .character(" "))
        #expect(NcursesBackend.key(forWideChar: 0x71, isKeyCode: false) == .character("q"))
        #expect(NcursesBackend.key(forWideChar: 0x52, isKeyCode: false) == .character("R"))
        #expect(NcursesBackend.key(forWideChar: 0x65E5, isKeyCode: false) == .character("日"))
        #expect(NcursesBackend.key(forWideChar: 0x1F3AC, isKeyCode: false) == .character("🎬"))
        #expect(NcursesBackend.key(forWideChar: 0xD800, isKeyCode: false) == nil)  // a lone surrogate is no scalar
    }

    @Test func colorPairsAreDistinctAndFitSixtyFourPairs() {
        var seen = Set<Int16>()
        for foreground in Color.allCases {
            for background in Color.allCases {
                let pair = NcursesBackend.colorPair(foreground: foreground, background: background)
                #expect((0..<64).contains(pair))
                seen.insert(pair)
            }
        }
        #expect(seen.count == Color.allCases.count * Color.allCases.count)
        #expect(NcursesBackend.colorPair(foreground: .standard, background: .standard) == 0)
        #expect(NcursesBackend.colorPair(foreground: .red, background: .standard) == 8)
        #expect(NcursesBackend.colorPair(foreground: .standard, background: .blue) == 4)
    }

    @Test func colorNumbers() {
        #expect(NcursesBackend.colorNumber(.standard, isForeground: true, paletteSize: 256, defaultColors: true) == -1)
        #expect(NcursesBackend.colorNumber(.standard, isForeground: false, paletteSize: 256, defaultColors: true) == -1)
        #expect(NcursesBackend.colorNumber(.standard, isForeground: true, paletteSize: 8, defaultColors: false) == 7)
        #expect(NcursesBackend.colorNumber(.standard, isForeground: false, paletteSize: 8, defaultColors: false) == 0)
        #expect(NcursesBackend.colorNumber(.red, isForeground: true, paletteSize: 8, defaultColors: true) == 1)
        #expect(NcursesBackend.colorNumber(.cyan, isForeground: false, paletteSize: 8, defaultColors: true) == 6)
        #expect(NcursesBackend.colorNumber(.gray, isForeground: true, paletteSize: 256, defaultColors: true) == 8)
        #expect(NcursesBackend.colorNumber(.gray, isForeground: true, paletteSize: 8, defaultColors: true) == 7)
    }
}
