import Foundation
import Testing
@testable import TerminalUI
@testable import UploadCore

@Suite("Keys through the reducer")
struct UpdateTests {
    @Test("moving, opening a folder and going back up puts the cursor on that folder")
    func navigation() {
        var state = Fixture.state()
        #expect(state.update(.key(.down)).isEmpty)
        #expect(state.selectedEntry?.name == "clips")
        #expect(state.update(.key(.enter)) == [.list(directory: "/data/clips", showHidden: false)])
        #expect(state.directory == "/data/clips" && state.loadingDirectory)
        _ = state.update(.listed(DirectoryListing(path: "/data/clips", entries: [])))
        #expect(state.update(.key(.backspace)) == [.list(directory: "/data", showHidden: false)])
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: Fixture.state().listing)))
        #expect(state.selectedEntry?.name == "clips")
        _ = state.update(.key(.end))
        #expect(state.selectedEntry?.name == "teaser.mov")
        _ = state.update(.key(.character("g")))
        #expect(state.selectedEntry?.name == "..")
    }

    @Test("a listing for a folder we already left is ignored")
    func staleListing() {
        var state = Fixture.state()
        _ = state.update(.listed(DirectoryListing(path: "/elsewhere", entries: [])))
        #expect(state.listing.count == 4)
    }

    @Test("Space marks, u uploads the marked files and clears the marks; refused files are named")
    func markAndUpload() {
        var state = Fixture.state()
        let promo = state.visibleEntries.firstIndex { $0.name == "promo.mp4" }!
        let teaser = state.visibleEntries.firstIndex { $0.name == "teaser.mov" }!
        state.fileCursor = promo
        _ = state.update(.key(.character(" ")))
        state.fileCursor = teaser
        _ = state.update(.key(.character(" ")))
        #expect(state.marked == ["/data/promo.mp4", "/data/teaser.mov"])
        let effects = state.update(.key(.character("u")))
        #expect(effects == [.upload(paths: ["/data/promo.mp4"], route: .resumable)])
        #expect(state.marked.isEmpty)
        #expect(state.message?.contains("teaser.mov: WhatsApp does not take video/quicktime files") == true)
    }

    @Test("m switches the mode for the next uploads")
    func mode() {
        var state = Fixture.state()
        _ = state.update(.key(.character("m")))
        #expect(state.route == .media)
        state.fileCursor = state.visibleEntries.firstIndex { $0.name == "promo.mp4" }!
        #expect(state.update(.key(.enter)) == [.upload(paths: ["/data/promo.mp4"], route: .media)])
    }

    @Test("row commands go to the selected upload; each asks only when it makes sense")
    func rowCommands() {
        var state = Fixture.state()
        state.uploads = [Fixture.row("a.mp4", state: .uploading), Fixture.row("b.mp4", state: .failed, error: "boom"),
                         Fixture.row("c.png", state: .done, handle: "4::h")]
        _ = state.update(.key(.tab))
        #expect(state.focus == .uploads)
        #expect(state.update(.key(.character("p"))) == [.pause(id: "a.mp4")])
        #expect(state.update(.key(.character("r"))).isEmpty)
        _ = state.update(.key(.down))
        #expect(state.update(.key(.character("R"))) == [.retry(id: "b.mp4")])
        #expect(state.update(.key(.character("r"))) == [.resume(id: "b.mp4")])
        #expect(state.update(.key(.character("x"))).isEmpty)
        #expect(state.overlay == .confirmCancel(id: "b.mp4"))
        #expect(state.update(.key(.character("y"))) == [.cancel(id: "b.mp4")])
        _ = state.update(.key(.down))
        #expect(state.update(.key(.character("c"))) == [.copy("4::h")])
        #expect(state.update(.key(.character("P"))) == [.pauseAll])
        #expect(state.update(.key(.character("A"))) == [.resumeAll])
        _ = state.update(.key(.enter))
        #expect(state.overlay == .details(id: "c.png"))
        _ = state.update(.key(.escape))
        #expect(state.overlay == nil)
    }

    @Test("q with uploads running asks first; y pauses and quits")
    func quit() {
        var idle = Fixture.state()
        #expect(idle.update(.key(.character("q"))) == [.quit])
        var busy = Fixture.state()
        busy.uploads = [Fixture.row("a.mp4", state: .uploading)]
        #expect(busy.update(.key(.character("q"))).isEmpty)
        #expect(busy.overlay == .confirmQuit)
        #expect(busy.update(.key(.character("n"))).isEmpty)
        #expect(busy.overlay == nil && !busy.wantsQuit)
        _ = busy.update(.key(.character("q")))
        #expect(busy.update(.key(.character("y"))) == [.quit])
    }

    @Test("/ filters as you type; Esc clears")
    func filter() {
        var state = Fixture.state()
        _ = state.update(.key(.character("/")))
        for character in "pro" { _ = state.update(.key(.character(character))) }
        #expect(state.visibleEntries.map(\.name) == ["..", "promo.mp4"])
        _ = state.update(.key(.escape))
        #expect(state.filter.isEmpty && !state.isEditingFilter)
        #expect(state.visibleEntries.count == 5)
    }

    @Test("uploader events add, update and remove rows")
    func uploaderEvents() {
        var state = Fixture.state()
        _ = state.update(.uploader(.updated(Fixture.row("a.mp4", state: .queued))))
        _ = state.update(.uploader(.updated(Fixture.row("a.mp4", state: .uploading, transferred: 100))))
        #expect(state.uploads.count == 1 && state.uploads[0].session.state == .uploading)
        _ = state.update(.uploader(.removed(id: "a.mp4")))
        #expect(state.uploads.isEmpty)
    }

    @Test("s cycles the sort and . asks for hidden files")
    func sortAndHidden() {
        var state = Fixture.state()
        _ = state.update(.key(.character("s")))
        #expect(state.sort == .size)
        #expect(state.visibleEntries.map(\.name) == ["..", "clips", "teaser.mov", "brochure.pdf", "promo.mp4"])
        #expect(state.update(.key(.character("."))) == [.list(directory: "/data", showHidden: true)])
    }
}
