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

/// A big folder's rows show before they are stat'ed; their facts follow.
@Suite("Rows before their facts")
struct PendingFactsTests {
    static func pending(_ name: String) -> FileEntry {
        var entry = FileEntry(name: name, path: "/data/" + name, isDirectory: false)
        entry.factsPending = true
        return entry
    }

    @Test("a row without its facts shows … for its size; the facts fill it in, and a size order sorts again")
    func factsFollow() {
        var state = Fixture.state()
        let listing = [Fixture.entry("a.png", size: 10), Self.pending("b.png"), Self.pending("c.png")]
        _ = state.update(.listed(DirectoryListing(path: "/data", nameOrdered: listing)))
        #expect(state.render().lines.contains { $0.contains("b.png") && $0.contains("…") })
        #expect(!state.render().lines.contains { $0.contains("a.png") && $0.contains("…") })
        _ = state.update(.key(.character("s")))
        #expect(state.sort == .size)
        #expect(state.visibleEntries.dropFirst().map(\.name) == ["a.png", "b.png", "c.png"])

        _ = state.update(
            .statted(
                directory: "/data",
                facts: [
                    FileFacts(position: 1, entry: Fixture.entry("b.png", size: 5)),
                    FileFacts(position: 2, entry: Fixture.entry("c.png", size: 2_000)),
                    // Stale: another name stands there now.
                    FileFacts(position: 0, entry: Fixture.entry("old.png", size: 1)),
                ]))
        #expect(state.visibleEntries.dropFirst().map(\.name) == ["c.png", "a.png", "b.png"])
        #expect(state.visibleEntries.allSatisfy { !$0.factsPending })
        #expect(!state.render().lines.contains { $0.contains("…") && $0.contains(".png") })
        // Facts of another folder change nothing.
        _ = state.update(.statted(directory: "/elsewhere", facts: [FileFacts(position: 0, entry: Fixture.entry("a.png", size: 99))]))
        #expect(state.visibleEntries.first { $0.name == "a.png" }?.size == 10)
    }
}
