import Foundation
import UploadCore

/// Everything the screen shows. Changed only by `AppState.update`; drawn by `render`.
/// The fields are read-only outside this module; inside it only the reducer's files
/// write them (it spans several), so every change is a `Message`.
public struct AppState: Sendable {
    // Where uploads go.
    public let hostLabel: String
    public let isSandbox: Bool
    /// The user's home folder, which the Files pane's title shows as `~`.
    public let homeDirectory: String
    /// Whether what is inside a file (codecs, tracks, bit depth) counts, as it does for
    /// the uploader; off with `--skip-media-checks`.
    public let checksMedia: Bool
    public internal(set) var route: UploadRoute = .resumable
    public internal(set) var width = 80
    public internal(set) var height = 24
    public internal(set) var focus: Pane = .files
    public internal(set) var overlay: Overlay? { didSet { if overlay != oldValue { overlayScroll = 0 } } }
    /// Lines the overlay is scrolled down by (↓, PgDn); a new overlay starts at its top.
    public internal(set) var overlayScroll = 0
    /// A one-line notice (errors, confirmations), shown on the details line.
    public internal(set) var message: String?
    /// Seconds on a monotonic clock, for speeds and ETAs.
    public internal(set) var now: Double = 0
    /// Wall-clock time of the last tick, for retry countdowns.
    public internal(set) var date = Date(timeIntervalSince1970: 0)
    public internal(set) var wantsQuit = false

    // Files pane.
    public internal(set) var directory: String { didSet { refreshVisibleEntries() } }
    /// The folder's entries in name order, folders first.
    public var listing: [FileEntry] { listingStorage }
    private var listingStorage: [FileEntry] = []
    public internal(set) var listingError: String?
    public internal(set) var loadingDirectory = true
    public internal(set) var fileCursor = 0
    /// After going up a folder or listing it again: the name to put the cursor on once
    /// it is listed.
    var pendingCursorName: String?
    /// Marked files by path; marks stay while browsing other folders.
    public internal(set) var marked: [String] = [] { didSet { markedPaths = Set(marked) } }
    /// `marked` for lookups: each drawn row asks, and `a` can mark a whole big folder.
    private(set) var markedPaths: Set<String> = []
    public internal(set) var filter = "" { didSet { refreshVisibleEntries() } }
    public internal(set) var isEditingFilter = false
    public internal(set) var showHidden = false
    public internal(set) var sort: SortOrder = .name { didSet { refreshVisibleEntries() } }
    /// Files that ffmpeg is converting now, by path: one run per file at a time.
    public internal(set) var fixing: Set<String> = []
    /// Rows asked to stop (p, P, x) whose uploader has not said so yet: "pausing…",
    /// "cancelling…", shown instead of their speed until it does.
    public internal(set) var stopping: [String: String] = [:]
    /// The server's answers about done rows' media ids, by row id, while asked for.
    public internal(set) var remoteLookups: [String: RemoteLookup] = [:]

    // Uploads pane.
    public var uploads: [UploadSnapshot] { uploadRows }
    private var uploadRows: [UploadSnapshot] = []
    /// Where each id's row is; nil after rows go, rebuilt when next needed. Progress
    /// comes many times a second per upload, and a search per event over a journal of
    /// 10,000 rows would be felt.
    private var uploadRowIndex: [String: Int]? = [:]
    /// The widest file name among the rows, in columns, which sizes the name column: kept
    /// as rows come and go, since measuring 10,000 names took a tenth of a first frame.
    private(set) var widestUploadName = 0
    public internal(set) var uploadCursor = 0
    /// After `u`: the first queued file's path, whose row the cursor goes to when the
    /// uploader shows it, so what was just started is in view.
    var cursorAwaitsUpload: String?
    public internal(set) var meters: [String: RateMeter] = [:]

    /// The state at start: `directory` listing, no uploads yet. The terminal's size and
    /// the clock come as messages.
    public init(directory: String, hostLabel: String, isSandbox: Bool, homeDirectory: String, checksMedia: Bool = true) {
        self.directory = directory
        self.checksMedia = checksMedia
        self.hostLabel = hostLabel
        self.isSandbox = isSandbox
        self.homeDirectory = homeDirectory
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
    mutating func applyJudgements(_ judgements: [FileJudgement]) {
        for judgement in judgements
        where listingStorage.indices.contains(judgement.position) && listingStorage[judgement.position].name == judgement.name {
            listingStorage[judgement.position].verdicts = judgement.verdicts
            listingStorage[judgement.position].mime = judgement.mime
            listingStorage[judgement.position].inspection = judgement.inspection
        }
    }

    /// Fills in rows listed before they were stat'ed. Their place by name stands; by size
    /// or time the view is sorted again.
    mutating func applyFacts(_ facts: [FileFacts]) {
        var changed = false
        for fact in facts
        where listingStorage.indices.contains(fact.position) && listingStorage[fact.position].name == fact.entry.name
            && listingStorage[fact.position].factsPending
        {
            listingStorage[fact.position] = fact.entry
            changed = true
        }
        if changed && sort != .name { refreshVisibleEntries() }
    }

    /// Updates a row where it stands, or adds it in the journal's order (when its file
    /// was added, oldest first), so rows stand where they stood in the last run, whichever
    /// process added them and whenever their events came. A row added above the cursor
    /// moves the cursor with its row.
    mutating func upsertUpload(_ snapshot: UploadSnapshot) {
        if uploadRowIndex == nil {
            uploadRowIndex = Dictionary(uploadRows.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        }
        widestUploadName = max(widestUploadName, Self.nameWidth(snapshot.session.fileName))
        if let position = uploadRowIndex?[snapshot.id] {
            uploadRows[position] = snapshot
            return
        }
        guard let last = uploadRows.last, Self.comesBefore(snapshot, last) else {
            uploadRowIndex?[snapshot.id] = uploadRows.count
            uploadRows.append(snapshot)
            return
        }
        // Rare (another process's row, events out of order): a search, and the index again.
        var low = 0, high = uploadRows.count
        while low < high {
            let middle = (low + high) / 2
            if Self.comesBefore(uploadRows[middle], snapshot) { low = middle + 1 } else { high = middle }
        }
        uploadRows.insert(snapshot, at: low)
        uploadRowIndex = nil
        if low <= uploadCursor && uploadCursor < uploadRows.count - 1 { uploadCursor += 1 }
    }

    /// Adds the journal's rows at start-up: into an empty pane at once (one sort if they
    /// come out of order, one measure of the names), else one by one.
    mutating func loadUploads(_ snapshots: [UploadSnapshot]) {
        guard uploadRows.isEmpty else {
            for snapshot in snapshots { upsertUpload(snapshot) }
            return
        }
        // The uploader's rows have one id each, in the journal's order; the index is made
        // when a row first changes, after the first frame.
        let inOrder = snapshots.indices.dropFirst().allSatisfy { !Self.comesBefore(snapshots[$0], snapshots[$0 - 1]) }
        uploadRows = inOrder ? snapshots : snapshots.sorted(by: Self.comesBefore)
        uploadRowIndex = nil
        widestUploadName = uploadRows.indices.reduce(0) { max($0, Self.nameWidth(uploadRows[$1].session.fileName)) }
    }

    /// The journal's order: by creation time, then id.
    static func comesBefore(_ first: UploadSnapshot, _ second: UploadSnapshot) -> Bool {
        (first.session.createdAt, first.id) < (second.session.createdAt, second.id)
    }

    /// Drops rows in one pass, however many.
    mutating func removeUploads(ids: Set<String>) {
        uploadRows.removeAll { ids.contains($0.id) }
        uploadRowIndex = nil
        widestUploadName = uploadRows.indices.reduce(0) { max($0, Self.nameWidth(uploadRows[$1].session.fileName)) }
    }

    /// A row's file name in columns, as the Uploads pane shows it.
    private static func nameWidth(_ fileName: String) -> Int {
        DisplayWidth.of(TerminalText.escaped(fileName))
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
    public var activeCount: Int { uploadCounts.running + uploadCounts.queued }

    /// How many rows stand in each state, counted in one pass.
    public var uploadCounts: UploadCounts {
        var counts = UploadCounts()
        for index in uploadRows.indices { counts.count(uploadRows[index].session.state, elsewhere: uploadRows[index].activeElsewhere) }
        return counts
    }

    /// Rows of the panes' interiors (between the borders).
    public var paneRows: Int { max(1, height - 5) }
}
