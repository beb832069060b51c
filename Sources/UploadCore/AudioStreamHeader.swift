/// The first frame header of a bare audio stream: ADTS (AAC), MPEG audio (MP3, after
/// any ID3v2 tag) or the AMR magic.
enum AudioStreamHeader {
    private static let aacProfiles = ["Main", "LC", "SSR", "LTP"]

    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        let head = HeaderBytes(try reader.read(upTo: 16, at: 0))
        if head.starts(with: "#!AMR-WB\n") || head.starts(with: "#!AMR\n") {
            var facts = MediaFacts(container: "amr")
            facts.audioCodec = head.starts(with: "#!AMR-WB") ? "amr-wb" : "amr-nb"
            facts.channels = 1
            return facts
        }
        guard !head.starts(with: "#!AMR") else { throw MediaReadError("multichannel AMR is not a format WhatsApp plays") }
        var offset: Int64 = 0
        if head.starts(with: "ID3") {
            let tag = HeaderBytes(try reader.read(10, at: 0, what: "ID3 tag header"))
            // The tag's size: four bytes of seven bits each.
            guard (6..<10).allSatisfy({ tag[$0] < 0x80 }) else { throw MediaReadError("the ID3 tag's size is malformed") }
            let size = (6..<10).reduce(Int64(0)) { $0 << 7 | Int64(tag[$1]) }
            offset = 10 + size + (tag[5] & 0x10 != 0 ? 10 : 0)
        }
        let frame = HeaderBytes(try reader.read(4, at: offset, what: "first audio frame header"))
        guard frame[0] == 0xFF, frame[1] & 0xE0 == 0xE0 else { throw MediaReadError("no audio frame at byte \(offset)") }
        if frame[1] & 0x06 == 0 && frame[1] & 0x10 != 0 {
            var facts = MediaFacts(container: "adts")
            facts.audioCodec = "aac"
            facts.profile = aacProfiles[Int(frame[2] >> 6)]
            facts.channels = Int((frame[2] & 0x01) << 2 | frame[3] >> 6)
            return facts
        }
        let layer = Int(4 - (frame[1] >> 1 & 0x03))
        guard layer < 4, frame[1] >> 3 & 0x03 != 1 else { throw MediaReadError("the MPEG audio frame header at byte \(offset) is malformed") }
        var facts = MediaFacts(container: "mp3")
        facts.audioCodec = layer == 3 ? "mp3" : "mp\(layer)"
        facts.channels = frame[3] >> 6 == 3 ? 1 : 2
        return facts
    }
}
