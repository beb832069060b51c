import UploadCore

/// One line of the Files pane.
public struct FileEntry: Sendable, Equatable {
    /// The name as shown: escaped (`\xNN`) where it is not valid UTF-8.
    public var name: String
    public var path: String
    public var isDirectory: Bool
    public var size: Int64
    /// Modification time, seconds since the epoch.
    public var modified: Double
    /// Why this entry cannot be uploaded whatever the mode (unreadable, not a regular
    /// file, a name that is not UTF-8), if anything.
    public var problem: String?
    /// What WhatsApp thinks of the file in each mode; nil until its head was read.
    public var verdicts: [UploadRoute: MediaVerdict]?
    /// Listed before it was stat'ed (a big folder's later rows): `size` and `modified`
    /// are 0, and a problem stat would find is not known yet. ``FileFacts`` follow.
    public var factsPending = false
    /// The type found in the file's first bytes, once read.
    public var mime: String?
    /// What reading inside the file found (codecs, tracks, bit depth); nil until read,
    /// and for a file no rule reads inside.
    public var inspection: MediaInspection? {
        get { inspectionBox?.value }
        set { inspectionBox = newValue.map(InspectionBox.init) }
    }
    /// Held by reference: inline it was two thirds of an entry, and a folder of 100,000
    /// files is that many entries made, copied and sorted.
    private var inspectionBox: InspectionBox?

    public init(
        name: String, path: String, isDirectory: Bool, size: Int64 = 0, modified: Double = 0,
        problem: String? = nil, verdicts: [UploadRoute: MediaVerdict]? = nil
    ) {
        self.name = name
        self.path = path
        self.isDirectory = isDirectory
        self.size = size
        self.modified = modified
        self.problem = problem
        self.verdicts = verdicts
    }

    /// The verdict for a mode, once known.
    public func verdict(for route: UploadRoute) -> MediaVerdict? {
        if let problem { return .rejected(reason: problem) }
        return verdicts?[route]
    }
}

/// A file's inspection, shared by the copies of its entry.
private final class InspectionBox: Sendable, Equatable {
    let value: MediaInspection

    init(_ value: MediaInspection) { self.value = value }

    static func == (first: InspectionBox, second: InspectionBox) -> Bool { first === second || first.value == second.value }
}
