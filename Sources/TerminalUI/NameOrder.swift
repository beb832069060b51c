import Foundation

/// The Files pane's name order: Finder's (`localizedStandardCompare`: case-insensitive,
/// numbers by value), folders first. Foundation's comparison costs microseconds a pair
/// on Linux, which made sorting a folder of 100,000 files take seconds; so names of
/// printable ASCII get a byte key that orders them exactly as Foundation would and
/// compares with `memcmp`. Other names are left to Foundation.
///
/// All keys live in one buffer: sorting then compares bytes in place and touches no
/// reference counts, which for 100,000 names cost more than the comparisons
/// (bench/RESULTS.md, 5).
package struct NameOrder {
    private var keyBytes: [UInt8] = []
    /// Where each name's key starts in `keyBytes` and its length; -1: no key.
    private var keySpans: [(start: Int, count: Int)] = []
    private var names: [String] = []
    private var isDirectory: [Bool] = []
    /// Scratch for one key's tie-breakers, reused from name to name.
    private var ties: [UInt8] = []

    package init(capacity: Int = 0) {
        // A key is about twice its name's length; names are mostly short.
        keyBytes.reserveCapacity(capacity * 24)
        keySpans.reserveCapacity(capacity)
        names.reserveCapacity(capacity)
        isDirectory.reserveCapacity(capacity)
    }

    /// Adds a name: `utf8` is what the folder holds, `name` how it is shown.
    package mutating func append(_ name: String, utf8: UnsafeBufferPointer<UInt8>, isDirectory directory: Bool) {
        let start = keyBytes.count
        keySpans.append(Self.appendKey(utf8, to: &keyBytes, ties: &ties) ? (start, keyBytes.count - start) : (start, -1))
        names.append(name)
        isDirectory.append(directory)
    }

    /// Adds a name whose bytes are its `String`'s.
    package mutating func append(_ name: String, isDirectory directory: Bool) {
        var bytes = name
        bytes.withUTF8 { append(name, utf8: $0, isDirectory: directory) }
    }

    /// The `position`th name added.
    package func name(at position: Int) -> String { names[position] }

    /// The positions of the added names in order: folders first, then by name.
    package func sortedPositions() -> [Int] {
        var positions = Array(0..<names.count)
        keyBytes.withUnsafeBufferPointer { bytes in
            keySpans.withUnsafeBufferPointer { spans in
                isDirectory.withUnsafeBufferPointer { directories in
                    positions.sort { i, j in
                        if directories[i] != directories[j] { return directories[i] }
                        return Self.keyPrecedes(bytes, spans[i], bytes, spans[j])
                            ?? (names[i].localizedStandardCompare(names[j]) == .orderedAscending)
                    }
                }
            }
        }
        return positions
    }

    /// Whether `a`'s `i`th name comes before `b`'s `j`th, folders first.
    static func precedes(_ a: NameOrder, _ i: Int, _ b: NameOrder, _ j: Int) -> Bool {
        if a.isDirectory[i] != b.isDirectory[j] { return a.isDirectory[i] }
        let byKey = a.keyBytes.withUnsafeBufferPointer { x in
            b.keyBytes.withUnsafeBufferPointer { y in keyPrecedes(x, a.keySpans[i], y, b.keySpans[j]) }
        }
        return byKey ?? (a.names[i].localizedStandardCompare(b.names[j]) == .orderedAscending)
    }

    /// Several orders' sorted positions (see `sortedPositions`) merged into one order of
    /// (which order, which position there): a big folder is sorted a slice per core.
    package static func merge(_ runs: [(order: NameOrder, positions: [Int])]) -> [(run: Int, position: Int)] {
        var merged = runs.enumerated().map { run, item in item.positions.map { (run: run, position: $0) } }
        // Orders are borrowed through a buffer: taken from `runs` in the loop, each
        // comparison copied two orders' arrays' references (a third of a big listing).
        runs.map(\.order).withUnsafeBufferPointer { orders in
            while merged.count > 1 {
                merged = stride(from: 0, to: merged.count, by: 2).map { left in
                    guard left + 1 < merged.count else { return merged[left] }
                    let (a, b) = (merged[left], merged[left + 1])
                    var both: [(run: Int, position: Int)] = []
                    both.reserveCapacity(a.count + b.count)
                    var (i, j) = (0, 0)
                    while i < a.count && j < b.count {
                        // Ties keep the left run first, as a stable sort would.
                        if precedes(orders[b[j].run], b[j].position, orders[a[i].run], a[i].position) {
                            both.append(b[j])
                            j += 1
                        } else {
                            both.append(a[i])
                            i += 1
                        }
                    }
                    both.append(contentsOf: a[i...])
                    both.append(contentsOf: b[j...])
                    return both
                }
            }
        }
        return merged.first ?? []
    }

    /// Compares two keys; nil when either name has none (Foundation decides).
    private static func keyPrecedes(
        _ x: UnsafeBufferPointer<UInt8>, _ a: (start: Int, count: Int),
        _ y: UnsafeBufferPointer<UInt8>, _ b: (start: Int, count: Int)
    ) -> Bool? {
        guard a.count >= 0, b.count >= 0 else { return nil }
        let common = min(a.count, b.count)
        let order = common == 0 ? 0 : memcmp(x.baseAddress! + a.start, y.baseAddress! + b.start, common)
        return order != 0 ? order < 0 : a.count < b.count
    }

    /// Punctuation in the order Foundation puts it, all before digits and letters.
    private static let punctuation = Array(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$".utf8)

    /// Primary weight per ASCII byte (never 0): punctuation, then digits (all alike: a run
    /// is weighed by its value), then letters regardless of case. 0: left to Foundation.
    private static let weights: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 128)
        for (rank, byte) in punctuation.enumerated() { table[Int(byte)] = UInt8(rank + 1) }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = digitWeight }
        for (rank, byte) in (UInt8(ascii: "a")...UInt8(ascii: "z")).enumerated() {
            table[Int(byte)] = digitWeight + 1 + UInt8(rank)
            table[Int(byte - 32)] = digitWeight + 1 + UInt8(rank)
        }
        return table
    }()

    private static let digitWeight = UInt8(punctuation.count + 1)

    /// Longer digit runs go to Foundation: how it weighs numbers past 64 bits is its own.
    private static let longestRun = 18

    private static func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Appends the key of a name of printable ASCII to `key` and returns true; for any
    /// other name leaves `key` as it was and returns false. Like a collation key: the
    /// primary weights (a digit run as its weight, its length without leading zeros and
    /// those digits), a 0, then per character or run what breaks a tie at the first
    /// difference: uppercase after lowercase, more leading zeros after fewer.
    static func appendKey(_ bytes: UnsafeBufferPointer<UInt8>, to key: inout [UInt8], ties: inout [UInt8]) -> Bool {
        let start = key.count
        ties.removeAll(keepingCapacity: true)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte < 128, weights[Int(byte)] != 0 else {
                key.removeSubrange(start...)
                return false
            }
            guard isDigit(byte) else {
                key.append(weights[Int(byte)])
                ties.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 1 : 0)
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && isDigit(bytes[end]) { end += 1 }
            guard end - index <= longestRun else {
                key.removeSubrange(start...)
                return false
            }
            var first = index
            while first < end - 1 && bytes[first] == UInt8(ascii: "0") { first += 1 }
            key.append(digitWeight)
            key.append(UInt8(end - first))
            key.append(contentsOf: bytes[first..<end])
            ties.append(UInt8(end - index))
            index = end
        }
        key.append(0)
        key.append(contentsOf: ties)
        return true
    }
}
