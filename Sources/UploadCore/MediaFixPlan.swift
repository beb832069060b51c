import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one conversion that removes every finding of a file at once, from the findings'
/// remedies: not a list of alternatives.
public enum MediaFixPlan: Sendable, Equatable {
    /// No findings: WhatsApp delivers the file as it is.
    case nothingToFix
    /// A finding no conversion removes (no video track, a file that cannot be read, a
    /// type or size the route refuses): its reason.
    case noConversion(String)
    case conversion(MediaConversion)

    /// What the text says where a fix would be.
    public static let noConversionText = "no conversion fixes it"

    public init(_ findings: [MediaFinding]) {
        guard !findings.isEmpty else {
            self = .nothingToFix
            return
        }
        if let stuck = findings.first(where: { $0.remedy == nil }) {
            self = .noConversion(stuck.reason)
            return
        }
        let remedies = findings.compactMap(\.remedy)
        let families = Set(remedies.map(\.family))
        guard families.count == 1, let first = remedies.first else {
            self = .noConversion("its problems need conversions to different kinds of file")
            return
        }
        self = .conversion(Self.conversion(first, Set(remedies)))
    }

    private static func conversion(_ first: MediaRemedy, _ remedies: Set<MediaRemedy>) -> MediaConversion {
        switch first {
        case .keepFirstVideoTrack, .keepFirstAudioTrack, .encodeH264Main, .encodeAAC, .moveIndexFirst:
            var arguments: [String] = []
            if remedies.contains(.keepFirstVideoTrack) {
                arguments += ["-map", "0:v:0", "-map", "0:a:0?"]
            } else if remedies.contains(.keepFirstAudioTrack) {
                arguments += ["-map", "0:v:0", "-map", "0:a:0"]
            }
            let video = remedies.contains(.encodeH264Main) ? ["-c:v", "libx264", "-profile:v", "main", "-bf", "0", "-pix_fmt", "yuv420p"] : nil
            let audio = remedies.contains(.encodeAAC) ? ["-c:a", "aac"] : nil
            if video == nil && audio == nil {
                arguments += ["-c", "copy"]
            } else {
                arguments += (video ?? ["-c:v", "copy"]) + (audio ?? ["-c:a", "copy"])
            }
            return MediaConversion(arguments: arguments + ["-movflags", "+faststart"], outputExtension: "mp4", muxer: "mp4")
        case .oneAACTrack:
            return MediaConversion(
                arguments: ["-vn", "-map", "0:a:0", "-c:a", "aac", "-movflags", "+faststart"], outputExtension: "m4a", muxer: "ipod")
        case .monoOpus:
            return MediaConversion(arguments: ["-vn", "-c:a", "libopus", "-ac", "1", "-b:a", "32k"], outputExtension: "ogg", muxer: "ogg")
        case .eightBitPNG:
            let alpha = remedies.contains(.eightBitPNG(alpha: true))
            return MediaConversion(arguments: ["-pix_fmt", alpha ? "rgba" : "rgb24", "-c:v", "png"], outputExtension: "png", muxer: "image2")
        case .rgbJPEG:
            return MediaConversion(arguments: ["-pix_fmt", "yuvj420p", "-q:v", "2", "-c:v", "mjpeg"], outputExtension: "jpg", muxer: "image2")
        case .squareSticker(let side):
            let filter =
                "scale=\(side):\(side):force_original_aspect_ratio=decrease,format=rgba,"
                + "pad=\(side):\(side):(ow-iw)/2:(oh-ih)/2:color=0x00000000"
            return MediaConversion(arguments: ["-vf", filter, "-c:v", "libwebp"], outputExtension: "webp", muxer: "webp", encoder: "libwebp")
        }
    }
}

/// One ffmpeg conversion: the arguments between the input and the output.
public struct MediaConversion: Sendable, Equatable {
    /// What goes between `-i INPUT` and the output's name.
    public var arguments: [String]
    /// The output's extension, which also tells ffmpeg the format when run by hand.
    public var outputExtension: String
    /// ffmpeg's name for the output format, for writing to a name without that extension.
    public var muxer: String
    /// An encoder not every ffmpeg build has, which the conversion needs.
    public var encoder: String?

    public init(arguments: [String], outputExtension: String, muxer: String, encoder: String? = nil) {
        self.arguments = arguments
        self.outputExtension = outputExtension
        self.muxer = muxer
        self.encoder = encoder
    }

    /// The command line to type, its paths in single quotes: "ffmpeg -i 'clip.mp4' … 'clip.whatsapp.mp4'".
    public func command(input: String, output: String) -> String {
        (["ffmpeg", "-i", ShellQuote.path(input)] + arguments.map(ShellQuote.word) + [ShellQuote.path(output)]).joined(separator: " ")
    }
}

/// Quoting for a POSIX shell, and for bash and zsh where a word holds control characters.
public enum ShellQuote {
    /// `text` in single quotes, each single quote written '\''; or, when it holds a
    /// control character (C0, DEL, C1) or a bidirectional control, which single quotes
    /// would keep raw (a newline, an escape the terminal acts on), in bash's and zsh's
    /// $'…': `\n`, `\t`, `\xHH` for each UTF-8 byte of the other controls, `\'` and `\\`.
    /// Either way the text holds no raw control character and is what to paste.
    public static func quoted(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { TerminalText.isControl($0) || TerminalText.isBidiControl($0) }) else {
            return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }
        var quoted = "$'"
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "'": quoted += "\\'"
            case "\\": quoted += "\\\\"
            case _ where TerminalText.isControl(scalar) || TerminalText.isBidiControl(scalar):
                quoted += String(scalar).utf8.map { "\\x" + (($0 < 0x10) ? "0" : "") + String($0, radix: 16) }.joined()
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "'"
    }

    /// A word as is when the shell reads it so, else quoted.
    public static func word(_ text: String) -> String {
        let plain =
            !text.isEmpty
            && text.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || "0123456789_@%+=:,./-".unicodeScalars.contains($0)) }
        return plain ? text : quoted(text)
    }

    /// A path for ffmpeg, quoted: one that ffmpeg would take for an option (a leading
    /// "-") or a protocol ("name:…") is given as "./…".
    public static func path(_ path: String) -> String { quoted(MediaFixPlan.literalPath(path)) }
}

extension MediaFixPlan {
    /// The conversion as a command line for the file at `path`, writing the name
    /// `outputPath` picks; nil when nothing needs fixing or no conversion fixes it.
    /// `taken` tells whether a name is in use (default: asks the disk).
    public func command(for path: String, taken: (String) -> Bool = MediaFixPlan.exists) -> String? {
        guard case .conversion(let conversion) = self else { return nil }
        return conversion.command(input: path, output: Self.outputPath(for: path, extension: conversion.outputExtension, taken: taken))
    }

    /// The name a conversion of `path` writes, beside it: NAME.whatsapp.EXT, or
    /// NAME.whatsapp-2.EXT, -3… when that is `taken` (default: exists on disk). An
    /// existing file is never overwritten.
    public static func outputPath(
        for path: String, extension ext: String, taken: (String) -> Bool = MediaFixPlan.exists
    ) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        var name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        var number = 1
        while true {
            let candidate = folder + name + ".whatsapp" + (number == 1 ? "" : "-\(number)") + "." + ext
            if !taken(candidate) { return candidate }
            number += 1
        }
    }

    /// The hidden file one conversion to `output` writes first, beside it:
    /// .NAME.whatsapp.EXT.TOKEN.partial. Each run picks its own `token`, so two runs on one
    /// file never write to, or remove, each other's partial, nor a file of the user's.
    public static func partialPath(for output: String, token: String) -> String {
        guard let slash = output.lastIndex(of: "/") else { return "." + output + "." + token + ".partial" }
        return String(output[...slash]) + "." + output[output.index(after: slash)...] + "." + token + ".partial"
    }

    /// A new random token for `partialPath`: eight hex digits.
    public static func partialToken() -> String {
        let text = String(UInt32.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }

    /// Whether anything, a dangling link included, has the name `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// `path` as ffmpeg reads a file name: "./" before one it would take for an option or a protocol.
    static func literalPath(_ path: String) -> String {
        let firstPart = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return !path.hasPrefix("/") && (path.hasPrefix("-") || firstPart.contains(":")) ? "./" + path : path
    }
}
