/// A WebP's first chunk: VP8 (lossy), VP8L (lossless) or VP8X (extended: canvas size and
/// the animation flag). The RIFF size must fit in the file: one cut short is refused.
enum WebPHeader {
    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        let bytes = HeaderBytes(try reader.read(30, at: 0, what: "WebP header"))
        guard 8 + bytes.littleEndian(4, width: 4) <= UInt64(reader.size) else {
            throw MediaReadError("the RIFF chunk at byte 0 runs past the end of the file")
        }
        var facts = MediaFacts(container: "webp")
        facts.animated = false
        switch bytes.fourCC(12) {
        case "VP8 ":
            guard bytes[23] == 0x9D, bytes[24] == 0x01, bytes[25] == 0x2A else { throw MediaReadError("the VP8 frame has no start code") }
            facts.videoCodec = "vp8"
            facts.width = Int(bytes.littleEndian(26, width: 2) & 0x3FFF)
            facts.height = Int(bytes.littleEndian(28, width: 2) & 0x3FFF)
        case "VP8L":
            guard bytes[20] == 0x2F else { throw MediaReadError("the VP8L stream has no signature") }
            facts.videoCodec = "vp8l"
            let bits = bytes.littleEndian(21, width: 4)
            facts.width = Int(bits & 0x3FFF) + 1
            facts.height = Int(bits >> 14 & 0x3FFF) + 1
        case "VP8X":
            facts.animated = bytes[20] & 0x02 != 0
            facts.width = Int(bytes.littleEndian(24, width: 3)) + 1
            facts.height = Int(bytes.littleEndian(27, width: 3)) + 1
        case let other:
            throw MediaReadError("the WebP's first chunk is \"\(other)\", not VP8, VP8L or VP8X")
        }
        return facts
    }
}
