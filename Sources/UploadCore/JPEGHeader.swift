/// A JPEG's frame header (SOF0–SOF15: precision, size, components) and Adobe APP14
/// segment (the colour transform), read segment by segment up to the frame header.
enum JPEGHeader {
    /// Real files have a few dozen segments before the frame header.
    static let segmentLimit = 512

    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        var adobeTransform: UInt8?
        var offset: Int64 = 2
        for _ in 0..<segmentLimit {
            let marker = HeaderBytes(try reader.read(4, at: offset, what: "JPEG segment at byte \(offset)"))
            guard marker[0] == 0xFF else { throw MediaReadError("no JPEG marker at byte \(offset)") }
            let code = marker[1]
            switch code {
            case 0xFF:
                // Fill bytes may pad before a marker.
                offset += 1
                continue
            case 0x01, 0xD0...0xD7:
                offset += 2
                continue
            case 0xD9, 0xDA:
                throw MediaReadError("the JPEG's image data begins before its frame header")
            default:
                break
            }
            let length = Int64(marker.u16(2))
            guard length >= 2 else { throw MediaReadError("a JPEG segment at byte \(offset) declares \(length) bytes") }
            if code == 0xEE {
                let segment = HeaderBytes(try reader.read(upTo: min(Int(length) - 2, 12), at: offset + 4))
                if segment.count == 12 && segment.starts(with: "Adobe") { adobeTransform = segment[11] }
            }
            if (0xC0...0xCF).contains(code) && ![0xC4, 0xC8, 0xCC].contains(code) {
                let frame = HeaderBytes(try reader.read(6, at: offset + 4, what: "JPEG frame header"))
                return facts(frame: frame, code: code, adobeTransform: adobeTransform)
            }
            offset += 2 + length
        }
        throw MediaReadError("no JPEG frame header in the first \(segmentLimit) segments")
    }

    private static func facts(frame: HeaderBytes, code: UInt8, adobeTransform: UInt8?) -> MediaFacts {
        var facts = MediaFacts(container: "jpeg")
        facts.bitDepth = Int(frame[0])
        facts.height = frame.u16(1)
        facts.width = frame.u16(3)
        facts.profile =
            switch code {
            case 0xC0: "baseline"
            case 0xC1: "extended"
            case 0xC2, 0xC6, 0xCA, 0xCE: "progressive"
            case 0xC3, 0xC7, 0xCB, 0xCF: "lossless"
            default: "other (SOF\(code - 0xC0))"
            }
        facts.color =
            switch frame[5] {
            case 1: "gray"
            case 3: "rgb"
            case 4: adobeTransform == 2 ? "ycck" : "cmyk"
            default: "\(frame[5]) components"
            }
        return facts
    }
}
