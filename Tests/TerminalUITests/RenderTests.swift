import Foundation
import Testing

@testable import TerminalUI
@testable import UploadCore

/// Compares every line of `state`'s screen with `expected` (one line per row, trailing
/// spaces dropped, as `CellBuffer.lines` gives them); on a mismatch prints the screen.
func expectScreen(_ state: AppState, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let actual = state.render().lines
    let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(actual.count == state.height, sourceLocation: sourceLocation)
    if actual != wanted {
        let rows = actual.enumerated().map { index, line in
            (index < wanted.count && wanted[index] == line ? "  " : "≠ ") + line
        }
        let report: String = "the screen differs:\n" + rows.joined(separator: "\n") + "\nexpected:\n" + expected
        Issue.record(Comment(rawValue: report), sourceLocation: sourceLocation)
    }
}

/// `Fixture.state` with every upload state in the Uploads pane, promo.mp4 moving at
/// 4.3 MB/s (measured over one second), and the focus there.
func uploadsState(width: Int, height: Int) -> AppState {
    var state = Fixture.state(width: width, height: height)
    _ = state.update(
        .loaded([
            Fixture.row("promo.mp4", state: .uploading, offset: 0, transferred: 4_930_000),
            Fixture.row("brochure.pdf", state: .paused, size: 92_274_688, offset: 19_398_656),
            Fixture.row("menu.png", state: .retrying, size: 2_202_009, offset: 600_000, retryIn: 3),
            Fixture.row("teaser.mp4", state: .stalled, size: 41_943_040, offset: 13_841_203, retryIn: 7),
            Fixture.row("logo.png", state: .done, size: 245_760, offset: 245_760, handle: "4::aW1hZ2UvcG5n:ARbXk2"),
            Fixture.row("huge.mp4", state: .failed, size: 2_254_857_830, error: "HTTP 400: file too large"),
            Fixture.row("old.pdf", state: .expired, size: 1000),
            Fixture.row("edit.mp4", state: .fileChanged, size: 1000),
            Fixture.row("next.mp4", state: .queued, size: 1000),
        ]))
    _ = state.update(.tick(now: 1, date: Date(timeIntervalSince1970: 1000)))
    _ = state.update(.uploader(.updated(Fixture.row("promo.mp4", state: .uploading, offset: 0, transferred: 9_230_000))))
    state.switchFocus(to: .uploads)
    return state
}

@Suite("Rendering into a cell buffer: whole screens")
struct RenderTests {
    @Test("at start, before the folder is read")
    func emptyStart() {
        var state = AppState(
            directory: "/home/someone/media", hostLabel: "https://waba-v2.360dialog.io", isSandbox: false, homeDirectory: "/home/someone")
        _ = state.update(.resize(width: 80, height: 24))
        expectScreen(
            state,
            """
             mediaup · https://waba-v2.360dialog.io · mode: resumable            no uploads
            ┌ Files ~/media ─────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ no uploads yet                             │
            │ reading…                       ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             /home/someone
             Tab pane · Enter open/queue · Space mark · u upload · ? help · q quit
            """)
    }

    @Test("a folder listed with verdicts and a mark, at 80×24")
    func listed() {
        var state = Fixture.state(width: 80, height: 24)
        state.selectEntry("promo.mp4")
        _ = state.update(.key(.character(" ")))
        expectScreen(
            state,
            """
             mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable           no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ no uploads yet                             │
            │ ▸ clips/                       ││                                            │
            │   brochure.pdf        88.0 MB ✓││                                            │
            │ * promo.mp4           14.2 MB ✓││                                            │
            │   teaser.mov           120 MB ✗││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             teaser.mov · 120 MB · ✗ WhatsApp does not take video/quicktime files · 1 mark…
             Tab pane · Enter open/queue · Space mark · u upload · ? help · q quit
            """)
    }

    @Test("a narrow terminal drops the type column but keeps the verdict")
    func listedNarrow() {
        var state = Fixture.state(width: 60, height: 12)
        state.selectEntry("promo.mp4")
        _ = state.update(.key(.character(" ")))
        expectScreen(
            state,
            """
             mediaup · SANDBOX 127.0.0.1:8360 · resumable    no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────┐
            │ ..                             ││ no uploads yet         │
            │ ▸ clips/                       ││                        │
            │   brochure.pdf        88.0 MB ✓││                        │
            │ * promo.mp4           14.2 MB ✓││                        │
            │   teaser.mov           120 MB ✗││                        │
            │                                ││                        │
            │                                ││                        │
            └────────────────────────────────┘└────────────────────────┘
             teaser.mov · 120 MB · ✗ WhatsApp does not take video/quic…
             Tab pane · Space mark · u upload · ? help · q quit
            """)
    }

    @Test("every upload state has its own words, at 140×16")
    func rowStatesWide() {
        expectScreen(
            uploadsState(width: 140, height: 16),
            """
             mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable                   3 uploading 4.1 MB/s · 1 queued · 1 paused · 3 failed · 1 done
            ┌ Files /data ───────────────────────────────┐┌ Uploads ───────────────────────────────────────────────────────────────────────────────────┐
            │ ..                                         ││ ▶ promo.mp4     14.2 MB █████████░░░░░░░  61%  4.1 MB/s  0:01 left                         │
            │ ▸ clips/                                   ││ ‖ brochure.pdf  88.0 MB ███░░░░░░░░░░░░░  21%  paused at 18.5 MB                           │
            │   brochure.pdf        88.0 MB image/png   ✓││ ⟳ menu.png       2.1 MB ████░░░░░░░░░░░░  27%  retry 2/5 in 3s                             │
            │   promo.mp4           14.2 MB image/png   ✓││ ⚠ teaser.mp4    40.0 MB █████░░░░░░░░░░░  32%  stalled — retry 2/5 in 7s                   │
            │   teaser.mov           120 MB video/quic… ✗││ ✔ logo.png       240 KB ████████████████ 100%  h 4::aW1hZ2UvcG5n:ARbXk2                    │
            │                                            ││ ✖ huge.mp4       2.1 GB ░░░░░░░░░░░░░░░░   0%  failed: HTTP 400: file too large            │
            │                                            ││ ✖ old.pdf        1000 B ░░░░░░░░░░░░░░░░   0%  expired — R starts a new session            │
            │                                            ││ ✖ edit.mp4       1000 B ░░░░░░░░░░░░░░░░   0%  file changed — R sends it again             │
            │                                            ││ · next.mp4       1000 B ░░░░░░░░░░░░░░░░   0%  queued                                      │
            │                                            ││                                                                                            │
            │                                            ││                                                                                            │
            └────────────────────────────────────────────┘└────────────────────────────────────────────────────────────────────────────────────────────┘
             promo.mp4 · uploading · upload:MTphdHRh · server offset 0 B
             Tab pane · m mode · p pause · r resume · R retry · P/A all · x cancel · c copy · Enter details · ? help · q quit
            """)
    }

    @Test("upload rows at 80×24")
    func rowStates() {
        expectScreen(
            uploadsState(width: 80, height: 24),
            """
             mediaup · SANDBOX 127.0.0.1:8360 · mode: resumable     ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ ▶ promo.mp4     61%  4.1 MB/s  0:01 left   │
            │ ▸ clips/                       ││ ‖ brochure.pdf  21%  paused at 18.5 MB     │
            │   brochure.pdf        88.0 MB ✓││ ⟳ menu.png      27%  retry 2/5 in 3s       │
            │   promo.mp4           14.2 MB ✓││ ⚠ teaser.mp4    32%  stalled — retry 2/5 … │
            │   teaser.mov           120 MB ✗││ ✔ logo.png     100%  h 4::aW1hZ2UvcG5n:AR… │
            │                                ││ ✖ huge.mp4       0%  failed: HTTP 400: fi… │
            │                                ││ ✖ old.pdf        0%  expired — R starts a… │
            │                                ││ ✖ edit.mp4       0%  file changed — R sen… │
            │                                ││ · next.mp4       0%  queued                │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             promo.mp4 · uploading · upload:MTphdHRh · server offset 0 B
             Tab pane · p pause · r resume · R retry · Enter details · ? help · q quit
            """)
    }

    @Test("upload rows at 60×12")
    func rowStatesNarrow() {
        expectScreen(
            uploadsState(width: 60, height: 12),
            """
             mediaup · SANDBOX · resumable      ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────┐
            │ ..                             ││ ▶ promo.mp4  4.1 MB/s… │
            │ ▸ clips/                       ││ ‖ bro…re.pdf paused a… │
            │   brochure.pdf        88.0 MB ✓││ ⟳ menu.png   retry 2/… │
            │   promo.mp4           14.2 MB ✓││ ⚠ teaser.mp4 stalled … │
            │   teaser.mov           120 MB ✗││ ✔ logo.png   h 4::aW1… │
            │                                ││ ✖ huge.mp4   failed: … │
            │                                ││ ✖ old.pdf    expired … │
            └────────────────────────────────┘└─── ↓ 2 more · 1 queued ┘
             promo.mp4 · uploading · upload:MTphdHRh · server offset 0…
             Tab pane · p pause · r resume · R retry · ? help · q quit
            """)
    }

    @Test("the help overlay lists the Files pane's keys")
    func help() {
        var state = Fixture.state(width: 80, height: 24)
        _ = state.update(.key(.character("?")))
        expectScreen(
            state,
            """
             mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable           no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ┌ Keys ───────────────────────────────────────────────────────────────────┐  │
            │ │ Tab, Shift-Tab    switch pane                                           │  │
            │ │ ↑, k / ↓, j / PgUp / PgDn / Home, g / End, G   move                     │  │
            │ │ Enter             open a folder; on a file: queue it                    │  │
            │ │ →, l              open a folder                                         │  │
            │ │ Backspace, ←, h   parent folder                                         │  │
            │ │ Space             mark / unmark a file                                  │  │
            │ │ a                 mark / unmark every file shown                        │  │
            │ │ u                 upload the marked files (or the one under the cursor) │  │
            │ │ m                 mode: resumable session (handle) ↔ /media (media id)  │  │
            │ │ i                 details: what is inside, what is wrong, the fix       │  │
            │ │ f                 fix: convert with ffmpeg into NAME.whatsapp.EXT       │  │
            │ │ /                 filter names                                          │  │
            │ │ Esc               clear the filter                                      │  │
            │ │ .                 show / hide hidden files                              │  │
            │ │ s                 sort by name, size, time                              │  │
            │ │ Ctrl-R            read the folder again                                 │  │
            │ │ ?                 this help                                             │  │
            │ │ q                 quit (running uploads are paused, resumable)          │  │
            └─└─────────────────────────────────────────────────────────────────────────┘──┘
             /
             Esc close
            """)
    }

    @Test("the help overlay lists the Uploads pane's keys")
    func helpUploads() {
        var state = uploadsState(width: 80, height: 24)
        _ = state.update(.key(.character("?")))
        expectScreen(
            state,
            """
             mediaup · SANDBOX 127.0.0.1:8360 · mode: resumable     ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ┌ Keys ────────────────────────────────────────────────────────────────────┐ │
            │ │ Tab, Shift-Tab    switch pane                                            │ │
            │ │ ↑, k / ↓, j / PgUp / PgDn / Home, g / End, G   move                      │ │
            │ │ m                 mode: resumable session (handle) ↔ /media (media id)   │ │
            │ │ p                 pause the selected upload                              │ │
            │ │ r                 resume the selected upload                             │ │
            │ │ R                 retry a failed, expired or stalled upload              │ │
            │ │ P                 pause all                                              │ │
            │ │ A                 resume all                                             │ │
            │ │ x, Delete         cancel and forget the selected upload                  │ │
            │ │ C                 forget every done upload                               │ │
            │ │ c                 copy the handle or media id                            │ │
            │ │ t                 copy the handle as a template's header example         │ │
            │ │ i                 what the server holds under the media id               │ │
            │ │ D                 delete a media id on the server (asks first)           │ │
            │ │ e                 export the finished uploads (CSV) into the open folder │ │
            │ │ Enter             details                                                │ │
            │ │ ?                 this help                                              │ │
            │ │ q                 quit (running uploads are paused, resumable)           │ │
            └─└──────────────────────────────────────────────────────────────────────────┘─┘
             promo.mp4 · uploading · upload:MTphdHRh · server offset 0 B
             Esc close
            """)
    }

    @Test("the details overlay shows the row in full, its session's signature left out")
    func details() {
        var state = uploadsState(width: 80, height: 24)
        for _ in 0..<4 { _ = state.update(.key(.down)) }
        _ = state.update(.key(.enter))
        #expect(state.overlay == .details(id: "logo.png"))
        expectScreen(
            state,
            """
             mediaup · SANDBOX 127.0.0.1:8360 · mode: resumable     ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ ▶ promo.mp4     61%  4.1 MB/s  0:01 left   │
            │ ▸ clips/                       ││ ‖ brochure.pdf  21%  paused at 18.5 MB     │
            │   brochure.pdf        88.0 MB ✓││ ⟳ menu.png      27%  retry 2/5 in 3s       │
            │   promo.mp4           14.2 MB ✓││ ⚠ teaser.mp4    32%  stalled — retry 2/5 … │
            │   teaser.mov           120 MB ✗││ ✔ logo.png     100%  h 4::aW1hZ2UvcG5n:AR… │
            │    ┌ Details ───────────────────────────────────────────────────────────┐fi… │
            │    │ file      /data/logo.png                                           │ a… │
            │    │ size      240 KB (245760 bytes) · video/mp4                        │en… │
            │    │ mode      resumable session → handle                               │    │
            │    │ state     done                                                     │    │
            │    │ id        logo.png                                                 │    │
            │    │ handle    4::aW1hZ2UvcG5n:ARbXk2                                   │    │
            │    │ template  "example": {"header_handle": ["4::aW1hZ2UvcG5n:ARbXk2"]} │    │
            │    └────────────────────────────────────────────────────────────────────┘    │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             logo.png · done · h 4::aW1hZ2UvcG5n:ARbXk2
             Esc close
            """)
        #expect(!state.render().lines.joined().contains("sig=x"), "the signature stays out of the screen")
    }

    @Test("quit with uploads running asks first")
    func confirmQuit() {
        var state = uploadsState(width: 80, height: 24)
        _ = state.update(.key(.character("q")))
        expectScreen(
            state,
            """
             mediaup · SANDBOX 127.0.0.1:8360 · mode: resumable     ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ ▶ promo.mp4     61%  4.1 MB/s  0:01 left   │
            │ ▸ clips/                       ││ ‖ brochure.pdf  21%  paused at 18.5 MB     │
            │   brochure.pdf        88.0 MB ✓││ ⟳ menu.png      27%  retry 2/5 in 3s       │
            │   promo.mp4           14.2 MB ✓││ ⚠ teaser.mp4    32%  stalled — retry 2/5 … │
            │   teaser.mov           120 MB ✗││ ✔ logo.png     100%  h 4::aW1hZ2UvcG5n:AR… │
            │                                ││ ✖ huge.mp4       0%  failed: HTTP 400: fi… │
            │                                ││ ✖ old.pdf        0%  expired — R starts a… │
            │            ┌ Quit? ────────────────────────────────────────────┐ged — R sen… │
            │            │ 3 uploading, 1 queued.                            │             │
            │            │ They will be paused; the next start resumes them. │             │
            │            │                                                   │             │
            │            │ y / Enter: pause and quit    any other key: stay  │             │
            │            └───────────────────────────────────────────────────┘             │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             promo.mp4 · uploading · upload:MTphdHRh · server offset 0 B
             Esc close
            """)
    }

    @Test("too small a terminal shows a notice instead of the panes")
    func tooSmall() {
        expectScreen(
            Fixture.state(width: 40, height: 8),
            """



              terminal too small: 40×8, need 60×10
               make it larger, or press q to quit



            """)
    }

    @Test("typing a filter shows it on the details line and its keys on the key line")
    func filtering() {
        var state = Fixture.state(width: 60, height: 12)
        for key in [Key.character("/"), .character("p"), .character("r")] { _ = state.update(.key(key)) }
        expectScreen(
            state,
            """
             mediaup · SANDBOX 127.0.0.1:8360 · resumable    no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────┐
            │ ..                             ││ no uploads yet         │
            │   promo.mp4           14.2 MB ✓││                        │
            │                                ││                        │
            │                                ││                        │
            │                                ││                        │
            │                                ││                        │
            │                                ││                        │
            └────────────────────────────────┘└────────────────────────┘
             filter: pr▏
             type to filter · Enter keep · Esc clear
            """)
    }

    @Test("a wide-character name keeps the columns after it aligned")
    func wideCharacters() {
        var state = Fixture.state()
        _ = state.update(
            .listed(DirectoryListing(path: "/data", entries: [Fixture.entry("日本語の動画.mp4", size: 1000), Fixture.entry("plain-name.mp4", size: 1000)])))
        let buffer = state.render()
        let wide = buffer.lines.firstIndex { $0.contains("日本語") }!
        let plain = buffer.lines.firstIndex { $0.contains("plain-name") }!
        // Same column for the size and the verdict in both rows, counted in cells.
        func column(of text: String, row: Int) -> Int? {
            var x = 0
            while x < buffer.width {
                if buffer.line(row).isEmpty { return nil }
                let cells = (x..<min(buffer.width, x + text.count)).map { buffer[$0, row] }.filter { !$0.isContinuation }.map(\.text).joined()
                if cells == text { return x }
                x += 1
            }
            return nil
        }
        #expect(column(of: "1000 B", row: wide) != nil)
        #expect(column(of: "1000 B", row: wide) == column(of: "1000 B", row: plain))
        #expect(column(of: "✓", row: wide) == column(of: "✓", row: plain))
        #expect(buffer.lines.allSatisfy { DisplayWidth.of($0) <= 140 })
    }

    @Test("a grapheme cluster takes one cell group as wide as tmux draws it, and the columns after it stay there")
    func graphemeClustersTakeTmuxColumns() {
        // Columns measured in tmux 3.3a: each cluster printed raw, then a marker at an
        // absolute column; the blanks between them give the cluster's width.
        let measured: [(String, Int)] = [
            ("\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", 2), ("\u{1F1EF}\u{1F1F5}", 2), ("\u{1F44D}\u{1F3FD}", 4),
            ("1\u{FE0F}\u{20E3}", 1), ("\u{2764}\u{FE0F}", 1), ("\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}", 1), ("\u{1F468}", 2),
            ("\u{65E5}", 2), ("e\u{301}", 1),
        ]
        var buffer = CellBuffer(width: 8, height: measured.count)
        for (row, (cluster, width)) in measured.enumerated() {
            #expect(buffer.write("a" + cluster + "|", x: 0, y: row) == width + 2, "\(cluster.unicodeScalars.map { String($0.value, radix: 16) })")
            // The whole cluster in one cell, continuations after it, the marker where tmux puts it.
            #expect(buffer[1, row].text == cluster)
            #expect((2..<1 + width).allSatisfy { buffer[$0, row].isContinuation })
            #expect(buffer[1 + width, row].text == "|")
        }
        #expect(buffer.lines[0] == "a\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}|")
    }

    @Test("the details line explains a refused file")
    func refusedFileDetails() {
        var state = Fixture.state()
        state.selectEntry("teaser.mov")
        #expect(state.render().lines[14].contains("✗ WhatsApp does not take video/quicktime files"))
    }
}

@Suite("Overlay fit")
struct OverlayFitTests {
    @Test("the help box fits in a 22-row terminal with its border")
    func helpFits() throws {
        var state = Fixture.state(width: 140, height: 22)
        _ = state.update(.key(.character("?")))
        let lines = state.render().lines
        // The box's bottom corner under its top one, above the key line.
        let top = try #require(lines.firstIndex { $0.contains("┌ Keys ") })
        let column = try #require(lines[top].firstIndex(of: "┌")).utf16Offset(in: lines[top])
        let bottom = lines.indices.first { $0 > top && lines[$0].utf16.count > column + 1 && Array(lines[$0].utf16)[column] == "└".utf16.first! }
        #expect(bottom != nil && bottom! < lines.count - 2, "the help box has no bottom border on screen")
        #expect(lines.contains { $0.contains("q  ") && $0.contains("quit (running uploads are paused") })
    }
}

@Suite("Text from outside on the screen")
struct ScreenTextTests {
    @Test("a control or bidirectional character in a name shows as an escape, not as what it does, and is not dropped")
    func controlsShowAsEscapes() {
        var buffer = CellBuffer(width: 40, height: 1)
        buffer.write("a\u{202E}gnp.exe\n\u{1B}[2J", x: 0, y: 0)
        #expect(buffer.lines == [#"a\u{202E}gnp.exe\n\x1b[2J"#])
    }

    @Test("a name with control characters is cut by the width of its escapes: the row stays inside its pane")
    func escapedNamesAreCutByWhatIsDrawn() {
        var listing = Fixture.listing
        let name = "long\u{1B}\u{1B}\u{1B}\u{1B}name.png"
        listing.append(FileEntry(name: name, path: "/data/" + name, isDirectory: false, size: 114))
        var state = Fixture.state(width: 100, height: 12)
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: listing)))
        let row = state.render().lines.first { $0.contains("long") }!
        #expect(row.hasPrefix(#"│   long\x1…1bname.png    114 B"#), "\(row)")
        #expect(Array(row)[33] == "│", "the Files pane's border: \(row)")
        #expect(row.contains("114 B"))
    }
}
