/// The first bytes of the file types tests upload.
public enum Magic {
    public static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    public static let pdf: [UInt8] = Array("%PDF-1.7\n".utf8)
    public static let mp4: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 0, 0]
    public static let ogg: [UInt8] = Array("OggS".utf8)
    public static let gif: [UInt8] = Array("GIF89a".utf8)
}
