import TerminalUI
import Testing

@Suite("Sort orders")
struct SortOrderTests {
    @Test("size and time orders put folders first and break ties in name order")
    func otherOrders() {
        let listing = DirectoryListing(
            path: "/data",
            entries: [
                FileEntry(name: "b.png", path: "/data/b.png", isDirectory: false, size: 5, modified: 1),
                FileEntry(name: "A.png", path: "/data/A.png", isDirectory: false, size: 5, modified: 3),
                FileEntry(name: "dir", path: "/data/dir", isDirectory: true, modified: 0),
                FileEntry(name: "c.png", path: "/data/c.png", isDirectory: false, size: 9, modified: 1),
            ])
        let entries = listing.entries
        #expect(entries.map(\.name) == ["dir", "A.png", "b.png", "c.png"])
        #expect(SortOrder.name.positions(of: entries) == nil)
        #expect(SortOrder.size.positions(of: entries)?.map { entries[$0].name } == ["dir", "c.png", "A.png", "b.png"])
        #expect(SortOrder.time.positions(of: entries)?.map { entries[$0].name } == ["dir", "A.png", "b.png", "c.png"])
    }
}
