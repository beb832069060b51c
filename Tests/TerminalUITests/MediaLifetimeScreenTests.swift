import Foundation
import Testing
import UploadCore

@testable import TerminalUI

@Suite("Media ids after the upload, on the screen")
struct MediaLifetimeScreenTests {
    /// The fixture's clock: 1000 s past the epoch.
    static let now = Date(timeIntervalSince1970: 1000)
    static let day = 86_400.0

    static func media(_ name: String, issuedDaysAgo days: Double, deleted: Bool = false) -> UploadSnapshot {
        var row = Fixture.row(name, state: .done, size: 1000, offset: 1000)
        row.session.route = .media
        row.session.remoteID = nil
        row.session.mediaID = "10\(name.count)345678901"
        row.session.issuedAt = now.addingTimeInterval(-days * day)
        row.session.deletedAt = deleted ? now : nil
        row.session.mimeType = "image/png"
        row.session.sha256 = String(repeating: "ab", count: 32)
        return row
    }

    static func state() -> AppState {
        var state = Fixture.state(width: 160, height: 14)
        _ = state.update(
            .loaded([
                media("fresh.png", issuedDaysAgo: 1), media("soon.png", issuedDaysAgo: 27), media("old.png", issuedDaysAgo: 31),
                media("gone.png", issuedDaysAgo: 2, deleted: true),
                Fixture.row("header.png", state: .done, size: 1000, offset: 1000, handle: "4::aGVhZGVy:AR\"x"),
            ]))
        state.switchFocus(to: .uploads)
        return state
    }

    @Test("a live id says nothing of its age; one with under 7 days says so in yellow; expired in red; deleted in grey")
    func rows() {
        let state = Self.state()
        let screen = state.render()
        let lines = screen.lines
        func row(_ name: String) -> (text: String, y: Int) {
            let y = lines.firstIndex { $0.contains(name) }!
            return (lines[y], y)
        }
        #expect(row("fresh.png").text.contains("100%  id 109345678901"))
        #expect(row("soon.png").text.contains("100%  expires in 3 d · id 108345678901"))
        #expect(row("old.png").text.contains("100%  expired · id 107345678901"))
        #expect(row("gone.png").text.contains("100%  deleted · id 108345678901"))
        func colorOfWords(_ name: String, _ words: String) -> Color {
            let (text, y) = row(name)
            let x = text.distance(from: text.startIndex, to: text.range(of: words)!.lowerBound)
            return screen[x, y].style.foreground
        }
        #expect(colorOfWords("soon.png", "expires") == .yellow)
        #expect(colorOfWords("old.png", "expired") == .red)
        #expect(colorOfWords("gone.png", "deleted") == .gray)
        #expect(colorOfWords("fresh.png", "id 1") == .standard)
    }

    @Test("t copies a handle's template example, quoted as JSON; a media id has none; the details show it and the expiry")
    func templateAndDetails() {
        var state = Self.state()
        _ = state.update(.key(.end))
        #expect(state.update(.key(.character("t"))) == [.copy(#""example": {"header_handle": ["4::aGVhZGVy:AR\"x"]}"#)])
        _ = state.update(.key(.home))
        _ = state.update(.key(.down))
        #expect(state.update(.key(.character("t"))).isEmpty)
        #expect(state.message == "soon.png has no handle: a template header takes a handle (resumable mode)")
        _ = state.update(.key(.enter))
        let details = state.render().lines
        #expect(details.contains { $0.contains("issued    1969-12-05T00:16:40Z · expires in 3 d") }, "\(details.joined(separator: "\n"))")
    }

    @Test("i on a done /media row asks the server and shows each fact against what was sent; a handle or a deleted id says why not")
    func serverView() {
        var state = Self.state()
        _ = state.update(.key(.home))
        #expect(state.update(.key(.character("i"))) == [.lookUpMedia(id: "fresh.png")])
        #expect(state.overlay == .remoteMedia(id: "fresh.png"))
        #expect(state.render().lines.contains { $0.contains("asking the server (GET /109345678901)…") })
        let held = RemoteMedia(
            id: "109345678901", url: "https://lookaside.fbsbx.com/x", mimeType: "image/png", sha256: String(repeating: "ab", count: 32),
            fileSize: 1000, fetchedAt: Self.now)
        _ = state.update(.mediaLookedUp(id: "fresh.png", .found(held)))
        var lines = state.render().lines
        #expect(lines.contains { $0.contains("type      image/png ✓") })
        #expect(lines.contains { $0.contains("size      1000 bytes ✓") })
        #expect(lines.contains { $0.contains("sha256    \(String(repeating: "ab", count: 32)) ✓ the bytes sent") })
        #expect(lines.contains { $0.contains("url       valid until 1970-01-01T00:21:40Z") })
        var other = held
        other.sha256 = String(repeating: "cd", count: 32)
        other.fileSize = 999
        _ = state.update(.mediaLookedUp(id: "fresh.png", .found(other)))
        lines = state.render().lines
        #expect(lines.contains { $0.contains("size      999 bytes ✗ (the file: 1000)") })
        #expect(lines.contains { $0.contains("✗ (sent: abab") })
        _ = state.update(.mediaLookedUp(id: "fresh.png", .failed("no such media id")))
        #expect(state.render().lines.contains { $0.contains("error     no such media id") })
        _ = state.update(.key(.escape))
        #expect(state.overlay == nil && state.remoteLookups.isEmpty)

        _ = state.update(.key(.end))
        #expect(state.update(.key(.character("i"))).isEmpty && state.overlay == nil)
        #expect(state.message == "header.png went up as a resumable upload: a handle has no lookup on the server")
        _ = state.update(.key(.up))
        #expect(state.update(.key(.character("i"))).isEmpty && state.message == "gone.png's media was deleted on the server")
    }

    @Test("D asks first, then has the loop delete the media on the server")
    func delete() {
        var state = Self.state()
        _ = state.update(.key(.home))
        #expect(state.update(.key(.character("D"))).isEmpty && state.overlay == .confirmDeleteMedia(id: "fresh.png"))
        #expect(state.render().lines.contains { $0.contains("Delete media id 109345678901 (fresh.png) on the server?") })
        #expect(state.update(.key(.character("n"))).isEmpty && state.overlay == nil)
        _ = state.update(.key(.character("D")))
        #expect(state.update(.key(.character("y"))) == [.deleteMedia(id: "fresh.png")])
        #expect(state.message == "deleting on the server…")
    }

    @Test("e asks the loop to export into the open folder; with nothing finished it says so")
    func export() {
        var state = Self.state()
        #expect(state.update(.key(.character("e"))) == [.export(folder: "/data")])
        #expect(state.message == "exporting…")
        var empty = Fixture.state()
        empty.switchFocus(to: .uploads)
        #expect(empty.update(.key(.character("e"))).isEmpty && empty.message == "no finished uploads to export")
    }
}

@Suite("Keys that do not apply say why")
struct KeysThatDoNotApplyTests {
    @Test("a key of the Uploads pane pressed on the Files pane says where it works; and the other way round")
    func otherPane() {
        var state = Fixture.state()
        #expect(state.update(.key(.character("p"))).isEmpty)
        #expect(state.message == "p: pause the selected upload — on the Uploads pane (Tab)")
        #expect(state.update(.key(.character("C"))).isEmpty && state.message == "C: forget every done upload — on the Uploads pane (Tab)")
        state.switchFocus(to: .uploads)
        #expect(state.update(.key(.character("."))).isEmpty && state.message == ".: show / hide hidden files — on the Files pane (Tab)")
    }

    @Test("Space and u on a folder or .. say they take files; Ctrl-R says it reads the folder, until it has")
    func folders() {
        var state = Fixture.state()
        state.moveFileCursor(to: 0)
        #expect(state.update(.key(.character(" "))).isEmpty && state.message == ".. is a folder: Enter opens it; Space, u, i and f take files")
        state.moveFileCursor(to: 1)
        #expect(state.update(.key(.character("u"))).isEmpty && state.message == "clips is a folder: Enter opens it; Space, u, i and f take files")
        for key in ["i", "f"] {
            _ = state.update(.failed("cleared"))
            #expect(
                state.update(.key(.character(Character(key)))).isEmpty
                    && state.message == "clips is a folder: Enter opens it; Space, u, i and f take files")
            #expect(state.overlay == nil)
        }
        #expect(state.update(.key(.ctrl("r"))) == [.list(directory: "/data", showHidden: false)])
        #expect(state.message == "reading /data again…")
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: Fixture.listing)))
        #expect(state.message == nil)
    }

    @Test("under the too-small notice q quits at once, pausing what runs; other keys do nothing")
    func tooSmall() {
        var state = Fixture.state(width: 50, height: 8)
        _ = state.update(.loaded([Fixture.row("promo.mp4", state: .uploading)]))
        #expect(state.update(.key(.character("?"))).isEmpty && state.overlay == nil)
        #expect(state.update(.key(.character("q"))) == [.quit] && state.wantsQuit && state.overlay == nil)
    }
}

@Suite("A kept filter and a new order")
struct FilterAndSortTests {
    @Test("a kept filter shows in the Files title; one that matches nothing says so")
    func keptFilter() {
        var state = Fixture.state(width: 100, height: 12)
        for key: Key in [.character("/"), .character("p"), .character("r"), .enter] { _ = state.update(.key(key)) }
        var lines = state.render().lines
        #expect(lines[1].contains("Files /data · filter “pr”"), "\(lines[1])")
        #expect(lines.contains { $0.contains("promo.mp4") } && !lines.contains { $0.contains("teaser.mov") })
        for key: Key in [.escape, .character("/"), .character("z"), .character("z"), .enter] { _ = state.update(.key(key)) }
        lines = state.render().lines
        #expect(lines.contains { $0.contains("no match: Esc clears") }, "\(lines.joined(separator: "\n"))")
        _ = state.update(.key(.escape))
        #expect(state.render().lines[1].contains("Files /data ─"))
    }

    @Test("s keeps the cursor on its file, not on its row number")
    func sortKeepsTheFile() {
        var state = Fixture.state()
        state.selectEntry("teaser.mov")
        for _ in 0..<3 {
            _ = state.update(.key(.character("s")))
            #expect(state.selectedEntry?.name == "teaser.mov", "\(state.sort)")
        }
    }
}

@Suite("Enter on a file that has a row")
struct EnterOnAListedFileTests {
    @Test("a file uploading or paused in this mode: Enter goes to its row and says so; in the other mode, or done, it queues")
    func goesToTheRow() {
        var state = Fixture.state()
        var paused = Fixture.row("brochure.pdf", state: .paused, size: 92_274_688, offset: 1000)
        paused.session.path = "/data/brochure.pdf"
        _ = state.update(.loaded([Fixture.row("logo.png", state: .done), paused]))
        state.selectEntry("brochure.pdf")
        #expect(state.update(.key(.enter)).isEmpty)
        #expect(state.focus == .uploads && state.selectedUpload?.id == "brochure.pdf")
        #expect(state.message == "brochure.pdf is in the list already (paused: r resumes it)")
        _ = state.update(.key(.character("m")))
        state.switchFocus(to: .files)
        state.selectEntry("brochure.pdf")
        #expect(state.update(.key(.enter)) == [.upload(paths: ["/data/brochure.pdf"], route: .media)])
    }
}

@Suite("Stops show at once")
struct StopsShowAtOnceTests {
    @Test("p shows pausing… until the uploader says paused; x, y shows cancelling…; P marks every running row")
    func stopping() {
        var state = uploadsState(width: 120, height: 16)
        func words(_ name: String) -> String { state.words(for: state.uploads.first { $0.id == name }!) }
        _ = state.update(.key(.home))
        #expect(state.update(.key(.character("p"))) == [.pause(id: "promo.mp4")])
        #expect(words("promo.mp4") == "pausing…")
        #expect(state.render().lines.contains { $0.contains("promo.mp4") && $0.contains("pausing…") })
        var paused = state.uploads.first { $0.id == "promo.mp4" }!
        paused.session.state = .paused
        _ = state.update(.uploader(.updated(paused)))
        #expect(words("promo.mp4").hasPrefix("paused at"))

        _ = state.update(.key(.down))
        _ = state.update(.key(.down))
        _ = state.update(.key(.character("x")))
        #expect(state.update(.key(.character("y"))) == [.cancel(id: "menu.png")])
        #expect(words("menu.png") == "cancelling…")
        _ = state.update(.uploader(.removed(ids: ["menu.png"])))
        #expect(state.stopping["menu.png"] == nil)

        #expect(state.update(.key(.character("P"))) == [.pauseAll])
        #expect(words("teaser.mp4") == "pausing…" && !words("logo.png").hasSuffix("…"))
    }
}

@Suite("Overlays longer than the screen")
struct OverlayScrollTests {
    @Test("help at 60×10 says there is more, ↓ and PgDn scroll to its end, ↑ back; a new overlay starts at the top")
    func help() {
        var state = Fixture.state(width: 60, height: 10)
        _ = state.update(.key(.character("?")))
        var lines = state.render().lines
        #expect(lines.contains { $0.contains("↓ more: ↑ ↓ PgUp PgDn") }, "\(lines.joined(separator: "\n"))")
        #expect(!lines.contains { $0.contains("q                 quit") })
        _ = state.update(.key(.down))
        #expect(state.overlayScroll == 1 && state.overlay == .help)
        for _ in 0..<5 { _ = state.update(.key(.pageDown)) }
        lines = state.render().lines
        #expect(lines.contains { $0.contains("q                 quit") }, "the last line: \(lines.joined(separator: "\n"))")
        #expect(!lines.contains { $0.contains("↓ more") } && lines.contains { $0.contains(" ↑ ") })
        let bottom = state.overlayScroll
        _ = state.update(.key(.pageDown))
        #expect(state.overlayScroll == bottom, "no further than the end")
        _ = state.update(.key(.escape))
        _ = state.update(.key(.character("?")))
        #expect(state.overlayScroll == 0)
    }

    @Test("the file details at 60×12 reach their fix line by scrolling")
    func fileDetails() {
        var state = InspectedFixture.state(width: 60, height: 12)
        state.selectEntry("clip-hevc.mp4")
        _ = state.update(.key(.character("i")))
        #expect(!state.render().lines.contains { $0.contains("c copy the fix") })
        for _ in 0..<4 { _ = state.update(.key(.pageDown)) }
        #expect(state.render().lines.contains { $0.contains("c copy the fix") })
    }
}

@Suite("Upload names")
struct UploadNameTests {
    @Test("a cut name keeps its extension, so two files never read the same; the column grows with the pane, the words keep 24 columns")
    func names() {
        #expect(AppState.clip("bad_photo.heic", to: 12, keepingExtension: true) == "bad…oto.heic")
        #expect(AppState.clip("bad_photo.avif", to: 12, keepingExtension: true) == "bad…oto.avif")
        #expect(AppState.clip("report_17.pdf", to: 10, keepingExtension: true) == "rep…17.pdf", "numbered names differ at the end")
        #expect(AppState.clip("README", to: 4, keepingExtension: true) == "REA…")
        #expect(AppState.clip("short.png", to: 12, keepingExtension: true) == "short.png")
        var state = Fixture.state(width: 200, height: 12)
        _ = state.update(.loaded([Fixture.row("a-rather-long-campaign-video-name.mp4", state: .queued)]))
        #expect(state.uploadColumns(paneWidth: 132).name == 37, "the whole name where a third of the pane holds it")
        #expect(
            state.uploadColumns(paneWidth: 60) == UploadColumns(name: 20, showsSize: true, bar: 0, showsPercent: true),
            "a third of 60; the bar gave way")
        #expect(state.uploadColumns(paneWidth: 45) == UploadColumns(name: 15, showsSize: false, bar: 0, showsPercent: true), "then the size")
        #expect(state.render().lines.contains { $0.contains("· a-rather-long-campaign-video-name.mp4") })
    }
}
