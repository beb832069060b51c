import Foundation
import Testing
@testable import TerminalUI
import UploadCore

@Suite("Sorting by name")
struct NameOrderTests {
    private func precedes(_ a: String, _ b: String) -> Bool {
        NameOrder.precedes(a, NameOrder.key(a), b, NameOrder.key(b))
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
        #expect(names.sorted(by: precedes).filter { NameOrder.key($0) != nil }
            == ["_notes", "Img-1.jpg", "img-2.jpg", "img-02.jpg", "IMG-2.jpg", "img-10.jpg", "zoo.png"])
        #expect(NameOrder.key("été.mp4") == nil && NameOrder.key("tab\there") == nil)
    }
}
