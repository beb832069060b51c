import Foundation

/// The Files pane's name order: Finder's (`localizedStandardCompare`: case-insensitive,
/// numbers by value). Foundation's comparison costs microseconds a pair on Linux, which
/// made sorting a folder of 100,000 files take seconds; so names of printable ASCII get
/// a byte key, made once per entry, that orders them exactly as Foundation would and
/// compares with `memcmp`. Other names are left to Foundation.
enum NameOrder {
    /// Whether the entry named `a` (with key `keyA`) comes before `b`.
    static func precedes(_ a: String, _ keyA: [UInt8]?, _ b: String, _ keyB: [UInt8]?) -> Bool {
        guard let keyA, let keyB else { return a.localizedStandardCompare(b) == .orderedAscending }
        return keyA.withUnsafeBufferPointer { x in
            keyB.withUnsafeBufferPointer { y in
                let common = min(x.count, y.count)
                let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
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

    /// The key of a name of printable ASCII, nil for any other. Like a collation key: the
    /// primary weights (a digit run as its weight, its length without leading zeros and
    /// those digits), a 0, then per character or run what breaks a tie at the first
    /// difference: uppercase after lowercase, more leading zeros after fewer.
    static func key(_ name: String) -> [UInt8]? {
        var primary: [UInt8] = []
        var ties: [UInt8] = []
        primary.reserveCapacity(name.utf8.count + 1)
        let bytes = Array(name.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte < 128, weights[Int(byte)] != 0 else { return nil }
            guard isDigit(byte) else {
                primary.append(weights[Int(byte)])
                ties.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? 1 : 0)
                index += 1
                continue
            }
            var end = index
            while end < bytes.count && isDigit(bytes[end]) { end += 1 }
            guard end - index <= longestRun else { return nil }
            var start = index
            while start < end - 1 && bytes[start] == UInt8(ascii: "0") { start += 1 }
            primary.append(digitWeight)
            primary.append(UInt8(end - start))
            primary.append(contentsOf: bytes[start..<end])
            ties.append(UInt8(end - index))
            index = end
        }
        return primary + [0] + ties
    }
}
