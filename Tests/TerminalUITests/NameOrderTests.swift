import Foundation
import Testing
import UploadCore

@testable import TerminalUI

@Suite("Sorting by name")
struct NameOrderTests {
    private func precedes(_ a: String, _ b: String) -> Bool {
        var first = NameOrder(), second = NameOrder()
        first.append(a, isDirectory: false)
        second.append(b, isDirectory: false)
        return NameOrder.precedes(first, 0, second, 0)
    }

    private func hasKey(_ name: String) -> Bool {
        var key: [UInt8] = [], ties: [UInt8] = []
        var name = name
        return name.withUTF8 { NameOrder.appendKey($0, to: &key, ties: &ties) }
    }

    @Test("ASCII names sort exactly as localizedStandardCompare sorts them")
    func matchesFoundation() {
        // Tricky on purpose: case, digit runs with leading zeros, every punctuation mark.
        let alphabet = Array(" _-.aAbBzZ0019()~$,".utf8) + (32...126).map { UInt8($0) }
        var generator = SeededRandom(seed: 5)
        func name() -> String {
            String(decoding: (0..<Int.random(in: 1...10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
        }
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let a = name()
            // Half the pairs differ in one byte only, where ties are decided.
            var bytes = Array(a.utf8)
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = alphabet.randomElement(using: &generator)!
            let b = Bool.random(using: &generator) ? String(decoding: bytes, as: UTF8.self) : name()
            for (x, y) in [(a, b), (b, a)] where precedes(x, y) != (x.localizedStandardCompare(y) == .orderedAscending) {
                mismatches.append("[\(x)] [\(y)]")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("numbers by value, case ignored but the first case or zeros difference breaks a tie, others left to Foundation")
    func examples() {
        let names = ["img-10.jpg", "IMG-2.jpg", "img-02.jpg", "img-2.jpg", "Img-1.jpg", "_notes", "été.mp4", "zoo.png", "Éclair.png"]
        #expect(names.sorted(by: precedes) == names.sorted { $0.localizedStandardCompare($1) == .orderedAscending })
        #expect(
            names.sorted(by: precedes).filter(hasKey)
                == ["_notes", "Img-1.jpg", "img-2.jpg", "img-02.jpg", "IMG-2.jpg", "img-10.jpg", "zoo.png"])
        #expect(!hasKey("été.mp4") && !hasKey("tab\there"))
    }

    @Test("slices sorted apart merge into the order of the whole, folders first")
    func mergedSlices() {
        var generator = SeededRandom(seed: 9)
        let all = ((0..<300).map { ("file-\($0).png", false) } + (0..<20).map { ("Folder \($0)", true) } + [("été", false), ("Zoo", true)])
            .shuffled(using: &generator)
        var whole = NameOrder()
        for (name, isDirectory) in all { whole.append(name, isDirectory: isDirectory) }
        let expected = whole.sortedPositions().map { whole.name(at: $0) }
        // Three slices: an odd count, so one waits a round before it is merged.
        let runs = [0..<100, 100..<250, 250..<all.count].map { range in
            var order = NameOrder()
            for (name, isDirectory) in all[range] { order.append(name, isDirectory: isDirectory) }
            return (order: order, positions: order.sortedPositions())
        }
        let merged = NameOrder.merge(runs).map { runs[$0.run].order.name(at: $0.position) }
        #expect(merged == expected)
        #expect(expected.prefix(21).allSatisfy { !$0.hasPrefix("file-") } && expected.first == "Folder 0")
    }
}

@Suite("Filtering by name")
struct NameFilterTests {
    @Test("ASCII names match exactly as localizedCaseInsensitiveContains says")
    func matchesFoundation() {
        let alphabet = Array("aAbBzZ019-_. ()".utf8)
        var generator = SeededRandom(seed: 11)
        func text(_ lengths: ClosedRange<Int>) -> String {
            String(decoding: (0..<Int.random(in: lengths, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
        }
        var mismatches: [String] = []
        for _ in 0..<20_000 {
            let name = text(1...12), filter = text(1...3)
            if NameFilter(filter).matches(name) != name.localizedCaseInsensitiveContains(filter) {
                mismatches.append("[\(name)] [\(filter)]")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test("other names and texts are left to Foundation")
    func otherNames() {
        #expect(NameFilter("PRO").matches("Promo.mp4"))
        #expect(!NameFilter("mp5").matches("promo.mp4"))
        #expect(NameFilter("été").matches("Été 2026.jpg"))
        #expect(NameFilter("ÉT").matches("été.jpg"))
        #expect(NameFilter("jpg").matches("日本語.jpg"))
        #expect(!NameFilter("e").matches("été"))
    }
}
