import Foundation
import UploadCore

/// The two panes.
public enum Pane: Sendable, Equatable {
    case files, uploads
}

/// What covers the panes, if anything.
public enum Overlay: Sendable, Equatable {
    case help
    case details(id: String)
    /// Quit was asked with uploads running: pause them and quit?
    case confirmQuit
    /// Cancel and forget this row?
    case confirmCancel(id: String)
}

/// Everything the screen shows. Changed only by `AppState.update`; drawn by `render`.
public struct AppState: Sendable {
    // Where uploads go.
    public var hostLabel: String
    public var isSandbox: Bool
    public var route: UploadRoute = .resumable
    public var width = 80
    public var height = 24
    public var focus: Pane = .files
    public var overlay: Overlay?
    /// A one-line notice (errors, confirmations), shown on the details line.
    public var message: String?
    /// Seconds on a monotonic clock, for speeds and ETAs.
    public var now: Double = 0
    /// Wall-clock time of the last tick, for retry countdowns.
    public var date = Date(timeIntervalSince1970: 0)
    public var wantsQuit = false

    // Files pane.
    public var directory: String { didSet { refreshVisibleEntries() } }
    /// The folder's entries as listed, in no particular order.
    public var listing: [FileEntry] {
        get { listingStorage }
        set {
            listingStorage = newValue
            refreshVisibleEntries()
        }
    }
    private var listingStorage: [FileEntry] = []
    public var listingError: String?
    public var loadingDirectory = true
    public var fileCursor = 0
    /// After going up a folder: the name to put the cursor on once it is listed.
    var pendingCursorName: String?
    /// Marked files by path; marks stay while browsing other folders.
    public var marked: [String] = []
    public var filter = "" { didSet { refreshVisibleEntries() } }
    public var isEditingFilter = false
    public var showHidden = false
    public var sort: SortOrder = .name { didSet { refreshVisibleEntries() } }

    // Uploads pane.
    public var uploads: [UploadSnapshot] = []
    public var uploadCursor = 0
    public var meters: [String: RateMeter] = [:]

    public init(directory: String, hostLabel: String, isSandbox: Bool) {
        self.directory = directory
        self.hostLabel = hostLabel
        self.isSandbox = isSandbox
        refreshVisibleEntries()
    }

    /// The Files pane's rows: "..", then the folder's entries, filtered and sorted.
    /// Kept, not computed per use: a big folder would otherwise be sorted several
    /// times per frame on the UI loop. It follows `listing`, `filter`, `sort` and
    /// `directory` as they change.
    public private(set) var visibleEntries: [FileEntry] = []

    private mutating func refreshVisibleEntries() {
        var entries = sort.sorted(listing)
        if !filter.isEmpty {
            entries = entries.filter { $0.name.localizedCaseInsensitiveContains(filter) }
        }
        if directory != "/" {
            entries.insert(FileEntry(name: "..", path: (directory as NSString).deletingLastPathComponent, isDirectory: true), at: 0)
        }
        visibleEntries = entries
    }

    /// Writes verdicts into the rows where they stand: they change no row's place, and
    /// sorting a big folder again for each batch would stall the loop.
    mutating func applyJudgements(_ judgements: [String: DirectoryLoader.Judgement]) {
        func fill(_ entries: inout [FileEntry]) {
            for index in entries.indices {
                guard let judgement = judgements[entries[index].path] else { continue }
                entries[index].verdicts = judgement.verdicts
                entries[index].mime = judgement.mime
            }
        }
        fill(&listingStorage)
        fill(&visibleEntries)
    }

    /// The entry under the cursor.
    public var selectedEntry: FileEntry? {
        let entries = visibleEntries
        return entries.indices.contains(fileCursor) ? entries[fileCursor] : nil
    }

    /// The upload row under the cursor.
    public var selectedUpload: UploadSnapshot? {
        uploads.indices.contains(uploadCursor) ? uploads[uploadCursor] : nil
    }

    /// Uploads with a transfer running or scheduled here.
    public var activeCount: Int { uploads.filter { $0.session.state.isActive && !$0.activeElsewhere }.count }

    /// Rows of the panes' interiors (between the borders).
    public var paneRows: Int { max(1, height - 5) }
}
