import CNCurses
import Synchronization
import TerminalUI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether ncurses owns the terminal right now. Process-wide because ncurses has one
/// screen per process and the crash handlers must see it without an instance.
/// `restore()` and the crash handlers clear it with one atomic exchange, so `endwin()`
/// runs once however many of them get there.
private let screenActive = Atomic<Bool>(false)
/// Set once `installCrashHandlers()` has run, so a second call does not chain to itself.
private let crashHandlersInstalled = Atomic<Bool>(false)
/// The actions that were in place before `installCrashHandlers()`, indexed by signal
/// number. Allocated once, before any handler can run; the handlers only read it.
nonisolated(unsafe) private let previousActions: UnsafeMutablePointer<sigaction> = {
    let count = 128
    let pointer = UnsafeMutablePointer<sigaction>.allocate(capacity: count)
    pointer.initialize(repeating: sigaction(), count: count)
    return pointer
}()

/// The terminal through ncursesw: copies rendered `CellBuffer`s to the screen (ncurses
/// sends only what changed) and turns key presses into `TerminalEvent`s. Use it from
/// one thread; it is not `Sendable`. Only one may exist at a time (ncurses has one
/// screen per process).
public final class NcursesBackend: TerminalBackend {
    private let window: UnsafeMutablePointer<WINDOW>
    private let colorsEnabled: Bool
    /// Whether the terminal's own colours are available as colour -1 (`use_default_colors`).
    private let defaultColors: Bool
    private let attrBold: attr_t
    private let attrReverse: attr_t
    private let attrDim: attr_t
    /// Whether terminfo gives the terminal an alternate screen (`smcup` and `rmcup`),
    /// which `endwin()` leaves, bringing back what was there. Without one (vt100) the
    /// last frame would stay after the quit, so `restore()` clears the screen itself.
    private let hasAlternateScreen: Bool
    /// The last buffer copied to ncurses, to skip rows that did not change. Cleared
    /// whenever ncurses' idea of the screen may differ from it (resize, raw writes).
    private var lastDrawn: CellBuffer?
    private var lastScreenSize = (width: 0, height: 0)
    /// Scratch space for one cell's wide characters plus the terminating 0.
    private var scratch = [wchar_t](repeating: 0, count: Int(CCHARW_MAX) + 1)
    /// The rows whose last frame had cells written past ncurses (see `writeRawCells`):
    /// ncurses believes blanks are there, so when such a row changes it is redrawn whole.
    private var rowsWithRawCells: Set<Int> = []

    /// A grapheme cluster ncurses cannot hold in a cell: more than one spacing
    /// character (a ZWJ sequence 👨‍👩‍👧, a flag 🇯🇵, a skin tone 👍🏽). `setcchar` takes
    /// one spacing character and combining ones only, so ncurses gets blanks there and
    /// the cluster's bytes go to the terminal after the refresh.
    private struct RawCell {
        let y: Int
        let x: Int
        /// The columns the buffer gave it (as tmux draws it).
        let columns: Int
        /// The columns a terminal that does not join clusters (xterm) may draw it in.
        let widest: Int
        let text: String
        let style: Style
    }

    /// Why the screen cannot be drawn on the terminal `term` names (the value of `TERM`),
    /// or nil when it can: ncurses' `initscr` would print its own words and exit, and a
    /// terminal that cannot place the cursor (`dumb`) would show nothing.
    public static func terminalProblem(term: String?) -> String? {
        guard let term, !term.isEmpty else {
            return "TERM is not set, so the screen cannot be drawn; set it to your terminal's type (for example xterm-256color)"
        }
        var error: Int32 = 0
        switch mediaup_nc_probe_terminal(term, &error) {
        case 1: return nil
        case 0:
            return "TERM=\(term) cannot place the cursor, so the screen cannot be drawn; "
                + "use a terminal such as xterm-256color, or the commands for scripts (mediaup upload, sessions, check)"
        default:
            return error == -1
                ? "no terminfo database was found for TERM=\(term); install ncurses-base or set TERM to a known type"
                : "TERM=\(term) is not a terminal type terminfo knows; set TERM to your terminal's (for example xterm-256color)"
        }
    }

    /// Takes over the terminal: UTF-8 locale, `initscr`, cbreak, no echo, keypad keys,
    /// non-blocking reads, hidden cursor, 25 ms escape delay.
    ///
    /// - Parameter colors: use colours if the terminal has them; pass false when
    ///   `NO_COLOR` is set. Bold, reverse and dim are drawn either way.
    ///
    /// The locale comes from the environment (`setlocale(LC_ALL, "")`); if that is not
    /// UTF-8 (no `LANG` at all, say), `LC_CTYPE` is set to `C.UTF-8` so that wide
    /// characters still reach the screen.
    public init(colors: Bool) {
        setlocale(LC_ALL, "")
        if !Self.localeIsUTF8() { setlocale(LC_CTYPE, "C.UTF-8") }
        initscr()
        window = mediaup_nc_stdscr()
        screenActive.store(true, ordering: .sequentiallyConsistent)
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        nodelay(window, true)
        scrollok(window, false)
        // The cursor is hidden; each frame leaves it at the top-left (see `draw`), so
        // that after writing cells past ncurses it is put back where ncurses believes.
        leaveok(window, false)
        curs_set(0)
        set_escdelay(25)

        var enabled = false
        var defaults = false
        if colors && has_colors() {
            start_color()
            defaults = use_default_colors() != ERR
            enabled = true
            let palette = Int(mediaup_nc_colors())
            let pairs = Int(mediaup_nc_color_pairs())
            for foreground in Color.allCases {
                for background in Color.allCases {
                    let pair = Self.colorPair(foreground: foreground, background: background)
                    guard pair > 0, Int(pair) < pairs else { continue }
                    init_pair(
                        pair,
                        Self.colorNumber(foreground, isForeground: true, paletteSize: palette, defaultColors: defaults),
                        Self.colorNumber(background, isForeground: false, paletteSize: palette, defaultColors: defaults)
                    )
                }
            }
        }
        colorsEnabled = enabled
        defaultColors = defaults
        attrBold = mediaup_nc_attr_bold()
        attrReverse = mediaup_nc_attr_reverse()
        attrDim = mediaup_nc_attr_dim()
        hasAlternateScreen = Self.capability("smcup") != nil && Self.capability("rmcup") != nil
        lastScreenSize = size
    }

    deinit { restore() }

    // MARK: TerminalBackend

    /// Current size in columns and rows, as ncurses knows it (updated on `KEY_RESIZE`).
    public var size: (width: Int, height: Int) {
        (Int(mediaup_nc_width(window)), Int(mediaup_nc_height(window)))
    }

    /// Standard input. A resize does not make it readable: the loop wakes on SIGWINCH
    /// by other means, and `readEvents()` compares the terminal's size with ncurses'.
    public var inputDescriptor: Int32 { STDIN_FILENO }

    /// Copies `buffer` to ncurses' virtual screen and refreshes (`wnoutrefresh` +
    /// `doupdate`, so only the difference goes to the terminal). Rows equal to the
    /// previous frame's are skipped. A buffer larger than the screen is clipped; where
    /// it is smaller, the rest of the screen is cleared. Clusters ncurses cannot hold
    /// are then written to the terminal directly, each at its column (`writeRawCells`).
    /// Does nothing after `restore()`.
    public func draw(_ buffer: CellBuffer) {
        guard screenActive.load(ordering: .relaxed) else { return }
        let screen = size
        let previous =
            (lastDrawn?.width == buffer.width && lastDrawn?.height == buffer.height
                && lastScreenSize == screen) ? lastDrawn : nil
        let width = min(buffer.width, screen.width)
        let height = min(buffer.height, screen.height)
        for y in 0..<height {
            let start = y * buffer.width
            let row = buffer.cells[start..<start + buffer.width]
            if let previous, previous.cells[start..<start + buffer.width] == row { continue }
            // ncurses holds blanks where this row's clusters were: make it redraw the row.
            if rowsWithRawCells.contains(y) { wredrawln(window, Int32(y), 1) }
            drawRow(buffer, y: y, width: width, screenWidth: screen.width)
            if width < screen.width {
                wmove(window, Int32(y), Int32(width))
                wclrtoeol(window)
            }
        }
        if height < screen.height {
            wmove(window, Int32(height), 0)
            wclrtobot(window)
        }
        wmove(window, 0, 0)
        wnoutrefresh(window)
        doupdate()
        let raw = rawCells(buffer, width: width, height: height, screenWidth: screen.width)
        if !raw.isEmpty { writeRawCells(raw, buffer: buffer, width: width) }
        rowsWithRawCells = Set(raw.map(\.y))
        lastDrawn = buffer
        lastScreenSize = screen
    }

    /// Every event ready now: reads `wget_wch` in non-blocking mode until it has
    /// nothing. Never waits, except that a lone Esc is held for the 25 ms escape
    /// delay to tell it from the start of an arrow key's sequence.
    public func readEvents() -> [TerminalEvent] {
        guard screenActive.load(ordering: .relaxed) else { return [] }
        // SIGWINCH may land on any thread of the process, so ncurses may not have seen
        // it: compare with the terminal's real size, and let resizeterm queue KEY_RESIZE.
        var real = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &real) == 0, real.ws_col > 0, real.ws_row > 0,
            (Int(real.ws_col), Int(real.ws_row)) != size
        {
            resizeterm(Int32(real.ws_row), Int32(real.ws_col))
        }
        var events: [TerminalEvent] = []
        var value: wint_t = 0
        while true {
            let result = mediaup_nc_get_wch(window, &value)
            if result == ERR { break }
            let isKeyCode = result == KEY_CODE_YES
            if isKeyCode && Int32(bitPattern: value) == KEY_RESIZE {
                lastDrawn = nil
                let now = size
                events.append(.resize(width: now.width, height: now.height))
                continue
            }
            if let key = Self.key(forWideChar: UInt32(value), isKeyCode: isKeyCode) {
                events.append(.key(key))
            }
        }
        return events
    }

    /// Writes `bytes` straight to standard output (OSC 52 and the like), bypassing
    /// ncurses. Call it between frames: `draw` ends with `doupdate`, which flushes
    /// ncurses' own output, so nothing of ncurses' is pending and the bytes are not
    /// interleaved with a frame. The bytes must not move the cursor or change what is
    /// shown (OSC sequences do neither), so ncurses' idea of the screen stays true.
    public func writeRaw(_ bytes: String) {
        guard !bytes.isEmpty else { return }
        var utf8 = Array(bytes.utf8)
        utf8.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDOUT_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Gives the terminal back (`endwin()`: cursor shown, modes reset, alternate
    /// screen left). On a terminal without an alternate screen (vt100), where `endwin()`
    /// would leave the last frame, the screen is then cleared with the cursor at the
    /// top-left (terminfo's `clear`). Idempotent: an atomic exchange lets only the first
    /// caller (this or a crash handler) run `endwin()`. The crash handlers do not come
    /// here: they only run `endwin()`, which allocates nothing.
    public func restore() {
        guard screenActive.exchange(false, ordering: .sequentiallyConsistent) else { return }
        endwin()
        if !hasAlternateScreen, let clear = Self.capability("clear") {
            _ = mediaup_nc_tputs(clear, putchar)
            fflush(nil)
        }
    }

    /// Takes the terminal again after `restore()` (after a suspend with Ctrl-Z, say):
    /// the next `draw` repaints the whole screen. Does nothing if not restored.
    public func resume() {
        guard !screenActive.exchange(true, ordering: .sequentiallyConsistent) else { return }
        clearok(mediaup_nc_curscr(), true)
        wrefresh(window)
        lastDrawn = nil
    }

    // MARK: Crash signals

    /// Installs handlers for SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE and SIGTRAP (how
    /// Swift traps on arm64) that give the terminal back (`endwin()`, once) and then
    /// re-raise the signal with the action that was there before (the default, or the
    /// Swift runtime's backtracer, which then prints to a usable terminal). Safe to
    /// call more than once; SIGTERM and SIGHUP are left to the app.
    public static func installCrashHandlers() {
        guard !crashHandlersInstalled.exchange(true, ordering: .sequentiallyConsistent) else { return }
        _ = screenActive.load(ordering: .relaxed)  // initialise the globals before any signal
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGABRT, SIGFPE, SIGTRAP] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = crashHandler
            #else
            action.__sigaction_u.__sa_handler = crashHandler
            #endif
            sigemptyset(&action.sa_mask)
            // NODEFER: the re-raise inside the handler is delivered at once.
            action.sa_flags = Int32(SA_NODEFER)
            sigaction(signal, &action, previousActions + Int(signal))
        }
    }

    // MARK: Pure mappings (tested without a terminal)

    /// The key a `wget_wch` result stands for, or nil for what the app does not use.
    /// - Parameters:
    ///   - value: the wide character or key code `wget_wch` stored.
    ///   - isKeyCode: true when `wget_wch` returned `KEY_CODE_YES`.
    public static func key(forWideChar value: UInt32, isKeyCode: Bool) -> Key? {
        if isKeyCode {
            switch Int32(bitPattern: value) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_BTAB: return .backTab
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_ENTER: return .enter
            default: return nil
            }
        }
        switch value {
        case 13, 10: return .enter
        case 9: return .tab
        case 127, 8: return .backspace
        case 27: return .escape
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(value) + 96)))
        case 0..<32, 0x80..<0xA0: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// The colour pair for a combination: `foreground index * 8 + background index`,
    /// with `standard` as index 0, so standard on standard is pair 0 (ncurses' default
    /// pair) and the 64 combinations use pairs 0...63.
    public static func colorPair(foreground: Color, background: Color) -> Int16 {
        Int16(index(of: foreground) * Color.allCases.count + index(of: background))
    }

    /// The ncurses colour number for `color`: -1 (the terminal's own) for `standard`
    /// when `use_default_colors` worked, else white text on black; `gray` is bright
    /// black where the palette has 16 colours or more, else white.
    public static func colorNumber(_ color: Color, isForeground: Bool, paletteSize: Int, defaultColors: Bool) -> Int16 {
        switch color {
        case .standard: return defaultColors ? -1 : Int16(isForeground ? COLOR_WHITE : COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .gray: return paletteSize >= 16 ? 8 : Int16(COLOR_WHITE)
        }
    }

    // MARK: Private

    private static func index(of color: Color) -> Int {
        Color.allCases.firstIndex(of: color)!
    }

    /// The terminal's string capability `name` (terminfo), or nil when it has none.
    private static func capability(_ name: String) -> UnsafePointer<CChar>? {
        guard let value = mediaup_nc_string_capability(name), Int(bitPattern: value) != -1 else { return nil }
        return value
    }

    private static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).lowercased()
        return name == "utf-8" || name == "utf8"
    }

    /// Copies the first `width` cells of row `y`. A wide character is drawn once at its
    /// left cell; its continuations are skipped. One that the screen's edge would cut,
    /// or a continuation whose left half is missing, becomes blanks; so does a cluster
    /// ncurses cannot hold, which `writeRawCells` draws after the refresh.
    private func drawRow(_ buffer: CellBuffer, y: Int, width: Int, screenWidth: Int) {
        var x = 0
        while x < width {
            let cell = buffer[x, y]
            if cell.isContinuation {
                putBlank(y: y, x: x, style: cell.style)
                x += 1
                continue
            }
            let columns = Self.columns(buffer, x: x, y: y)
            if x + columns > screenWidth || Self.needsRawWrite(cell.text) {
                for column in x..<min(width, x + columns) { putBlank(y: y, x: column, style: cell.style) }
                x += columns
                continue
            }
            let drawnWidth = putText(cell.text, y: y, x: x, style: cell.style, columns: columns)
            for column in min(x + drawnWidth, x + columns)..<x + columns { putBlank(y: y, x: column, style: cell.style) }
            x += columns
        }
    }

    /// The columns of the cell at (`x`, `y`): 1 and its continuations.
    private static func columns(_ buffer: CellBuffer, x: Int, y: Int) -> Int {
        var columns = 1
        while x + columns < buffer.width && buffer[x + columns, y].isContinuation { columns += 1 }
        return columns
    }

    /// Whether `text` has a spacing character after its first (the C library's
    /// `wcwidth`, as ncurses counts): `setcchar` would refuse it.
    private static func needsRawWrite(_ text: String) -> Bool {
        text.unicodeScalars.dropFirst().contains { mediaup_nc_wcwidth(wchar_t(bitPattern: $0.value)) > 0 }
    }

    /// The clusters of the visible part of `buffer` that ncurses cannot hold, in
    /// reading order. Every frame, on rows that did not change too: ncurses may have
    /// drawn over them (a row it redrew whole).
    private func rawCells(_ buffer: CellBuffer, width: Int, height: Int, screenWidth: Int) -> [RawCell] {
        var found: [RawCell] = []
        for y in 0..<height {
            for x in 0..<width {
                let cell = buffer[x, y]
                // Most cells are one scalar: the cheap test first.
                guard !cell.isContinuation, !cell.text.unicodeScalars.dropFirst().isEmpty, Self.needsRawWrite(cell.text) else {
                    continue
                }
                let columns = Self.columns(buffer, x: x, y: y)
                guard x + columns <= screenWidth else { continue }
                let widest = cell.text.first.map(DisplayWidth.widest) ?? columns
                found.append(RawCell(y: y, x: x, columns: columns, widest: max(columns, widest), text: cell.text, style: cell.style))
            }
        }
        return found
    }

    /// Writes each cluster's bytes at its column, past ncurses, with the cell's colours
    /// and attributes (`vid_puts`, which keeps ncurses' idea of the terminal's current
    /// attributes true); then puts the terminal's attributes back to normal and the
    /// cursor at the top-left, where `draw` had ncurses leave it, so ncurses' next
    /// update starts from the truth. tmux 3.3 draws a ZWJ sequence in the columns of
    /// its first emoji, as the buffer counts; a terminal that draws each emoji of it
    /// (xterm) may cover the cells after it, so those are written again after it.
    private func writeRawCells(_ cells: [RawCell], buffer: CellBuffer, width: Int) {
        for cell in cells {
            moveCursor(y: cell.y, x: cell.x)
            setAttributes(cell.style)
            send(cell.text)
            guard cell.widest > cell.columns else { continue }
            moveCursor(y: cell.y, x: cell.x + cell.columns)
            var x = cell.x + cell.columns
            while x < min(width, cell.x + cell.widest) {
                let next = buffer[x, cell.y]
                let columns = next.isContinuation ? 1 : Self.columns(buffer, x: x, y: cell.y)
                guard x + columns <= width else { break }
                setAttributes(next.style)
                let plain = !next.isContinuation && !Self.needsRawWrite(next.text)
                send(plain ? next.text : String(repeating: " ", count: columns))
                x += columns
            }
        }
        _ = vid_puts(0, 0, nil, putchar)
        moveCursor(y: 0, x: 0)
        fflush(nil)
    }

    private func moveCursor(y: Int, x: Int) {
        guard let address = mediaup_nc_cursor_address(Int32(y), Int32(x)) else { return }
        _ = mediaup_nc_tputs(address, putchar)
    }

    private func setAttributes(_ style: Style) {
        let pair = colorsEnabled ? Self.colorPair(foreground: style.foreground, background: style.background) : 0
        _ = vid_puts(attributes(for: style), pair, nil, putchar)
    }

    private func send(_ text: String) {
        for byte in text.utf8 { _ = putchar(Int32(byte)) }
    }

    /// Draws `text` (one grapheme) at (`x`, `y`) and returns the columns ncurses gave it.
    /// Text ncurses would treat as a control, or that is wider than the `columns` the
    /// buffer reserved, is drawn as `?` so that the row's columns stay where the buffer
    /// put them. Clusters of more than one spacing character do not come here (see
    /// `writeRawCells`); should one, its first character stands for it, without a
    /// joiner (a dangling one would join whatever the terminal prints next). In a
    /// narrow cell the emoji variation selector is left out so terminals do not draw it
    /// two wide.
    private func putText(_ text: String, y: Int, x: Int, style: Style, columns: Int) -> Int {
        var count = 0
        var firstWidth: Int32 = 1
        for scalar in text.unicodeScalars {
            if count == scratch.count - 1 { break }
            if count > 0 && (scalar.value == 0x200D || (scalar.value == 0xFE0F && columns == 1)) { continue }
            let value = wchar_t(bitPattern: scalar.value)
            if count == 0 {
                firstWidth = mediaup_nc_wcwidth(value)
                if firstWidth == 0 {  // a lone combining mark: put it on a space
                    scratch[0] = 0x20
                    count = 1
                    firstWidth = 1
                } else if firstWidth < 0 || Int(firstWidth) > columns {
                    scratch[0] = 0x3F  // "?"
                    count = 1
                    firstWidth = 1
                    break
                }
            } else if mediaup_nc_wcwidth(value) != 0 {
                break  // a second spacing character (ZWJ sequence): the first stands for all
            }
            scratch[count] = value
            count += 1
        }
        if count == 0 {
            scratch[0] = 0x20
            count = 1
            firstWidth = 1
        }
        scratch[count] = 0
        let attrs = attributes(for: style)
        let pair = colorsEnabled ? Self.colorPair(foreground: style.foreground, background: style.background) : 0
        if mediaup_nc_put_cell(window, Int32(y), Int32(x), scratch, attrs, pair) == ERR && count > 1 {
            // setcchar refused the combination, or the bottom-right cell (written anyway).
            scratch[1] = 0
            _ = mediaup_nc_put_cell(window, Int32(y), Int32(x), scratch, attrs, pair)
        }
        return Int(firstWidth)
    }

    private func putBlank(y: Int, x: Int, style: Style) {
        _ = putText(" ", y: y, x: x, style: style, columns: 1)
    }

    private func attributes(for style: Style) -> attr_t {
        var attrs: attr_t = 0
        if style.bold { attrs |= attrBold }
        if style.reverse { attrs |= attrReverse }
        if style.dim { attrs |= attrDim }
        return attrs
    }
}

/// Gives the terminal back and re-raises with the previous action. Allocates nothing.
private func crashHandler(_ signal: Int32) {
    if screenActive.exchange(false, ordering: .sequentiallyConsistent) { endwin() }
    sigaction(signal, previousActions + Int(signal), nil)
    raise(signal)
}
