/// The logical streams of an Ogg file, told by the first page of each: every stream's
/// first page comes before any other page, and its first packet names the codec.
enum OggStreams {
    /// Ogg files interleave few streams; more first pages than this is not a real file.
    static let pageLimit = 64

    static func facts(_ reader: BoundedReader) throws(MediaReadError) -> MediaFacts {
        var codecs: [(codec: String, channels: Int?)] = []
        var offset: Int64 = 0
        while offset < reader.size {
            guard codecs.count < pageLimit else { throw MediaReadError("more than \(pageLimit) streams begin") }
            let header = HeaderBytes(try reader.read(27, at: offset, what: "Ogg page header at byte \(offset)"))
            guard header.starts(with: "OggS") else { throw MediaReadError("no Ogg page at byte \(offset)") }
            // Pages that begin a stream carry flag 2; the first page without it ends them.
            guard header[5] & 0x02 != 0 else { break }
            let segmentCount = Int(header[26])
            let segments = try reader.read(segmentCount, at: offset + 27, what: "Ogg segment table")
            let bodyLength = Int64(segments.reduce(0) { $0 + Int($1) })
            let body = HeaderBytes(try reader.read(Int(min(bodyLength, 64)), at: offset + 27 + Int64(segmentCount), what: "first Ogg packet"))
            codecs.append(codec(of: body))
            offset += 27 + Int64(segmentCount) + bodyLength
        }
        guard let first = codecs.first else { throw MediaReadError("no Ogg stream begins on the first page") }
        var facts = MediaFacts(container: "ogg")
        // The stream WhatsApp would stumble on speaks for the file.
        let shown = codecs.first { $0.codec != "opus" } ?? first
        facts.audioCodec = shown.codec
        facts.channels = shown.channels
        facts.audioTracks = codecs.count
        return facts
    }

    /// The codec a stream's first packet names, and its channels where the header says them.
    private static func codec(of packet: HeaderBytes) -> (codec: String, channels: Int?) {
        if packet.starts(with: "OpusHead") { return ("opus", Int(packet[9])) }
        if packet[0] == 0x01 && packet.starts(with: "vorbis", at: 1) { return ("vorbis", Int(packet[11])) }
        if packet[0] == 0x7F && packet.starts(with: "FLAC", at: 1) { return ("flac", nil) }
        if packet.starts(with: "Speex   ") { return ("speex", nil) }
        if packet[0] == 0x80 && packet.starts(with: "theora", at: 1) { return ("theora", nil) }
        return ("unknown", nil)
    }
}
