import UploadCore

/// What reading a file tells: its type, both modes' verdicts, and what is inside.
public struct FileJudgement: Sendable, Equatable {
    /// Where the file stands in its listing, and its name there: a judgement finds
    /// its row without a search, and a stale one (the folder listed again since)
    /// finds another name there and is dropped.
    public var position: Int
    public var name: String
    public var mime: String?
    public var verdicts: [UploadRoute: MediaVerdict]
    public var inspection: MediaInspection?

    public init(
        position: Int, name: String, mime: String?, verdicts: [UploadRoute: MediaVerdict], inspection: MediaInspection? = nil
    ) {
        self.position = position
        self.name = name
        self.mime = mime
        self.verdicts = verdicts
        self.inspection = inspection
    }
}
