import Foundation
import Synchronization

@testable import TerminalUI
@testable import UploadCore

/// Fixed inputs for rendering: a folder listing and upload rows in every state.
enum Fixture {
    static let png = MediaType(mime: "image/png", kind: .image)

    static func entry(_ name: String, size: Int64, accepted: Bool = true, directory: Bool = false) -> FileEntry {
        let verdict: MediaVerdict = accepted ? .accepted(png) : .rejected(reason: "WhatsApp does not take video/quicktime files")
        var entry = FileEntry(
            name: name, path: "/data/" + name, isDirectory: directory, size: size, modified: 0,
            verdicts: directory ? nil : [.resumable: verdict, .media: verdict])
        entry.mime = directory ? nil : accepted ? "image/png" : "video/quicktime"
        return entry
    }

    private static let rowsMade = Mutex(0)

    static func row(
        _ name: String, state: UploadState, size: Int64 = 14_889_000, offset: Int64 = 0, transferred: Int64? = nil,
        handle: String? = nil, error: String? = nil, retryIn: Double? = nil
    ) -> UploadSnapshot {
        var session = UploadSession(
            id: name, path: "/data/" + name, fileSize: size, fileModified: 0, mimeType: "video/mp4",
            route: .resumable, now: Date(timeIntervalSince1970: 0))
        // Rows made later were added later, as the journal orders them.
        session.createdAt = Date(
            timeIntervalSince1970: Double(
                rowsMade.withLock {
                    $0 += 1; return $0
                }) / 1000)
        session.state = state
        session.serverOffset = offset
        session.handle = handle
        session.lastError = error
        session.remoteID = "upload:MTphdHRh?sig=x"
        return UploadSnapshot(
            session: session, transferredBytes: transferred ?? offset,
            retryAt: retryIn.map { Date(timeIntervalSince1970: 1000 + $0) }, retryNumber: 2, retryLimit: 5)
    }

    static let listing = [
        entry("clips", size: 0, directory: true),
        entry("promo.mp4", size: 14_889_000),
        entry("brochure.pdf", size: 92_274_688),
        entry("teaser.mov", size: 126_143_283, accepted: false),
    ]

    /// /data listed, at `width`×`height`, at 1000 s past the epoch: all through messages,
    /// as the app loop gets there.
    static func state(width: Int = 140, height: Int = 16) -> AppState {
        var state = AppState(directory: "/data", hostLabel: "http://127.0.0.1:8360", isSandbox: true, homeDirectory: "/home/someone")
        _ = state.update(.resize(width: width, height: height))
        _ = state.update(.tick(now: 0, date: Date(timeIntervalSince1970: 1000)))
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: listing)))
        return state
    }
}

/// Ways to drive the state in tests, through the keys a user presses.
extension AppState {
    /// Puts the Files pane's cursor on row `index`, with Home and ↓.
    mutating func moveFileCursor(to index: Int) {
        switchFocus(to: .files)
        _ = update(.key(.home))
        for _ in 0..<index { _ = update(.key(.down)) }
        precondition(fileCursor == index, "row \(index) is not shown")
    }

    /// Puts the Files pane's cursor on the entry named `name`.
    mutating func selectEntry(_ name: String) {
        moveFileCursor(to: visibleEntries.firstIndex { $0.name == name }!)
    }

    /// Tab until `pane` has the focus.
    mutating func switchFocus(to pane: Pane) {
        if focus != pane { _ = update(.key(.tab)) }
    }
}
