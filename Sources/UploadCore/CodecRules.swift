/// WhatsApp's delivery rules for what is inside a file (README, "Will WhatsApp deliver
/// it?"): the codecs, tracks, bit depths and sizes that are sent but never arrive, or
/// arrive badly. Each finding says what a conversion must do about it (`MediaRemedy`);
/// `MediaFixPlan` makes one ffmpeg command of them all.
enum CodecRules {
    /// The largest Ogg/Opus file WhatsApp shows as a voice note.
    static let voiceNoteLimit: Int64 = 512 * 1024
    /// The one size WhatsApp takes for stickers.
    static let stickerSide = 512

    private static let videoNames = [
        "hevc": "HEVC (H.265)", "mpeg4": "MPEG-4 Part 2", "av1": "AV1", "vp9": "VP9", "vp8": "VP8", "h263": "H.263", "prores": "ProRes",
    ]

    static func findings(_ facts: MediaFacts, kind: MediaKind) -> [MediaFinding] {
        switch kind {
        case .video: video(facts)
        case .audio: audio(facts)
        case .image: image(facts)
        case .sticker: sticker(facts)
        case .document: []
        }
    }

    private static func video(_ facts: MediaFacts) -> [MediaFinding] {
        var findings: [MediaFinding] = []
        switch facts.videoTracks ?? 0 {
        case 0: findings.append(MediaFinding(.refused, "there is no video track; send it as audio"))
        case 1: break
        case let count: findings.append(MediaFinding(.refused, "\(count) video tracks; WhatsApp takes one", remedy: .keepFirstVideoTrack))
        }
        if let codec = facts.videoCodec, codec != "h264" {
            findings.append(
                MediaFinding(.refused, "the video is \(videoNames[codec] ?? codec); WhatsApp delivers only H.264 video", remedy: .encodeH264Main))
        }
        if let audioTracks = facts.audioTracks, audioTracks > 1 {
            findings.append(MediaFinding(.refused, "\(audioTracks) audio tracks; WhatsApp takes at most one", remedy: .keepFirstAudioTrack))
        }
        if let audio = facts.audioCodec, audio != "aac" {
            findings.append(MediaFinding(.refused, "the audio is \(audio); WhatsApp delivers video only with AAC audio", remedy: .encodeAAC))
        }
        if facts.videoCodec == "h264", let profile = facts.profile, profile.hasPrefix("High") {
            findings.append(
                MediaFinding(
                    .warned, "H.264 \(profile) profile: B-frames are likely, and Android phones play them badly", remedy: .encodeH264Main))
        }
        if facts.fastStart == false {
            findings.append(
                MediaFinding(
                    .warned, "the index (moov) comes after the media (mdat), so playback waits for the whole download", remedy: .moveIndexFirst))
        }
        return findings
    }

    private static func audio(_ facts: MediaFacts) -> [MediaFinding] {
        switch facts.container {
        case "m4a":
            let tracks = facts.audioTracks ?? 0
            if tracks != 1 {
                return [
                    MediaFinding(
                        .refused, "\(tracks) audio tracks; an M4A must hold exactly one", remedy: tracks > 1 ? .oneAACTrack : nil)
                ]
            }
            if let codec = facts.audioCodec, codec != "aac" {
                return [MediaFinding(.refused, "the audio is \(codec); WhatsApp takes M4A only with AAC", remedy: .oneAACTrack)]
            }
        case "ogg":
            if let codec = facts.audioCodec, codec != "opus" {
                return [MediaFinding(.refused, "the Ogg stream is \(codec); WhatsApp plays Ogg only with Opus", remedy: .monoOpus)]
            }
            if let channels = facts.channels, channels > 1 {
                return [MediaFinding(.warned, "Opus with \(channels) channels; WhatsApp asks for mono", remedy: .monoOpus)]
            }
        default:
            break
        }
        return []
    }

    private static func image(_ facts: MediaFacts) -> [MediaFinding] {
        // A palette may hold transparent entries: it becomes RGBA, as do images with alpha.
        let alpha = ["rgba", "gray+alpha", "palette"].contains(facts.color)
        let convert: MediaRemedy = facts.container == "png" ? .eightBitPNG(alpha: alpha) : .rgbJPEG
        var findings: [MediaFinding] = []
        if let depth = facts.bitDepth, depth > 8 {
            findings.append(MediaFinding(.refused, "\(depth) bits per channel; WhatsApp takes 8", remedy: convert))
        }
        switch facts.color {
        case "rgb", "rgba": break
        case "gray", "gray+alpha": findings.append(MediaFinding(.warned, "a grayscale image; WhatsApp asks for RGB or RGBA", remedy: convert))
        case "palette": findings.append(MediaFinding(.warned, "a palette image; WhatsApp asks for RGB or RGBA", remedy: convert))
        case let color?: findings.append(MediaFinding(.refused, "the colours are \(color); WhatsApp takes only RGB or RGBA", remedy: convert))
        case nil: break
        }
        return findings
    }

    private static func sticker(_ facts: MediaFacts) -> [MediaFinding] {
        guard let width = facts.width, let height = facts.height, width != stickerSide || height != stickerSide else { return [] }
        let side = stickerSide
        return [MediaFinding(.refused, "\(width)×\(height); stickers must be \(side)×\(side)", remedy: .squareSticker(side: side))]
    }
}
