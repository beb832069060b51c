/// Fixed-width integers and four-character codes read from a header's bytes; a read past
/// the end gives 0 (or spaces), so a short header cannot trap: callers check lengths first.
struct HeaderBytes {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var count: Int { bytes.count }

    subscript(index: Int) -> UInt8 { index >= 0 && index < bytes.count ? bytes[index] : 0 }

    func bigEndian(_ offset: Int, width: Int) -> UInt64 {
        (0..<width).reduce(0) { $0 << 8 | UInt64(self[offset + $1]) }
    }

    func littleEndian(_ offset: Int, width: Int) -> UInt64 {
        (0..<width).reversed().reduce(0) { $0 << 8 | UInt64(self[offset + $1]) }
    }

    func u16(_ offset: Int) -> Int { Int(bigEndian(offset, width: 2)) }
    func u32(_ offset: Int) -> Int64 { Int64(bigEndian(offset, width: 4)) }

    /// Four bytes as text, unprintable bytes shown as `?` so a code can go into a message.
    func fourCC(_ offset: Int) -> String {
        String(
            (0..<4).map {
                let byte = self[offset + $0]; return (0x20..<0x7F).contains(byte) ? Character(Unicode.Scalar(byte)) : "?"
            })
    }

    func starts(with text: String, at offset: Int = 0) -> Bool {
        let expected = Array(text.utf8)
        return offset + expected.count <= bytes.count && Array(bytes[offset..<offset + expected.count]) == expected
    }
}
