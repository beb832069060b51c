/// A listed file's entry once stat'ed: a big folder's rows show as soon as its names are
/// read and sorted, and their sizes, times and problems follow in these.
public struct FileFacts: Sendable, Equatable {
    /// Where the file stands in its listing; a stale one (the folder listed again since)
    /// finds another name there and is dropped.
    public var position: Int
    public var entry: FileEntry

    public init(position: Int, entry: FileEntry) {
        self.position = position
        self.entry = entry
    }
}
