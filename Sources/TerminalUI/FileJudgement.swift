import UploadCore

/// What reading a file's first bytes tells: its type and both modes' verdicts.
public struct FileJudgement: Sendable, Equatable {
    /// Where the file stands in its listing, and its name there: a judgement finds
    /// its row without a search, and a stale one (the folder listed again since)
    /// finds another name there and is dropped.
    public var position: Int
    public var name: String
    public var mime: String?
    public var verdicts: [UploadRoute: MediaVerdict]

    public init(position: Int, name: String, mime: String?, verdicts: [UploadRoute: MediaVerdict]) {
        self.position = position
        self.name = name
        self.mime = mime
        self.verdicts = verdicts
    }
}
