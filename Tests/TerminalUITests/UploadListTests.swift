import Foundation
import Testing

@testable import TerminalUI
@testable import UploadCore

/// The Uploads pane as a list: its order, where the cursor goes, what the borders and the
/// header say about rows out of view, and the words a row's details use.
@Suite("The Uploads list")
struct UploadListTests {
    @Test("rows stand in the journal's order whatever order their events come in; a row put above the cursor takes the cursor with it")
    func journalOrder() {
        var state = Fixture.state()
        let rows = (0..<6).map { Fixture.row("r\($0).mp4", state: .queued) }
        // Events of another process's rows, or of a restart, come in any order.
        for index in [3, 0, 5, 1] { _ = state.update(.uploader(.updated(rows[index]))) }
        #expect(state.uploads.map(\.id) == ["r0.mp4", "r1.mp4", "r3.mp4", "r5.mp4"])
        state.switchFocus(to: .uploads)
        _ = state.update(.key(.end))
        #expect(state.selectedUpload?.id == "r5.mp4")
        _ = state.update(.uploader(.updated(rows[2])))
        _ = state.update(.uploader(.updated(rows[4])))
        #expect(state.uploads.map(\.id) == (0..<6).map { "r\($0).mp4" })
        #expect(state.selectedUpload?.id == "r5.mp4", "the cursor stays on its row")
        // Updates keep a row where it stands, even one that says it was made later.
        var later = rows[0]
        later.session.createdAt = Date(timeIntervalSince1970: 9_999)
        later.session.state = .uploading
        _ = state.update(.uploader(.updated(later)))
        #expect(state.uploads.first?.id == "r0.mp4" && state.uploads.first?.session.state == .uploading)
        #expect(state.uploads.count == 6)
    }

    @Test("after u the cursor goes to the first queued file's row when the uploader shows it, so it is in view")
    func cursorFollowsWhatWasQueued() {
        var state = Fixture.state(width: 100, height: 12)
        _ = state.update(.loaded((0..<30).map { Fixture.row("old\($0).mp4", state: .done, handle: "4::x:AR\($0)") }))
        state.selectEntry("promo.mp4")
        _ = state.update(.key(.character("u")))
        #expect(state.focus == .uploads)
        var queued = Fixture.row("promo.mp4", state: .queued)
        queued.session.path = "/data/promo.mp4"
        _ = state.update(.uploader(.updated(queued)))
        #expect(state.selectedUpload?.id == "promo.mp4")
        let screen = state.render().lines
        #expect(screen.contains { $0.contains("· promo.mp4") }, "its row is on screen")
        #expect(screen.contains { $0.contains("↑ 24 more") }, "the border says how many rows are above")
        // Later events do not pull the cursor back once the user moves it.
        _ = state.update(.key(.home))
        queued.session.state = .uploading
        _ = state.update(.uploader(.updated(queued)))
        #expect(state.uploadCursor == 0)
    }

    @Test("a list longer than its pane says on its borders how many rows are above and below, and what moves below")
    func moreMarks() {
        var state = Fixture.state(width: 100, height: 12)
        let rows =
            (0..<10).map { Fixture.row("done\($0).mp4", state: .done, handle: "4::x:AR\($0)") }
            + [Fixture.row("up.mp4", state: .uploading), Fixture.row("wait1.mp4", state: .queued), Fixture.row("wait2.mp4", state: .queued)]
        _ = state.update(.loaded(rows))
        state.switchFocus(to: .uploads)
        var screen = state.render().lines
        #expect(screen[9] == "└────────────────────────────────┘└───────────────────────────── ↓ 6 more · 1 uploading · 2 queued ┘")
        _ = state.update(.key(.end))
        screen = state.render().lines
        #expect(screen[1] == "┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────────────── ↑ 6 more ┐")
        #expect(screen[9].hasSuffix("────┘"), "nothing below: \(screen[9])")
        // The Files pane too, in a folder longer than the screen.
        var files = Fixture.state(width: 100, height: 12)
        _ = files.update(.listed(DirectoryListing(path: "/data", entries: (0..<20).map { Fixture.entry("f\($0).png", size: 10) })))
        #expect(files.render().lines[9].hasPrefix("└───────────────────── ↓ 14 more ┘"))
    }

    @Test("the header counts uploading, queued, paused, failed and done apart; the host gives way before the counts")
    func headerCounts() {
        var state = uploadsState(width: 140, height: 16)
        #expect(
            state.render().lines[0]
                == " mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable                   3 uploading 4.1 MB/s · 1 queued · 1 paused · 3 failed · 1 done"
        )
        _ = state.update(.resize(width: 100, height: 16))
        #expect(state.render().lines[0] == " mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable                  ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s")
        _ = state.update(.resize(width: 60, height: 16))
        #expect(state.render().lines[0] == " mediaup · SANDBOX · resumable      ▶3 ·1 ‖1 ✖3 ✔1 4.1 MB/s")
        // A long real host is cut, the counts stay whole.
        var real = AppState(
            directory: "/data", hostLabel: "https://waba-v2.360dialog.io.example-long-gateway.internal", isSandbox: false,
            homeDirectory: "/home/someone")
        _ = real.update(.resize(width: 120, height: 16))
        _ = real.update(.loaded([Fixture.row("a.mp4", state: .queued), Fixture.row("b.mp4", state: .paused)]))
        #expect(
            real.render().lines[0]
                == " mediaup · https://waba-v2.360dialog.io.example-long-gateway.internal · mode: resumable             1 queued · 1 paused")
        _ = real.update(.resize(width: 80, height: 16))
        #expect(real.render().lines[0] == " mediaup · waba-v2.360dialog.io.example… · mode: resumable  1 queued · 1 paused")
    }

    @Test("a row's details use words for people and only what applies to its route")
    func detailWords() {
        var media = Fixture.row("clip.mp4", state: .queued)
        media.session.route = .media
        media.session.remoteID = nil
        let mediaLines = AppState.detailLines(media, now: Date(timeIntervalSince1970: 1000))
        #expect(!mediaLines.contains { $0.hasPrefix("session") || $0.hasPrefix("offset") }, "a /media upload has no server session: \(mediaLines)")
        #expect(mediaLines.contains("state     queued"))

        var fresh = Fixture.row("new.mp4", state: .queued)
        fresh.session.remoteID = nil
        let freshLines = AppState.detailLines(fresh, now: Date(timeIntervalSince1970: 1000))
        #expect(freshLines.contains("session   none yet: made when the upload starts"))
        #expect(!freshLines.contains { $0.hasPrefix("offset") }, "no offset is confirmed before a session exists")

        var resumed = Fixture.row("resumed.mp4", state: .paused, offset: 1000)
        resumed.session.attempts = 2
        resumed.session.pausedBy = .user
        let resumedLines = AppState.detailLines(resumed, now: Date(timeIntervalSince1970: 1000))
        #expect(!resumedLines.contains { $0.hasPrefix("attempts") }, "a pause and resume is no failed attempt")
        #expect(resumedLines.contains("state     paused by you"))

        let changed = AppState.detailLines(Fixture.row("edit.mp4", state: .fileChanged), now: Date(timeIntervalSince1970: 1000))
        #expect(changed.contains("state     the file changed on disk"))
        #expect(!changed.contains { $0.contains("fileChanged") })
        let failed = AppState.detailLines(Fixture.row("bad.mp4", state: .failed, error: "HTTP 500"), now: Date(timeIntervalSince1970: 1000))
        #expect(failed.contains("attempts  0") && failed.contains("error     HTTP 500"))
    }

    @Test("a retrying row says why before it counts, so a narrow column keeps the cause")
    func causeFirst() {
        var row = Fixture.row("menu.png", state: .retrying, retryIn: 3)
        row.retryNote = "HTTP 503"
        #expect(UploadText.words(for: row, bytesPerSecond: 0, date: Date(timeIntervalSince1970: 1000)) == "HTTP 503 — retry 2/5 in 3s")
        var failing = Fixture.row("menu.png", state: .retrying, error: "connection lost: Recv failure: Connection reset by peer", retryIn: 3)
        #expect(UploadText.words(for: failing, bytesPerSecond: 0, date: Date(timeIntervalSince1970: 1000)) == "connection lost — retry 2/5 in 3s")
        failing.session.lastError = "HTTP 503 (trace id abc): upstream busy"
        #expect(UploadText.words(for: failing, bytesPerSecond: 0, date: Date(timeIntervalSince1970: 1000)) == "HTTP 503 — retry 2/5 in 3s")
        var state = Fixture.state(width: 80, height: 12)
        _ = state.update(.loaded([row]))
        #expect(state.render().lines[2].hasSuffix("⟳ menu.png  14.2 MB   0%  HTTP 503 — retr… │"))
    }

    @Test("x on a done row asks to forget it and names the handle that goes with it; a done row reads 100% whoever sent it")
    func forgetDone() {
        var state = Fixture.state(width: 120, height: 16)
        _ = state.update(.loaded([Fixture.row("logo.png", state: .done, offset: 0, handle: "4::aW1h:ARbX")]))
        state.switchFocus(to: .uploads)
        _ = state.update(.key(.character("x")))
        let lines = state.render().lines
        #expect(lines.contains { $0.contains("┌ Forget? ") })
        #expect(lines.contains { $0.contains("Forget logo.png and its handle 4::aW1h:ARbX?") })
        #expect(lines.contains { $0.contains("The server keeps what was uploaded.") })
        #expect(lines.contains { $0.contains("✔ logo.png") && $0.contains("100%") }, "no bytes went through this process, yet it is done")
    }

    @Test("the bottom border counts the rows below that another process has")
    func elsewhereBelow() {
        var state = Fixture.state(width: 100, height: 12)
        var rows = (0..<8).map { Fixture.row("d\($0).mp4", state: .done, handle: "4::x:AR\($0)") }
        for index in 0..<3 {
            var row = Fixture.row("e\(index).mp4", state: .uploading)
            row.activeElsewhere = true
            rows.append(row)
        }
        _ = state.update(.loaded(rows))
        #expect(state.render().lines[9].hasSuffix(" ↓ 4 more · 3 elsewhere ┘"), "\(state.render().lines[9])")
    }

    @Test("in a narrow pane the bottom border counts what moves below with the rows' icons")
    func narrowMoreMarks() {
        var state = Fixture.state(width: 60, height: 12)
        let rows =
            (0..<10).map { Fixture.row("d\($0).mp4", state: .done, handle: "4::x:AR\($0)") }
            + (0..<3).map { Fixture.row("u\($0).mp4", state: .uploading) }
            + (0..<14).map { Fixture.row("q\($0).mp4", state: .queued) }
        _ = state.update(.loaded(rows))
        #expect(state.render().lines[9].hasSuffix("┘└──── ↓ 20 more · ▶3 ·14 ┘"), "\(state.render().lines[9])")
    }

    @Test("an overlay in a 60×10 terminal cuts long lines with an ellipsis and leaves no stray ends of the details line")
    func smallOverlay() {
        var state = uploadsState(width: 60, height: 10)
        _ = state.update(.key(.character("?")))
        let lines = state.render().lines
        #expect(lines[4] == "│ │ m                 mode: resumable session (handle) … │ │")
        #expect(lines[7] == "└─│ R                 retry a failed, expired or stalle… │ ┘")
        #expect(lines[8] == "  └────────────────────────────── ↓ more: ↑ ↓ PgUp PgDn ─┘")
        #expect(!lines[8].contains("promo"), "the details line is cleared under the box: \(lines[8])")
    }

    @Test("the quit question counts uploading and queued rows apart")
    func quitCounts() {
        var state = uploadsState(width: 100, height: 24)
        _ = state.update(.key(.character("q")))
        #expect(state.render().lines.contains { $0.contains("3 uploading, 1 queued.") })
    }
}

@Suite("Every size")
struct EverySizeTests {
    /// Rows in every state with names long, wide, and holding control characters, in a
    /// folder of such names: what pushes hardest against the borders.
    private func crowdedState() -> AppState {
        var state = uploadsState(width: 80, height: 24)
        let names = [
            "a-very-long-campaign-video-name-for-the-spring-launch-final-v2.mp4", "宣传视频_最终版_第二版_高清.mp4",
            "new\nline\u{202E}gnp.exe.pdf", "family 👨‍👩‍👧 flag 🇯🇵.pdf",
        ]
        var rows: [UploadSnapshot] = []
        for (index, name) in names.enumerated() {
            var row = Fixture.row(name, state: [.uploading, .failed, .retrying, .done][index], transferred: 7_000_000)
            row.session.lastError = "gave up after 5 retries: connection lost: Recv failure: Connection reset by peer"
            row.retryNote = "HTTP 503"
            row.session.handle = index == 3 ? "4::aW1hZ2UvcG5n:ARbXk2xVeryLongHandleThatGoesOnAndOnPastAnyBorder" : nil
            rows.append(row)
        }
        _ = state.update(.loaded(rows + (0..<40).map { Fixture.row("filler-\($0).mp4", state: .queued) }))
        _ = state.update(
            .listed(
                DirectoryListing(
                    path: "/data", entries: names.map { Fixture.entry($0, size: 5_009) } + (0..<60).map { Fixture.entry("f\($0).png", size: 10) })))
        return state
    }

    @Test("nothing draws over a pane's border at any size from 60×10 to 300×100, either pane focused, scrolled or not")
    func bordersHold() {
        var state = crowdedState()
        let widths = [60, 61, 62, 63, 64, 66, 69, 70, 71, 75, 80, 89, 95, 99, 100, 101, 110, 120, 132, 160, 200, 251, 300]
        let heights = [10, 11, 12, 13, 16, 24, 41, 60, 100]
        var checked = 0
        for width in widths {
            for height in heights {
                _ = state.update(.resize(width: width, height: height))
                for focus in [Pane.files, .uploads] {
                    state.switchFocus(to: focus)
                    for cursorAtEnd in [false, true] {
                        _ = state.update(.key(cursorAtEnd ? .end : .home))
                        let screen = state.render()
                        let filesWidth = max(34, width / 3)
                        for (left, right, pane) in [(0, filesWidth - 1, Pane.files), (filesWidth, width - 1, .uploads)] {
                            let style = AppState.borderStyle(focused: focus == pane)
                            let top = 1, bottom = height - 3
                            let place = "\(width)×\(height), \(focus) focused, pane \(pane)"
                            #expect(screen[left, top].text == "┌" && screen[right, top].text == "┐", "\(place)")
                            #expect(screen[left, bottom].text == "└" && screen[right, bottom].text == "┘", "\(place)")
                            for y in (top + 1)..<bottom {
                                #expect(screen[left, y] == Cell(text: "│", style: style), "\(place), row \(y), left")
                                #expect(screen[right, y] == Cell(text: "│", style: style), "\(place), row \(y), right")
                            }
                            // The top and bottom rows hold the border, the title and the "more" marks, all in its style.
                            for x in left...right {
                                #expect(screen[x, top].style == style, "\(place), column \(x) of the top")
                                #expect(screen[x, bottom].style == style, "\(place), column \(x) of the bottom")
                            }
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked == widths.count * heights.count * 8)
    }

    @Test("a narrow Uploads pane keeps each row's state, cut with an ellipsis; the bar, then the size give way to the name")
    func stateBeforeBar() {
        var state = crowdedState()
        for (width, expectsBar, expectsSize) in [(60, false, false), (100, false, true), (250, true, true)] {
            _ = state.update(.resize(width: width, height: 16))
            let lines = state.render().lines
            let failed = lines.first { $0.contains("✖ 宣") } ?? ""
            #expect(failed.contains("failed:"), "\(width): \(failed)")
            #expect(failed.hasSuffix("… │"), "cut with an ellipsis at \(width): \(failed)")
            #expect(failed.contains("░") == expectsBar, "\(width): \(failed)")
            #expect(failed.contains("14.2 MB") == expectsSize, "\(width): \(failed)")
        }
    }
}

@Suite("Wide characters under other text")
struct WideCharacterOverlapTests {
    @Test("text written over half of a wide character leaves a blank, never half a character")
    func noHalves() {
        var buffer = CellBuffer(width: 8, height: 1)
        buffer.write("a菜単b", x: 0, y: 0)
        buffer.write("│", x: 2, y: 0)  // over 菜's right half
        #expect(buffer.line(0) == "a │単b  ")
        buffer.write("x", x: 4, y: 0)  // over 単's right half
        #expect(buffer.line(0) == "a │ xb  ")
        #expect(!buffer.cells.contains { $0.isContinuation }, "no continuation without its character")
        var left = CellBuffer(width: 6, height: 1)
        left.write("菜単", x: 0, y: 0)
        left.write("z", x: 0, y: 0)  // over 菜's left half
        #expect(left.line(0) == "z 単  ")
        var filled = CellBuffer(width: 6, height: 1)
        filled.write("菜単", x: 0, y: 0)
        filled.fill(x: 1, y: 0, width: 2, height: 1)
        #expect(filled.line(0) == "      ")
    }
}

/// Printable ASCII takes a shortcut past the character-by-character measure and escape.
@Suite("Widths and escapes of plain text")
struct PlainTextShortcutTests {
    @Test("every printable ASCII text measures and escapes as the character-by-character way does")
    func asciiShortcutAgrees() {
        var random = SystemRandomNumberGenerator()
        let printable = (0x20..<0x7F).map { Character(UnicodeScalar(UInt8($0))) }
        for length in [0, 1, 7, 40, 255] {
            let text = String((0..<length).map { _ in printable.randomElement(using: &random)! })
            #expect(DisplayWidth.of(text) == text.reduce(0) { $0 + DisplayWidth.of($1) })
            #expect(TerminalText.escaped(text) == text)
        }
        #expect(DisplayWidth.of(String(printable)) == printable.count)
        // Just outside the shortcut: DEL and a tab are escaped, a wide name measured whole.
        #expect(TerminalText.escaped("a\u{7F}b\tc") == "a\\x7fb\\tc")
        #expect(DisplayWidth.of("写真 photo.png") == 14)
    }
}
