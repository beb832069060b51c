import Foundation
import Testing

@testable import TerminalUI

@Suite("The key table")
struct KeyBindingsTests {
    /// The README's key table as (key, where) pairs, in its order.
    static func readmeRows() throws -> [(keys: String, context: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        guard let header = lines.firstIndex(of: "| key | where | does |") else { return [] }
        return lines[(header + 2)...].prefix { $0.hasPrefix("|") }.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            return (cells[1], cells[2])
        }
    }

    @Test("the README's key table lists exactly the bindings, with the same keys and places")
    func readmeMatchesTable() throws {
        let readme = try Self.readmeRows()
        #expect(!readme.isEmpty, "README.md has no key table")
        let table = KeyBindings.all.map { ($0.keysText, $0.context.rawValue) }
        for row in readme {
            #expect(table.contains { $0 == row }, "README row \(row.keys) (\(row.context)) has no binding")
        }
        for binding in table {
            #expect(readme.contains { $0 == binding }, "binding \(binding.0) (\(binding.1)) is not in the README")
        }
        #expect(readme.count == table.count)
    }

    @Test("no key means two things in one place")
    func noClashes() {
        for context in KeyContext.allCases {
            let keys = KeyBindings.bindings(in: [context]).flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "a key is bound twice in \(context)")
        }
        // The panes' lists and their own keys are looked up together.
        for pane in [KeyContext.files, .uploads] {
            let keys = KeyBindings.bindings(in: [.everywhere, .lists, pane]).flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "a key is bound twice for \(pane)")
        }
    }

    @Test("the key line is made from the table: first keys, labels, neighbours with one label merged")
    func keyLine() {
        #expect(
            KeyBindings.keyLine(for: [.everywhere, .lists, .files])
                == "Tab pane · Enter open/queue · Space mark · u upload · m mode · i inside · / filter · . hidden · s sort · ? help · q quit")
        #expect(
            KeyBindings.keyLine(for: [.everywhere, .lists, .uploads])
                == "Tab pane · m mode · p pause · r resume · R retry · P/A all · x cancel · c copy · Enter details · ? help · q quit")
        #expect(KeyBindings.keyLine(for: [.filter]) == "Enter keep · Esc clear")
    }

    @Test("a narrow key line drops whole entries, the least useful first, never help and quit, never a word cut")
    func narrowKeyLine() {
        let files: [KeyContext] = [.everywhere, .lists, .files]
        // hidden, sort, filter, mode go in that order; the rest stay in the table's order.
        #expect(
            KeyBindings.keyLine(for: files, width: 100)
                == "Tab pane · Enter open/queue · Space mark · u upload · m mode · i inside · / filter · ? help · q quit")
        #expect(
            KeyBindings.keyLine(for: files, width: 99) == "Tab pane · Enter open/queue · Space mark · u upload · m mode · i inside · ? help · q quit")
        #expect(KeyBindings.keyLine(for: files, width: 80) == "Tab pane · Enter open/queue · Space mark · u upload · i inside · ? help · q quit")
        #expect(KeyBindings.keyLine(for: files, width: 40) == "Tab pane · u upload · ? help · q quit")
        #expect(KeyBindings.keyLine(for: files, width: 10) == "? help · q quit")
        let uploads: [KeyContext] = [.everywhere, .lists, .uploads]
        #expect(KeyBindings.keyLine(for: uploads, width: 60) == "Tab pane · p pause · r resume · R retry · ? help · q quit")
        let full = KeyBindings.keyLine(for: files)
        #expect(KeyBindings.keyLine(for: files, width: DisplayWidth.of(full)) == full)
    }

    @Test("→ and l open a folder but do nothing on a file; Enter queues it; Delete cancels a row")
    func openAndQueue() {
        var state = Fixture.state()
        state.selectEntry("promo.mp4")
        #expect(state.update(.key(.right)).isEmpty)
        #expect(state.update(.key(.character("l"))).isEmpty)
        #expect(state.update(.key(.enter)) == [.upload(paths: ["/data/promo.mp4"], route: .resumable)])
        state.selectEntry("clips")
        #expect(state.update(.key(.character("l"))) == [.list(directory: "/data/clips", showHidden: false)])
        var rows = Fixture.state()
        _ = rows.update(.loaded([Fixture.row("a.mp4", state: .failed, error: "boom")]))
        rows.switchFocus(to: .uploads)
        #expect(rows.update(.key(.delete)).isEmpty && rows.overlay == .confirmCancel(id: "a.mp4"))
    }
}
