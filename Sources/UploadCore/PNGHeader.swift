/// A PNG's IHDR chunk, which the format puts first: size, bit depth and colour type; and
/// its chunk headers up to IEND, so that a file cut short is refused.
enum PNGHeader {
    /// The most chunk headers walked looking for IEND; a file with more is taken as it is.
    /// ffmpeg and libpng write image data in chunks of 4 to 8 KiB, so this covers images
    /// well past WhatsApp's 5 MB.
    static let chunkLimit = 2048

    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        let bytes = HeaderBytes(try reader.read(26, at: 0, what: "PNG header"))
        guard bytes.starts(with: "IHDR", at: 12), bytes.u32(8) == 13 else { throw MediaReadError("the PNG does not begin with its IHDR chunk") }
        try checkChunks(reader)
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

    /// Walks the chunks from the signature's end, reading each one's length and type and
    /// seeking past its data and CRC (the image data is never read), until IEND.
    private static func checkChunks(_ reader: BoundedReader) throws(MediaReadError) {
        var offset: Int64 = 8
        for _ in 0..<chunkLimit {
            let header = HeaderBytes(try reader.read(upTo: 8, at: offset))
            guard header.count == 8 else { throw MediaReadError("the PNG ends before its IEND chunk") }
            let type = header.fourCC(4)
            if type == "IEND" { return }
            let end = offset + 12 + header.u32(0)
            guard end <= reader.size else { throw MediaReadError("the \(type) chunk at byte \(offset) runs past the end of the file") }
            offset = end
        }
    }
}
