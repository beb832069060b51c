/// WhatsApp's delivery rules for what is inside a file (README, "Will WhatsApp deliver
/// it?"): the codecs, tracks, bit depths and sizes that are sent but never arrive, or
/// arrive badly. Each finding carries an ffmpeg command that fixes it.
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
        let ext = facts.container
        let reencode = "ffmpeg -i in.\(ext) -c:v libx264 -profile:v main -bf 0 -pix_fmt yuv420p -c:a aac -movflags +faststart out.\(ext)"
        var findings: [MediaFinding] = []
        switch facts.videoTracks ?? 0 {
        case 0: findings.append(MediaFinding(.refused, "there is no video track; send it as audio", fix: "ffmpeg -i in.\(ext) -vn -c:a aac out.m4a"))
        case 1: break
        case let count:
            findings.append(
                MediaFinding(
                    .refused, "\(count) video tracks; WhatsApp takes one",
                    fix: "ffmpeg -i in.\(ext) -map 0:v:0 -map 0:a:0? -c copy -movflags +faststart out.\(ext)"))
        }
        if let codec = facts.videoCodec, codec != "h264" {
            findings.append(MediaFinding(.refused, "the video is \(videoNames[codec] ?? codec); WhatsApp delivers only H.264 video", fix: reencode))
        }
        if let audioTracks = facts.audioTracks, audioTracks > 1 {
            findings.append(
                MediaFinding(
                    .refused, "\(audioTracks) audio tracks; WhatsApp takes at most one",
                    fix: "ffmpeg -i in.\(ext) -map 0:v:0 -map 0:a:0 -c copy -movflags +faststart out.\(ext)"))
        }
        if let audio = facts.audioCodec, audio != "aac" {
            findings.append(
                MediaFinding(
                    .refused, "the audio is \(audio); WhatsApp delivers video only with AAC audio",
                    fix: "ffmpeg -i in.\(ext) -c:v copy -c:a aac -movflags +faststart out.\(ext)"))
        }
        if facts.videoCodec == "h264", let profile = facts.profile, profile.hasPrefix("High") {
            findings.append(
                MediaFinding(
                    .warned, "H.264 \(profile) profile: B-frames are likely, and Android phones play them badly",
                    fix: "ffmpeg -i in.\(ext) -c:v libx264 -profile:v main -bf 0 -pix_fmt yuv420p -c:a copy -movflags +faststart out.\(ext)"))
        }
        if facts.fastStart == false {
            findings.append(
                MediaFinding(
                    .warned, "the index (moov) comes after the media (mdat), so playback waits for the whole download",
                    fix: "ffmpeg -i in.\(ext) -c copy -movflags +faststart out.\(ext)"))
        }
        return findings
    }

    private static func audio(_ facts: MediaFacts) -> [MediaFinding] {
        switch facts.container {
        case "m4a":
            if (facts.audioTracks ?? 0) != 1 {
                return [
                    MediaFinding(
                        .refused, "\(facts.audioTracks ?? 0) audio tracks; an M4A must hold exactly one",
                        fix: "ffmpeg -i in.m4a -map 0:a:0 -c:a aac out.m4a")
                ]
            }
            if let codec = facts.audioCodec, codec != "aac" {
                return [MediaFinding(.refused, "the audio is \(codec); WhatsApp takes M4A only with AAC", fix: "ffmpeg -i in.m4a -c:a aac out.m4a")]
            }
        case "ogg":
            let opus = "ffmpeg -i in.ogg -c:a libopus -ac 1 -b:a 32k out.ogg"
            if let codec = facts.audioCodec, codec != "opus" {
                return [MediaFinding(.refused, "the Ogg stream is \(codec); WhatsApp plays Ogg only with Opus", fix: opus)]
            }
            if let channels = facts.channels, channels > 1 {
                return [MediaFinding(.warned, "Opus with \(channels) channels; WhatsApp asks for mono", fix: opus)]
            }
        default:
            break
        }
        return []
    }

    private static func image(_ facts: MediaFacts) -> [MediaFinding] {
        let ext = facts.container == "png" ? "png" : "jpg"
        let alpha = facts.color == "rgba" || facts.color == "gray+alpha"
        let convert = "ffmpeg -i in.\(ext) -pix_fmt \(ext == "png" ? (alpha ? "rgba" : "rgb24") : "yuvj420p") out.\(ext)"
        var findings: [MediaFinding] = []
        if let depth = facts.bitDepth, depth > 8 {
            findings.append(MediaFinding(.refused, "\(depth) bits per channel; WhatsApp takes 8", fix: convert))
        }
        switch facts.color {
        case "rgb", "rgba": break
        case "gray", "gray+alpha": findings.append(MediaFinding(.warned, "a grayscale image; WhatsApp asks for RGB or RGBA", fix: convert))
        case "palette": findings.append(MediaFinding(.warned, "a palette image; WhatsApp asks for RGB or RGBA", fix: convert))
        case let color?: findings.append(MediaFinding(.refused, "the colours are \(color); WhatsApp takes only RGB or RGBA", fix: convert))
        case nil: break
        }
        return findings
    }

    private static func sticker(_ facts: MediaFacts) -> [MediaFinding] {
        guard let width = facts.width, let height = facts.height, width != stickerSide || height != stickerSide else { return [] }
        let side = stickerSide
        return [
            MediaFinding(
                .refused, "\(width)×\(height); stickers must be \(side)×\(side)",
                fix:
                    "ffmpeg -i in.webp -vf \"scale=\(side):\(side):force_original_aspect_ratio=decrease,pad=\(side):\(side):(ow-iw)/2:(oh-ih)/2:color=0x00000000\" out.webp"
            )
        ]
    }
}
