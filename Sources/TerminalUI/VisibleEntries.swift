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
