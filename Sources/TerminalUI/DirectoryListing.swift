/// A folder's contents as the loader found them.
public struct DirectoryListing: Sendable, Equatable {
    public var path: String
    /// In name order, folders first: the Files pane's first order, and what the others
    /// break ties with.
    public package(set) var entries: [FileEntry]
    /// Set when the folder could not be read; `entries` is then empty.
    public var error: String?

    /// A listing of `entries` in any order; they are put in name order.
    public init(path: String, entries: [FileEntry], error: String? = nil) {
        var order = NameOrder(capacity: entries.count)
        for entry in entries { order.append(entry.name, isDirectory: entry.isDirectory) }
        self.init(path: path, nameOrdered: order.sortedPositions().map { entries[$0] }, error: error)
    }

    package init(path: String, nameOrdered entries: [FileEntry], error: String? = nil) {
        self.path = path
        self.entries = entries
        self.error = error
    }
}
