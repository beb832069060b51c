/// What a file's headers say about its content; nil where the format does not tell or
/// the header was not read.
public struct MediaFacts: Sendable, Equatable {
    /// The container or stream format: mp4, 3gp, m4a, ogg, png, jpeg, webp, adts, mp3, amr.
    public var container: String
    /// The video codec (h264, hevc, mpeg4, av1, vp9, prores, or the sample entry's code).
    public var videoCodec: String?
    /// The audio codec of the first audio track or stream (aac, mp3, opus, vorbis, amr-nb...).
    public var audioCodec: String?
    /// The codec's profile: H.264 Main or High, AAC LC or HE, JPEG baseline or progressive.
    public var profile: String?
    public var width: Int?
    public var height: Int?
    /// Audio channels of the first audio track or stream.
    public var channels: Int?
    /// Bits per channel of an image.
    public var bitDepth: Int?
    /// An image's colour model: rgb, rgba, gray, gray+alpha, palette, cmyk, ycck.
    public var color: String?
    /// Video tracks in an ISO media file.
    public var videoTracks: Int?
    /// Audio tracks in an ISO media file, or logical streams in an Ogg file.
    public var audioTracks: Int?
    /// Whether a WebP is animated.
    public var animated: Bool?
    /// Whether an ISO media file's index (`moov`) comes before its media (`mdat`).
    public var fastStart: Bool?
    /// The length in milliseconds, where the header states it.
    public var durationMilliseconds: Int64?
    /// Whether an Ogg file qualifies as a WhatsApp voice note (Opus, 512 KB at most).
    public var voiceNote: Bool?

    public init(container: String) { self.container = container }
}

extension MediaFacts {
    /// The facts in a few words: "mp4 h264 Main 64×48 aac 1 ch, 0.5 s".
    public var summary: String {
        var words = [container]
        words += [videoCodec, profile].compactMap { $0 }
        if let width, let height { words.append("\(width)×\(height)") }
        if let depth = bitDepth { words.append("\(depth)-bit") }
        words += [color, audioCodec].compactMap { $0 }
        if let channels { words.append("\(channels) ch") }
        if let tracks = audioTracks, tracks > 1 { words.append("\(tracks) audio tracks") }
        if animated == true { words.append("animated") }
        if fastStart == false { words.append("no fast start") }
        if let duration = durationMilliseconds { words.append("\(duration / 1000).\(duration % 1000 / 100) s") }
        if let voiceNote { words.append(voiceNote ? "voice note" : "not a voice note") }
        return words.joined(separator: " ")
    }
}
