/// The first bytes of the file types tests upload: headers real enough for the media
/// inspection to read (an 8-bit RGB PNG and JPEG, an MP4 with one H.264 Main track and its index
/// first, an Ogg stream of mono Opus), so that whatever follows them is taken as the media.
/// A PNG's chunks are walked to IEND, so its filler goes inside one: `png(wrapping:)`.
public enum Magic {
    /// The PNG signature and an IHDR chunk: 64×48, 8 bits, RGB.
    public static let png: [UInt8] =
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + [0, 0, 0, 13] + Array("IHDR".utf8) + u32(64) + u32(48) + [8, 2, 0, 0, 0] + [0x2E, 0x29, 0xEB, 0x48]
    /// `png`, then `data` as the image's one IDAT chunk, then IEND: a PNG whose chunks end
    /// where the file does, `pngWrapping` bytes longer than `png` and `data`.
    public static func png(wrapping data: [UInt8]) -> [UInt8] {
        png + u32(data.count) + Array("IDAT".utf8) + data + [0, 0, 0, 0] + u32(0) + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
    }
    /// The IDAT chunk's header and CRC and the IEND chunk around `png(wrapping:)`'s data.
    public static let pngWrapping = 24
    /// A JFIF APP0 segment and a baseline frame header: 64×48, 8 bits, three components.
    public static let jpeg: [UInt8] =
        [0xFF, 0xD8, 0xFF, 0xE0] + u16(16) + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        + [0xFF, 0xC0] + u16(17) + [8] + u16(48) + u16(64) + [3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]
    public static let pdf: [UInt8] = Array("%PDF-1.7\n".utf8)
    /// `ftyp`, a `moov` with one H.264 Main video track, then an `mdat` that runs to the
    /// end of the file (size 0), so any bytes after these are its media.
    public static let mp4: [UInt8] = {
        let avcC = box("avcC", [1, 77, 0, 30, 0xFF, 0xE0, 0])
        let visualFields = [UInt8](repeating: 0, count: 24) + u16(64) + u16(48) + [UInt8](repeating: 0, count: 50)
        let stsd = box("stsd", [0, 0, 0, 0] + u32(1) + box("avc1", visualFields + avcC))
        let hdlr = box("hdlr", [0, 0, 0, 0] + u32(0) + Array("vide".utf8) + [UInt8](repeating: 0, count: 13))
        let trak = box("trak", box("mdia", hdlr + box("minf", box("stbl", stsd))))
        return box("ftyp", Array("isom".utf8) + u32(512) + Array("isomavc1".utf8)) + box("moov", trak) + u32(0) + Array("mdat".utf8)
    }()
    /// An Ogg page that begins a mono Opus stream, and the header of the page after it.
    public static let ogg: [UInt8] = {
        let opusHead = Array("OpusHead".utf8) + [1, 1, 0x38, 0x01, 0x80, 0xBB, 0, 0, 0, 0, 0]
        let firstPage = Array("OggS".utf8) + [0, 0x02] + [UInt8](repeating: 0, count: 20) + [1, UInt8(opusHead.count)] + opusHead
        return firstPage + Array("OggS".utf8) + [0, 0] + [UInt8](repeating: 0, count: 21)
    }()
    public static let gif: [UInt8] = Array("GIF89a".utf8)

    private static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    private static func u32(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8(value >> $0 & 0xFF) } }
    private static func box(_ type: String, _ payload: [UInt8]) -> [UInt8] { u32(8 + payload.count) + Array(type.utf8) + payload }
}
