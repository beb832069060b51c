import Foundation
import Testing
@testable import TerminalUI
@testable import UploadCore

/// Fixed inputs for rendering: a folder listing and upload rows in every state.
enum Fixture {
    static let png = MediaType(mime: "image/png", kind: .image)

    static func entry(_ name: String, size: Int64, accepted: Bool = true, directory: Bool = false) -> FileEntry {
        let verdict: MediaVerdict = accepted ? .accepted(png) : .rejected(reason: "WhatsApp does not take video/quicktime files")
        var entry = FileEntry(name: name, path: "/data/" + name, isDirectory: directory, size: size, modified: 0,
                              verdicts: directory ? nil : [.resumable: verdict, .media: verdict])
        entry.mime = directory ? nil : accepted ? "image/png" : "video/quicktime"
        return entry
    }

    static func row(_ name: String, state: UploadState, size: Int64 = 14_889_000, offset: Int64 = 0, transferred: Int64? = nil,
                    handle: String? = nil, error: String? = nil, retryIn: Double? = nil) -> UploadSnapshot {
        var session = UploadSession(id: name, path: "/data/" + name, fileSize: size, fileModified: 0, mimeType: "video/mp4",
                                    route: .resumable, now: Date(timeIntervalSince1970: 0))
        session.state = state
        session.serverOffset = offset
        session.handle = handle
        session.lastError = error
        session.remoteId = "upload:MTphdHRh?sig=x"
        return UploadSnapshot(session: session, transferredBytes: transferred ?? offset,
                              retryAt: retryIn.map { Date(timeIntervalSince1970: 1000 + $0) }, retryNumber: 2, retryLimit: 5)
    }

    static func state(width: Int = 140, height: Int = 16) -> AppState {
        var state = AppState(directory: "/data", hostLabel: "http://127.0.0.1:8360", isSandbox: true)
        state.width = width
        state.height = height
        state.date = Date(timeIntervalSince1970: 1000)
        state.loadingDirectory = false
        state.listing = [
            entry("clips", size: 0, directory: true),
            entry("promo.mp4", size: 14_889_000),
            entry("brochure.pdf", size: 92_274_688),
            entry("teaser.mov", size: 126_143_283, accepted: false),
        ]
        return state
    }
}

@Suite("Rendering into a cell buffer")
struct RenderTests {
    @Test("header, both panes, details line and key line at 140×16")
    func layout() {
        var state = Fixture.state()
        state.marked = ["/data/promo.mp4"]
        let lines = state.render().lines
        #expect(lines.count == 16)
        #expect(lines[0].hasPrefix(" mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable"))
        #expect(lines[0].hasSuffix("0 active · 0 done"))
        #expect(lines[1].hasPrefix("┌ Files /data "))
        #expect(lines[1].contains("┐┌ Uploads "))
        #expect(lines[2].hasPrefix("│ .. "))
        #expect(lines[3].hasPrefix("│ ▸ clips/"))
        #expect(lines[4].contains("brochure.pdf") && lines[4].contains("88.0 MB") && lines[4].contains("✓││"))
        #expect(lines[5].hasPrefix("│ * promo.mp4") && lines[5].contains("14.2 MB"))
        #expect(lines[6].contains("teaser.mov") && lines[6].contains("120 MB") && lines[6].contains("✗"))
        #expect(lines[2].contains("│ no uploads yet"))
        #expect(lines[13].hasPrefix("└"))
        #expect(lines[15].hasPrefix(" Tab pane · Enter open/queue · Space mark · u upload"))
    }

    @Test("every upload state has its own words")
    func rowStates() {
        var state = Fixture.state()
        state.uploads = [
            Fixture.row("promo.mp4", state: .uploading, offset: 0, transferred: 9_230_000),
            Fixture.row("brochure.pdf", state: .paused, size: 92_274_688, offset: 19_398_656),
            Fixture.row("menu.png", state: .retrying, size: 2_202_009, offset: 600_000, retryIn: 3),
            Fixture.row("teaser.mp4", state: .stalled, size: 41_943_040, offset: 13_841_203, retryIn: 7),
            Fixture.row("logo.png", state: .done, size: 245_760, offset: 245_760, handle: "4::aW1hZ2UvcG5n:ARbXk2"),
            Fixture.row("huge.mp4", state: .failed, size: 2_254_857_830, error: "HTTP 400: file too large"),
            Fixture.row("old.pdf", state: .expired, size: 1000),
            Fixture.row("edit.mp4", state: .fileChanged, size: 1000),
            Fixture.row("next.mp4", state: .queued, size: 1000),
        ]
        state.meters["promo.mp4"] = {
            var meter = RateMeter()
            meter.record(bytes: 0, at: 0)
            meter.record(bytes: 4_300_000, at: 1)
            return meter
        }()
        let lines = state.render().lines
        func row(_ name: String) -> String { lines.first { $0.contains(name) && $0.contains("░") || $0.contains(name) && $0.contains("█") } ?? "" }
        #expect(row("promo.mp4").contains("│ ▶ promo.mp4"))
        #expect(row("promo.mp4").contains(" 61%  4.1 MB/s  0:01 left"))
        #expect(row("brochure.pdf").contains("‖ brochure.pdf") && row("brochure.pdf").contains("21%  paused at 18.5 MB"))
        #expect(row("menu.png").contains("⟳ menu.png") && row("menu.png").contains("retry 2/5 in 3s"))
        #expect(row("teaser.mp4").contains("⚠ teaser.mp4") && row("teaser.mp4").contains("stalled — retry 2/5 in 7s"))
        #expect(row("logo.png").contains("✔ logo.png") && row("logo.png").contains("████████████████ 100%  h 4::aW1hZ2UvcG5n:ARbXk2"))
        #expect(row("huge.mp4").contains("✖ huge.mp4") && row("huge.mp4").contains("failed: HTTP 400: file too large"))
        #expect(row("old.pdf").contains("expired — R starts a new session"))
        #expect(row("edit.mp4").contains("file changed — R sends it again"))
        #expect(row("next.mp4").contains("· next.mp4") && row("next.mp4").contains("queued"))
        #expect(lines[0].contains("4 active · 4.1 MB/s · 1 done · 3 failed"))
    }

    @Test("a wide-character name keeps the columns after it aligned")
    func wideCharacters() {
        var state = Fixture.state()
        state.listing = [Fixture.entry("日本語の動画.mp4", size: 1000), Fixture.entry("plain-name.mp4", size: 1000)]
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

    @Test("a narrow terminal drops the type column but keeps the verdict; too small shows a notice")
    func narrowAndTooSmall() {
        let narrow = Fixture.state(width: 72, height: 12).render().lines
        #expect(narrow.count == 12)
        #expect(narrow.allSatisfy { DisplayWidth.of($0) <= 72 })
        #expect(narrow.contains { $0.contains("promo.mp4") && $0.contains("✓") && !$0.contains("image/png") })
        let small = Fixture.state(width: 40, height: 8).render().lines
        #expect(small.contains { $0.contains("terminal too small: 40×8, need 60×10") })
        #expect(!small.contains { $0.contains("Files") })
    }

    @Test("help and details overlays")
    func overlays() {
        var state = Fixture.state(height: 26)
        state.overlay = .help
        let help = state.render().lines.joined(separator: "\n")
        for key in ["Tab / Shift-Tab", "Space", "u  ", "p / r", "R  ", "P / A", "x / C", ". / Ctrl-R", "c  ", "?  ", "q  ", "m  ", "/  "] {
            #expect(help.contains(key), "help lacks \(key)")
        }
        state.uploads = [Fixture.row("logo.png", state: .done, size: 245_760, offset: 245_760, handle: "4::aW1hZ2UvcG5n:ARbXk2")]
        state.overlay = .details(id: "logo.png")
        let details = state.render().lines.joined(separator: "\n")
        #expect(details.contains("┌ Details "))
        #expect(details.contains("handle    4::aW1hZ2UvcG5n:ARbXk2"))
        #expect(details.contains("session   upload:MTphdHRh"))
        #expect(!details.contains("sig=x"), "the signature stays out of the screen")
    }

    @Test("the details line explains a refused file")
    func refusedFileDetails() {
        var state = Fixture.state()
        state.fileCursor = state.visibleEntries.firstIndex { $0.name == "teaser.mov" }!
        #expect(state.render().lines[14].contains("✗ WhatsApp does not take video/quicktime files"))
    }
}

@Suite("Overlay fit")
struct OverlayFitTests {
    @Test("the help box fits in a 22-row terminal with its border")
    func helpFits() {
        var state = Fixture.state(width: 140, height: 22)
        state.overlay = .help
        let lines = state.render().lines
        #expect(lines.contains { $0.contains("└") && $0.contains("┘") && $0.contains("────────") && $0.firstIndex(of: "└") != $0.startIndex })
        #expect(lines.contains { $0.contains("q") && $0.contains("quit (running uploads are paused") })
    }
}
