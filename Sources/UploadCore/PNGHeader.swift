/// A PNG's IHDR chunk, which the format puts first: size, bit depth and colour type.
enum PNGHeader {
    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        let bytes = HeaderBytes(try reader.read(26, at: 0, what: "PNG header"))
        guard bytes.starts(with: "IHDR", at: 12), bytes.u32(8) == 13 else { throw MediaReadError("the PNG does not begin with its IHDR chunk") }
        var facts = MediaFacts(container: "png")
        facts.width = Int(bytes.u32(16))
        facts.height = Int(bytes.u32(20))
        facts.bitDepth = Int(bytes[24])
        facts.color =
            switch bytes[25] {
            case 0: "gray"
            case 2: "rgb"
            case 3: "palette"
            case 4: "gray+alpha"
            case 6: "rgba"
            default: "unknown (type \(bytes[25]))"
            }
        return facts
    }
}
