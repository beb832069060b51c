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
    /// Forget every done row?
    case confirmClearDone
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
    /// The folder's entries in name order, folders first (setting it puts them so).
    public var listing: [FileEntry] {
        get { listingStorage }
        set { replaceListing(DirectoryListing(path: directory, entries: newValue).entries) }
    }
    private var listingStorage: [FileEntry] = []
    public var listingError: String?
    public var loadingDirectory = true
    public var fileCursor = 0
    /// After going up a folder or listing it again: the name to put the cursor on once
    /// it is listed.
    var pendingCursorName: String?
    /// Marked files by path; marks stay while browsing other folders.
    public var marked: [String] = [] { didSet { markedPaths = Set(marked) } }
    /// `marked` for lookups: each drawn row asks, and `a` can mark a whole big folder.
    private(set) var markedPaths: Set<String> = []
    public var filter = "" { didSet { refreshVisibleEntries() } }
    public var isEditingFilter = false
    public var showHidden = false
    public var sort: SortOrder = .name { didSet { refreshVisibleEntries() } }

    // Uploads pane.
    public var uploads: [UploadSnapshot] {
        get { uploadRows }
        set {
            uploadRows = newValue
            uploadRowIndex = nil
        }
    }
    private var uploadRows: [UploadSnapshot] = []
    /// Where each id's row is; nil after rows go, rebuilt when next needed. Progress
    /// comes many times a second per upload, and a search per event over a journal of
    /// 10,000 rows would be felt.
    private var uploadRowIndex: [String: Int]? = [:]
    public var uploadCursor = 0
    public var meters: [String: RateMeter] = [:]

    public init(directory: String, hostLabel: String, isSandbox: Bool) {
        self.directory = directory
        self.hostLabel = hostLabel
        self.isSandbox = isSandbox
        refreshVisibleEntries()
    }

    /// The Files pane's rows: "..", then the folder's entries, filtered and sorted.
    public var visibleEntries: VisibleEntries {
        VisibleEntries(parent: parentEntry, listing: listingStorage, positions: visiblePositions)
    }

    /// Which of `listing` the Files pane shows, in its order; nil: all, as listed. Kept,
    /// not computed per use: sorting or filtering a big folder several times a frame would
    /// stall the UI loop. It follows `listing`, `filter`, `sort` and `directory`.
    private var visiblePositions: [Int]?
    private var parentEntry: FileEntry?

    /// Takes a listing already in name order (a `DirectoryListing`'s) as it is: a big
    /// folder is neither sorted nor copied again on the UI loop.
    mutating func replaceListing(_ entries: [FileEntry]) {
        listingStorage = entries
        refreshVisibleEntries()
    }

    private mutating func refreshVisibleEntries() {
        var positions = sort.positions(of: listingStorage)
        if !filter.isEmpty {
            let nameFilter = NameFilter(filter)
            positions = (positions ?? Array(listingStorage.indices)).filter { nameFilter.matches(listingStorage[$0].name) }
        }
        visiblePositions = positions
        parentEntry = directory == "/" ? nil : FileEntry(name: "..", path: (directory as NSString).deletingLastPathComponent, isDirectory: true)
    }

    /// Writes verdicts into the rows where they stand: they change no row's place, and
    /// sorting a big folder again for each batch would stall the loop.
    mutating func applyJudgements(_ judgements: [DirectoryLoader.Judgement]) {
        for judgement in judgements
        where listingStorage.indices.contains(judgement.position) && listingStorage[judgement.position].name == judgement.name {
            listingStorage[judgement.position].verdicts = judgement.verdicts
            listingStorage[judgement.position].mime = judgement.mime
        }
    }

    /// Adds a row, or updates it where it stands.
    mutating func upsertUpload(_ snapshot: UploadSnapshot) {
        if uploadRowIndex == nil {
            uploadRowIndex = Dictionary(uploadRows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
        if let position = uploadRowIndex?[snapshot.id] {
            uploadRows[position] = snapshot
        } else {
            uploadRowIndex?[snapshot.id] = uploadRows.count
            uploadRows.append(snapshot)
        }
    }

    /// Drops rows in one pass, however many.
    mutating func removeUploads(ids: Set<String>) {
        uploadRows.removeAll { ids.contains($0.id) }
        uploadRowIndex = nil
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

/// The Files pane's rows as a view of the listing: ".." (outside the root), then the
/// listing's entries at the chosen positions. Nothing is copied to make one.
public struct VisibleEntries: RandomAccessCollection, Sendable {
    let parent: FileEntry?
    let listing: [FileEntry]
    let positions: [Int]?

    public var startIndex: Int { 0 }
    public var endIndex: Int { (parent == nil ? 0 : 1) + (positions?.count ?? listing.count) }

    public subscript(index: Int) -> FileEntry {
        guard let parent else { return entry(at: index) }
        return index == 0 ? parent : entry(at: index - 1)
    }

    private func entry(at index: Int) -> FileEntry { listing[positions?[index] ?? index] }
}
