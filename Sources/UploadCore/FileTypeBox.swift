/// The `ftyp` box that opens an ISO base media file (MP4, 3GP, HEIF, AVIF...): the brands
/// that say what the file holds. Read only from the bytes at hand, within the box's own size.
struct FileTypeBox: Sendable {
    /// The major brand, as four characters.
    var major: String
    /// The compatible brands, in file order (the major brand usually among them).
    var compatible: [String]

    /// Brands that hold video WhatsApp takes as `video/mp4`.
    private static let mp4Brands: Set<String> = ["isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "dash"]
    /// Brands of still images and image sequences (HEIF family).
    private static let heicBrands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs"]
    private static let heifBrands: Set<String> = ["mif1", "msf1"]
    private static let avifBrands: Set<String> = ["avif", "avis"]

    /// Parses the box at the start of `head`, or nil when `head` opens with no `ftyp` box
    /// big enough to hold a major brand.
    init?(head: [UInt8]) {
        guard head.count >= 12, Array(head[4..<8]) == Array("ftyp".utf8) else { return nil }
        let declared = head[0..<4].reduce(0) { $0 << 8 | Int($1) }
        // 0 runs to the end of the file and 1 means a 64-bit size follows: neither bounds
        // the brands below what was read. A size too small for a brand is malformed.
        let end = declared <= 1 ? head.count : min(declared, head.count)
        guard declared <= 1 || declared >= 12 else { return nil }
        func brand(at offset: Int) -> String { String(decoding: head[offset..<offset + 4], as: UTF8.self) }
        major = brand(at: 8)
        compatible = stride(from: 16, to: end - 3, by: 4).map(brand(at:))
    }

    /// What the brands say the file is.
    var mediaType: MediaType {
        if let type = Self.type(of: major, box: self) { return type }
        // An unknown major brand: the first compatible brand that is known decides.
        for brand in compatible { if let type = Self.type(of: brand, box: self) { return type } }
        return MediaType(
            mime: "application/mp4", kind: nil,
            refusal: "is an ISO media file of brand \"\(major)\", which WhatsApp does not take; convert it to an MP4 video (H.264)")
    }

    /// The type one brand stands for, or nil when it is not known.
    private static func type(of brand: String, box: FileTypeBox) -> MediaType? {
        if brand.hasPrefix("3g") { return MediaType(mime: "video/3gpp", kind: .video) }
        if brand.hasPrefix("M4A") { return MediaType(mime: "audio/mp4", kind: .audio) }
        if brand.hasPrefix("M4V") || mp4Brands.contains(brand) { return MediaType(mime: "video/mp4", kind: .video) }
        if brand.hasPrefix("qt") { return MediaType(mime: "video/quicktime", kind: nil) }
        let brands = [box.major] + box.compatible
        if avifBrands.contains(brand) || (heifBrands.contains(brand) && brands.contains(where: avifBrands.contains)) {
            return image(mime: "image/avif", name: "an AVIF")
        }
        if heicBrands.contains(brand) || (heifBrands.contains(brand) && brands.contains(where: heicBrands.contains)) {
            return image(mime: "image/heic", name: "a HEIC")
        }
        if heifBrands.contains(brand) { return image(mime: "image/heif", name: "a HEIF") }
        return nil
    }

    private static func image(mime: String, name: String) -> MediaType {
        MediaType(mime: mime, kind: nil, refusal: "is \(name) image, which WhatsApp does not take; convert it to JPEG")
    }
}
