/// The tracks of an ISO base media file (MP4, 3GP, M4A) as its `moov` box describes them,
/// read box header by box header: the media data itself is never read.
struct ISOMediaFile {
    /// One track: its handler and its first sample entry.
    struct Track {
        /// `vide`, `soun`, `hint`, `text`...
        var handler: String
        /// The sample entry's four-character code: avc1, hvc1, mp4a...
        var sampleEntry: String?
        var width: Int?
        var height: Int?
        var channels: Int?
        /// H.264's profile_idc, from `avcC`.
        var avcProfile: Int?
        /// The MPEG-4 object type indication, from `esds`.
        var objectType: Int?
        /// The AAC audio object type, from the decoder specific info in `esds`.
        var audioObjectType: Int?
    }

    /// A box: its type and where its payload lies.
    private struct Box {
        var type: String
        var start: Int64
        var end: Int64
    }

    /// The most boxes one file may make us look at: enough for any real index.
    static let boxLimit = 4096
    /// The most top-level box headers after `moov` looked at for one that runs past the
    /// end of the file (a truncated download); a fragmented file's fragments beyond them
    /// are taken as they are.
    static let trailingBoxLimit = 256
    /// Sample entries and descriptors are small; a bigger one is not a real file.
    private static let entryLimit = 65536

    var tracks: [Track] = []
    /// Whether `moov` comes before any `mdat`, so that a player can start before the download ends.
    var fastStart = true
    var durationMilliseconds: Int64?

    private let reader: BoundedReader
    private var boxesSeen = 0

    init(reader: BoundedReader) throws(MediaReadError) {
        self.reader = reader
        var moov: Box?
        var mdatSeen = false
        var offset: Int64 = 0
        // Top level: stop at the index, so a fragmented file's thousands of fragments
        // after it are not walked; media before it means no fast start.
        while offset < reader.size && moov == nil {
            let box = try box(at: offset, in: nil)
            switch box.type {
            case "mdat": mdatSeen = true
            case "moov": moov = box
            default: break
            }
            offset = box.end
        }
        guard let moov else { throw MediaReadError("there is no moov box (the index of the tracks)") }
        fastStart = !mdatSeen
        try checkTrailingBoxes(from: offset)
        for child in try children(of: moov) {
            switch child.type {
            case "mvhd": durationMilliseconds = try movieDuration(child)
            case "trak": if let track = try track(child) { tracks.append(track) }
            default: break
            }
        }
    }

    /// Walks the top-level boxes after `moov` header by header, seeking from one to the
    /// next (their payloads, the media, are not read), so that a file cut short after its
    /// index is refused like one cut before it. Up to `trailingBoxLimit` of them.
    private mutating func checkTrailingBoxes(from start: Int64) throws(MediaReadError) {
        var offset = start
        var walked = 0
        while offset < reader.size && walked < Self.trailingBoxLimit {
            walked += 1
            offset = try box(at: offset, in: nil, counted: false).end
        }
    }

    /// The box whose header starts at `offset`, which must end within its parent (nil:
    /// the file); `counted` against `boxLimit` unless it is one of the trailing boxes.
    private mutating func box(at offset: Int64, in parent: Box?, counted: Bool = true) throws(MediaReadError) -> Box {
        let parentEnd = parent?.end ?? reader.size
        if counted { boxesSeen += 1 }
        guard boxesSeen <= Self.boxLimit else { throw MediaReadError("more than \(Self.boxLimit) boxes") }
        let header = HeaderBytes(try reader.read(8, at: offset, what: "box header at byte \(offset)"))
        let type = header.fourCC(4)
        var size = header.u32(0)
        var headerLength: Int64 = 8
        if size == 1 {
            let large = HeaderBytes(try reader.read(8, at: offset + 8, what: "64-bit size of the \(type) box"))
            guard large.bigEndian(0, width: 8) <= UInt64(Int64.max) else { throw MediaReadError("the \(type) box declares an impossible size") }
            size = Int64(large.bigEndian(0, width: 8))
            headerLength = 16
        } else if size == 0 {
            size = parentEnd - offset
        }
        guard size >= headerLength else {
            throw MediaReadError("the \(type) box at byte \(offset) declares \(size) bytes, less than its own header")
        }
        guard size <= parentEnd - offset else {
            throw MediaReadError("the \(type) box at byte \(offset) runs past the end of \(parent.map { "the \($0.type) box" } ?? "the file")")
        }
        return Box(type: type, start: offset + headerLength, end: offset + size)
    }

    private mutating func children(of parent: Box, skipping prefix: Int64 = 0) throws(MediaReadError) -> [Box] {
        var found: [Box] = []
        var offset = parent.start + prefix
        while offset < parent.end {
            let child = try box(at: offset, in: parent)
            found.append(child)
            offset = child.end
        }
        return found
    }

    private mutating func child(_ type: String, of parent: Box) throws(MediaReadError) -> Box? {
        try children(of: parent).first { $0.type == type }
    }

    private func payload(_ box: Box, upTo limit: Int = entryLimit) throws(MediaReadError) -> HeaderBytes {
        HeaderBytes(try reader.read(Int(min(box.end - box.start, Int64(limit))), at: box.start, what: "\(box.type) box"))
    }

    private func movieDuration(_ mvhd: Box) throws(MediaReadError) -> Int64? {
        let bytes = try payload(mvhd, upTo: 32)
        let (timescale, duration) = bytes[0] == 1 ? (bytes.u32(20), Int64(bitPattern: bytes.bigEndian(24, width: 8))) : (bytes.u32(12), bytes.u32(16))
        guard timescale > 0, duration >= 0, duration < Int64.max / 1000 else { return nil }
        return duration * 1000 / timescale
    }

    private mutating func track(_ trak: Box) throws(MediaReadError) -> Track? {
        guard let mdia = try child("mdia", of: trak), let hdlr = try child("hdlr", of: mdia) else { return nil }
        var track = Track(handler: try payload(hdlr, upTo: 12).fourCC(8))
        guard let minf = try child("minf", of: mdia), let stbl = try child("stbl", of: minf), let stsd = try child("stsd", of: stbl) else {
            return track
        }
        // stsd: version and flags, an entry count, then the entries; the first one says the codec.
        guard stsd.end - stsd.start > 8, let entry = try children(of: stsd, skipping: 8).first else { return track }
        track.sampleEntry = entry.type
        switch track.handler {
        case "vide": try readVisualEntry(entry, into: &track)
        case "soun": try readAudioEntry(entry, into: &track)
        default: break
        }
        return track
    }

    /// A VisualSampleEntry: 78 bytes of fixed fields (width and height at 24 and 26), then boxes.
    private mutating func readVisualEntry(_ entry: Box, into track: inout Track) throws(MediaReadError) {
        let fields = try payload(entry, upTo: 78)
        guard fields.count == 78 else { throw MediaReadError("the \(entry.type) sample entry is too short") }
        track.width = fields.u16(24)
        track.height = fields.u16(26)
        guard entry.type == "avc1" || entry.type == "avc3" else { return }
        if let avcC = try children(of: entry, skipping: 78).first(where: { $0.type == "avcC" }) {
            let config = try payload(avcC, upTo: 4)
            if config.count >= 2 { track.avcProfile = Int(config[1]) }
        }
    }

    /// An AudioSampleEntry: 28 bytes of fixed fields (channels at 16), more in QuickTime's
    /// versions 1 and 2, then boxes.
    private mutating func readAudioEntry(_ entry: Box, into track: inout Track) throws(MediaReadError) {
        let fields = try payload(entry, upTo: 28)
        guard fields.count == 28 else { throw MediaReadError("the \(entry.type) sample entry is too short") }
        track.channels = fields.u16(16)
        let extra: Int64 =
            switch fields.u16(8) {
            case 1: 16
            case 2: 36
            default: 0
            }
        guard entry.type == "mp4a", entry.end - entry.start >= 28 + extra else { return }
        if let esds = try children(of: entry, skipping: 28 + extra).first(where: { $0.type == "esds" }) {
            (track.objectType, track.audioObjectType) = Self.decoderConfig(try payload(esds, upTo: 256))
        }
    }

    /// The object type indication and AAC audio object type in an `esds` box's descriptors.
    static func decoderConfig(_ bytes: HeaderBytes) -> (Int?, Int?) {
        var position = 4  // version and flags
        func descriptor(_ tag: UInt8) -> Bool {
            guard bytes[position] == tag else { return false }
            position += 1
            // The length: up to four bytes of seven bits, the top bit saying another follows.
            for _ in 0..<4 {
                let byte = bytes[position]
                position += 1
                if byte & 0x80 == 0 { break }
            }
            return position < bytes.count
        }
        guard descriptor(0x03) else { return (nil, nil) }
        let flags = bytes[position + 2]
        position += 3
        if flags & 0x80 != 0 { position += 2 }
        if flags & 0x40 != 0 { position += 1 + Int(bytes[position]) }
        if flags & 0x20 != 0 { position += 2 }
        guard descriptor(0x04) else { return (nil, nil) }
        let objectType = Int(bytes[position])
        position += 13
        guard descriptor(0x05) else { return (objectType, nil) }
        var audioObjectType = Int(bytes[position] >> 3)
        if audioObjectType == 31 { audioObjectType = 32 + Int((bytes[position] & 0x07) << 3 | bytes[position + 1] >> 5) }
        return (objectType, audioObjectType)
    }
}

extension ISOMediaFile {
    private static let aacObjectTypes = [1: "Main", 2: "LC", 3: "SSR", 4: "LTP", 5: "HE", 29: "HEv2"]
    private static let avcProfiles = [66: "Baseline", 77: "Main", 88: "Extended", 100: "High", 110: "High 10", 122: "High 4:2:2", 244: "High 4:4:4"]

    /// The facts of the first video and first audio track, and how many of each there are.
    func facts(container: String) -> MediaFacts {
        var facts = MediaFacts(container: container)
        let video = tracks.filter { $0.handler == "vide" }
        let audio = tracks.filter { $0.handler == "soun" }
        facts.videoTracks = video.count
        facts.audioTracks = audio.count
        facts.fastStart = fastStart
        facts.durationMilliseconds = durationMilliseconds
        if let first = video.first {
            facts.videoCodec = first.sampleEntry.map(Self.videoCodec)
            facts.width = first.width
            facts.height = first.height
            facts.profile = first.avcProfile.map { Self.avcProfiles[$0] ?? "profile \($0)" }
        }
        if let first = audio.first {
            facts.audioCodec = Self.audioCodec(first)
            facts.channels = first.channels
            if video.isEmpty, facts.audioCodec == "aac" { facts.profile = first.audioObjectType.flatMap { Self.aacObjectTypes[$0] } }
        }
        return facts
    }

    private static func videoCodec(_ entry: String) -> String {
        switch entry {
        case "avc1", "avc3": "h264"
        case "hvc1", "hev1": "hevc"
        case "mp4v": "mpeg4"
        case "av01": "av1"
        case "vp09": "vp9"
        case "vp08": "vp8"
        case "s263", "h263": "h263"
        case "apch", "apcn", "apcs", "apco", "ap4h", "ap4x": "prores"
        default: entry
        }
    }

    private static func audioCodec(_ track: Track) -> String? {
        guard let entry = track.sampleEntry else { return nil }
        switch entry {
        case "mp4a": break
        case "samr": return "amr-nb"
        case "sawb": return "amr-wb"
        case "Opus": return "opus"
        case "ac-3": return "ac3"
        case "ec-3": return "eac3"
        case ".mp3": return "mp3"
        case "alac": return "alac"
        case "fLaC": return "flac"
        case "lpcm", "sowt", "twos": return "pcm"
        default: return entry
        }
        switch track.objectType {
        case 0x40: return track.audioObjectType.map { aacObjectTypes[$0] != nil ? "aac" : "mpeg-4 audio object type \($0)" } ?? "aac"
        case 0x66, 0x67, 0x68: return "aac"
        case 0x69, 0x6B: return "mp3"
        case 0xA5: return "ac3"
        case 0xA6: return "eac3"
        case 0xAD: return "opus"
        case 0xDD: return "vorbis"
        case let other?: return "mp4a object type \(other)"
        case nil: return "mp4a"
        }
    }
}
