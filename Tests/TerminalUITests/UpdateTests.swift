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
        state.moveFileCursor(to: promo)
        _ = state.update(.key(.character(" ")))
        state.moveFileCursor(to: teaser)
        _ = state.update(.key(.character(" ")))
        #expect(state.marked == ["/data/promo.mp4", "/data/teaser.mov"])
        let effects = state.update(.key(.character("u")))
        #expect(effects == [.upload(paths: ["/data/promo.mp4"], route: .resumable)])
        #expect(state.marked.isEmpty)
        #expect(state.message?.contains("teaser.mov: WhatsApp does not take video/quicktime files") == true)
    }

    @Test("a marks every file shown (the filter's), again unmarks them; u sends the ones WhatsApp takes")
    func markAll() {
        var state = Fixture.state()
        _ = state.update(.key(.character("/")))
        _ = state.update(.key(.character("p")))
        _ = state.update(.key(.enter))
        #expect(state.visibleEntries.map(\.name) == ["..", "clips", "brochure.pdf", "promo.mp4"])
        _ = state.update(.key(.character("a")))
        #expect(state.marked == ["/data/brochure.pdf", "/data/promo.mp4"])
        #expect(state.render().lines.contains { $0.contains("* brochure.pdf") })
        _ = state.update(.key(.character("a")))
        #expect(state.marked.isEmpty)
        _ = state.update(.key(.escape))
        _ = state.update(.key(.character(" ")))
        _ = state.update(.key(.character("a")))
        #expect(state.marked.count == 3)
        #expect(state.update(.key(.character("u"))) == [.upload(paths: ["/data/brochure.pdf", "/data/promo.mp4"], route: .resumable)])
        #expect(state.message == "not queued — teaser.mov: WhatsApp does not take video/quicktime files")
    }

    @Test("the uploader decides what was sent today; its answer becomes one notice, counted for many files")
    func alreadySent() {
        var state = Fixture.state()
        _ = state.update(.loaded([Fixture.row("promo.mp4", state: .done, handle: "4::h")]))
        state.moveFileCursor(to: state.visibleEntries.firstIndex { $0.name == "promo.mp4" }!)
        #expect(state.update(.key(.enter)) == [.upload(paths: ["/data/promo.mp4"], route: .resumable)])
        _ = state.update(.queueAnswered(alreadySent: ["promo.mp4"], failed: []))
        #expect(state.message == "already sent today: promo.mp4 (x on a row forgets it, to send it again)")
        _ = state.update(.queueAnswered(alreadySent: ["a.mp4", "b.mp4", "c.mp4"], failed: ["d.mp4: gone"]))
        #expect(state.message == "already sent today: 3 files, such as a.mp4 (x on a row forgets it, to send it again) · d.mp4: gone")
        // Refusals shown when the files were queued stay beside the uploader's answer.
        state.switchFocus(to: .files)
        _ = state.update(.key(.character("a")))
        #expect(state.update(.key(.character("u"))) == [.upload(paths: ["/data/brochure.pdf", "/data/promo.mp4"], route: .resumable)])
        _ = state.update(.queueAnswered(alreadySent: ["promo.mp4"], failed: []))
        #expect(
            state.message
                == "already sent today: promo.mp4 (x on a row forgets it, to send it again) · not queued — teaser.mov: WhatsApp does not take video/quicktime files"
        )
        // A key clears the notice; an empty answer does not bring one back.
        _ = state.update(.key(.tab))
        _ = state.update(.queueAnswered(alreadySent: [], failed: []))
        #expect(state.message == nil)
    }

    @Test("m switches the mode for the next uploads")
    func mode() {
        var state = Fixture.state()
        _ = state.update(.key(.character("m")))
        #expect(state.route == .media)
        state.moveFileCursor(to: state.visibleEntries.firstIndex { $0.name == "promo.mp4" }!)
        #expect(state.update(.key(.enter)) == [.upload(paths: ["/data/promo.mp4"], route: .media)])
    }

    @Test("row commands go to the selected upload; each asks only when it makes sense")
    func rowCommands() {
        var state = Fixture.state()
        _ = state.update(
            .loaded([
                Fixture.row("a.mp4", state: .uploading), Fixture.row("b.mp4", state: .failed, error: "boom"),
                Fixture.row("c.png", state: .done, handle: "4::h"),
            ]))
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
        #expect(state.update(.key(.character("C"))).isEmpty)
        #expect(state.overlay == .confirmClearDone)
        #expect(state.render().lines.contains { $0.contains("Forget 1 done upload(s)") })
        #expect(state.update(.key(.character("n"))).isEmpty && state.overlay == nil)
        _ = state.update(.key(.character("C")))
        #expect(state.update(.key(.character("y"))) == [.forgetDone])
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
        _ = busy.update(.loaded([Fixture.row("a.mp4", state: .uploading)]))
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
        _ = state.update(.uploader(.removed(ids: ["a.mp4"])))
        #expect(state.uploads.isEmpty)
        // After a row in the middle goes, the others are still found where they now stand.
        for name in ["b.mp4", "c.mp4", "d.mp4"] { _ = state.update(.uploader(.updated(Fixture.row(name, state: .queued)))) }
        _ = state.update(.uploader(.removed(ids: ["c.mp4"])))
        _ = state.update(.uploader(.updated(Fixture.row("d.mp4", state: .uploading))))
        _ = state.update(.uploader(.updated(Fixture.row("b.mp4", state: .done))))
        #expect(state.uploads.map(\.id) == ["b.mp4", "d.mp4"])
        #expect(state.uploads.map(\.session.state) == [.done, .uploading])
    }

    @Test("verdicts arrive in batches after the listing: each fills its rows in place; the rest stay unjudged")
    func judgedInBatches() {
        var state = Fixture.state()
        let unjudged = ["promo.mp4", "brochure.pdf", "teaser.mov"].map {
            FileEntry(name: $0, path: "/data/" + $0, isDirectory: false, size: 10)
        }
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: unjudged)))
        state.moveFileCursor(to: 2)
        let order = state.visibleEntries.map(\.name)
        let video = [UploadRoute.resumable: MediaVerdict.accepted(MediaType(mime: "video/mp4", kind: .video))]
        func judgement(_ name: String) -> FileJudgement {
            FileJudgement(position: state.listing.firstIndex { $0.name == name }!, name: name, mime: "video/mp4", verdicts: video)
        }
        _ = state.update(.judged(directory: "/data", judgements: [judgement("promo.mp4")]))
        #expect(state.visibleEntries.map(\.name) == order && state.fileCursor == 2)
        #expect(state.visibleEntries.first { $0.name == "promo.mp4" }?.mime == "video/mp4")
        #expect(state.listing.first { $0.name == "promo.mp4" }?.verdict(for: .resumable) == .accepted(MediaType(mime: "video/mp4", kind: .video)))
        #expect(state.visibleEntries.first { $0.name == "teaser.mov" }?.verdicts == nil)
        let rest = [judgement("teaser.mov"), judgement("brochure.pdf")]
        // A judgement whose row now holds another name (the folder was listed again) is dropped.
        var stale = judgement("promo.mp4")
        stale.name = "gone.mp4"
        stale.mime = "image/png"
        _ = state.update(.judged(directory: "/data", judgements: rest + [stale]))
        #expect(state.visibleEntries.filter { !$0.isDirectory }.allSatisfy { $0.mime == "video/mp4" })
        // Batches for a folder left meanwhile are ignored.
        var elsewhere = judgement("promo.mp4")
        elsewhere.mime = nil
        _ = state.update(.judged(directory: "/elsewhere", judgements: [elsewhere]))
        #expect(state.visibleEntries.first { $0.name == "promo.mp4" }?.mime == "video/mp4")
    }

    @Test("a change on disk lists the folder again; the cursor stays on its file; other folders and Ctrl-R")
    func folderChanged() {
        var state = Fixture.state()
        state.moveFileCursor(to: state.visibleEntries.firstIndex { $0.name == "promo.mp4" }!)
        #expect(state.update(.folderChanged(directory: "/elsewhere")).isEmpty)
        #expect(state.update(.folderChanged(directory: "/data")) == [.list(directory: "/data", showHidden: false)])
        // The old rows stay until the new ones come.
        #expect(!state.loadingDirectory && state.visibleEntries.count == 5)
        // A new file sorts before the cursor's: the cursor follows its file, not its row.
        let added = Fixture.state().listing + [Fixture.entry("new-brief.pdf", size: 10)]
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: added)))
        #expect(state.selectedEntry?.name == "promo.mp4")
        // Its file gone, the cursor stays on its row, and a file of that name made later does not move it.
        #expect(state.update(.key(.ctrl("r"))) == [.list(directory: "/data", showHidden: false)])
        let without = added.filter { $0.name != "promo.mp4" }
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: without)))
        let row = state.fileCursor
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: added)))
        #expect(state.fileCursor == row)
        // While a folder is being opened, a change to it waits for that listing.
        _ = state.update(.key(.end))
        _ = state.update(.key(.character("g")))
        _ = state.update(.key(.down))
        _ = state.update(.key(.enter))
        #expect(state.loadingDirectory)
        #expect(state.update(.folderChanged(directory: "/data/clips")).isEmpty)
    }

    @Test("journal rows at start all show, in journal order; a row already known is updated, not doubled")
    func loadedFromJournal() {
        var state = Fixture.state()
        _ = state.update(.uploader(.updated(Fixture.row("b.mp4", state: .queued))))
        let rows = (0..<500).map { Fixture.row("j\($0).mp4", state: .done) } + [Fixture.row("b.mp4", state: .paused)]
        _ = state.update(.loaded(rows))
        #expect(state.uploads.count == 501)
        #expect(state.uploads.first?.id == "b.mp4" && state.uploads.first?.session.state == .paused)
        #expect(state.uploads.dropFirst().map(\.id) == (0..<500).map { "j\($0).mp4" })
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

@Suite("Signals through the reducer")
struct TerminateTests {
    @Test("a signal pauses and quits without asking, once; after q it asks nothing more")
    func terminate() {
        var busy = Fixture.state()
        _ = busy.update(.loaded([Fixture.row("a.mp4", state: .uploading)]))
        #expect(busy.update(.terminate) == [.quit])
        #expect(busy.wantsQuit && busy.message == "pausing uploads…" && busy.overlay == nil)
        #expect(busy.update(.terminate).isEmpty)
        var idle = Fixture.state()
        #expect(idle.update(.key(.character("q"))) == [.quit])
        #expect(idle.update(.terminate).isEmpty)
    }
}
