/// What a conversion must do to remove one finding. `MediaFixPlan` joins a file's
/// remedies into one ffmpeg command.
public enum MediaRemedy: Sendable, Equatable, Hashable {
    /// An MP4 or 3GP: keep the first video track and the first audio track, if any.
    case keepFirstVideoTrack
    /// An MP4 or 3GP: keep the video and the first audio track.
    case keepFirstAudioTrack
    /// An MP4 or 3GP: encode the video as H.264 Main, 4:2:0, without B-frames.
    case encodeH264Main
    /// An MP4 or 3GP: encode the audio as AAC.
    case encodeAAC
    /// An MP4 or 3GP: move the index (moov) before the media.
    case moveIndexFirst
    /// An M4A: keep the first audio track, encoded as AAC.
    case oneAACTrack
    /// An Ogg: encode the audio as mono Opus.
    case monoOpus
    /// A PNG: 8 bits per channel, RGB, or RGBA when the image may be transparent.
    case eightBitPNG(alpha: Bool)
    /// A JPEG: 8-bit YCbCr, which viewers show as sRGB.
    case rgbJPEG
    /// A sticker: scaled to fit a square of `side` pixels, the rest transparent.
    case squareSticker(side: Int)

    /// The kind of file the remedy's conversion writes; remedies of one family make one command.
    var family: String {
        switch self {
        case .keepFirstVideoTrack, .keepFirstAudioTrack, .encodeH264Main, .encodeAAC, .moveIndexFirst: "mp4"
        case .oneAACTrack: "m4a"
        case .monoOpus: "ogg"
        case .eightBitPNG: "png"
        case .rgbJPEG: "jpg"
        case .squareSticker: "webp"
        }
    }
}
