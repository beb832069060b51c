/// How the Files pane orders entries (folders always first).
public enum SortOrder: String, Sendable, CaseIterable {
    case name, size, time

    /// The next order, for `s`.
    public var next: SortOrder {
        let all = SortOrder.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The positions of `entries`, which are in name order (a `DirectoryListing`'s), in
    /// this order: folders first, ties in name order. Nil for name order: nothing moves.
    /// Positions are sorted, not entries: an entry holds several references, and moving
    /// 100,000 of them around a merge sort cost more than the comparisons.
    public func positions(of entries: [FileEntry]) -> [Int]? {
        guard self != .name else { return nil }
        var positions = Array(entries.indices)
        entries.withUnsafeBufferPointer { all in
            positions.sort { i, j in
                if all[i].isDirectory != all[j].isDirectory { return all[i].isDirectory }
                if self == .size, all[i].size != all[j].size { return all[i].size > all[j].size }
                if self == .time, all[i].modified != all[j].modified { return all[i].modified > all[j].modified }
                return i < j
            }
        }
        return positions
    }
}
