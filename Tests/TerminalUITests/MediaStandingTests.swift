import Foundation
import Testing

@testable import TerminalUI
@testable import UploadCore

/// A folder of videos read inside: one WhatsApp takes, one it warns about, one it refuses.
enum InspectedFixture {
    static let mp4 = MediaType(mime: "video/mp4", kind: .video)
    static let hevc = MediaFinding(.refused, "the video is HEVC (H.265); WhatsApp delivers only H.264 video", remedy: .encodeH264Main)
    static let high = MediaFinding(
        .warned, "H.264 High profile: B-frames are likely, and Android phones play them badly", remedy: .encodeH264Main)

    static func video(_ name: String, codec: String, profile: String?, findings: [MediaFinding]) -> FileEntry {
        var entry = FileEntry(
            name: name, path: "/data/" + name, isDirectory: false, size: 4_090, verdicts: [.resumable: .accepted(mp4), .media: .accepted(mp4)])
        entry.mime = "video/mp4"
        var facts = MediaFacts(container: "mp4")
        facts.videoCodec = codec
        facts.profile = profile
        facts.width = 64
        facts.height = 48
        entry.inspection = MediaInspection(facts: facts, findings: findings, bytesRead: 4_090)
        return entry
    }

    static let listing = [
        video("clip-hevc.mp4", codec: "hevc", profile: nil, findings: [hevc]),
        video("interview.mp4", codec: "h264", profile: "High", findings: [high]),
        video("promo.mp4", codec: "h264", profile: "Main", findings: []),
    ]

    static func state(width: Int = 80, height: Int = 24, checksMedia: Bool = true) -> AppState {
        var state = AppState(
            directory: "/data", hostLabel: "http://127.0.0.1:8360", isSandbox: true, homeDirectory: "/home/someone", checksMedia: checksMedia)
        _ = state.update(.resize(width: width, height: height))
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: listing)))
        return state
    }
}

@Suite("What is inside a file, on the screen")
struct MediaStandingTests {
    @Test("the Files pane marks ✓, ! and ✗ from what is inside; the details line gives the reason")
    func marks() {
        var state = InspectedFixture.state(width: 80, height: 10)
        state.selectEntry("interview.mp4")
        expectScreen(
            state,
            """
             mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable           no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ no uploads yet                             │
            │   clip-hevc.mp4        4.0 KB ✗││                                            │
            │   interview.mp4        4.0 KB !││                                            │
            │   promo.mp4            4.0 KB ✓││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             interview.mp4 · 4.0 KB · video/mp4 · ! H.264 High profile: B-frames are likel…
             Tab pane · Enter open/queue · Space mark · u upload · ? help · q quit
            """)
        let cells = state.render()
        #expect(cells[32, 3].style.foreground == .red && cells[32, 4].style.foreground == .yellow && cells[32, 5].style.foreground == .green)
    }

    @Test("with media checks off, only the type and size count: every row is ✓")
    func checksOff() {
        let state = InspectedFixture.state(checksMedia: false)
        #expect(state.listing.map { $0.standing(for: .resumable, checksMedia: false) } == Array(repeating: .takes(InspectedFixture.mp4), count: 3))
        #expect(state.render().lines.filter { $0.contains("✓") }.count == 3)
    }

    @Test("u queues the warned file and the good one, not the refused one, and says why")
    func upload() {
        var state = InspectedFixture.state()
        _ = state.update(.key(.character("a")))
        #expect(state.update(.key(.character("u"))) == [.upload(paths: ["/data/interview.mp4", "/data/promo.mp4"], route: .resumable)])
        #expect(state.message == "not queued — clip-hevc.mp4: the video is HEVC (H.265); WhatsApp delivers only H.264 video")

        var unchecked = InspectedFixture.state(checksMedia: false)
        unchecked.selectEntry("clip-hevc.mp4")
        #expect(unchecked.update(.key(.character("u"))) == [.upload(paths: ["/data/clip-hevc.mp4"], route: .resumable)])
    }

    @Test("i shows what is inside, why, and the one fix, wrapped inside the box")
    func details() {
        var state = InspectedFixture.state(width: 80, height: 24)
        state.selectEntry("clip-hevc.mp4")
        _ = state.update(.key(.character("i")))
        #expect(state.overlay == .fileDetails(path: "/data/clip-hevc.mp4"))
        expectScreen(
            state,
            """
             mediaup · SANDBOX http://127.0.0.1:8360 · mode: resumable           no uploads
            ┌ Files /data ───────────────────┐┌ Uploads ───────────────────────────────────┐
            │ ..                             ││ no uploads yet                             │
            │   clip-hevc.mp4        4.0 KB ✗││                                            │
            │  ┌ File ──────────────────────────────────────────────────────────────────┐  │
            │  │ file      /data/clip-hevc.mp4                                          │  │
            │  │ size      4.0 KB (4090 bytes) · video/mp4                              │  │
            │  │ inside    mp4 hevc 64×48                                               │  │
            │  │ WhatsApp  ✗ refuses it as a resumable upload (handle), or does not     │  │
            │  │           deliver it:                                                  │  │
            │  │           ✗ the video is HEVC (H.265); WhatsApp delivers only H.264    │  │
            │  │           video                                                        │  │
            │  │                                                                        │  │
            │  │ fix       ffmpeg -i '/data/clip-hevc.mp4' -c:v libx264 -profile:v main │  │
            │  │           -bf 0 -pix_fmt yuv420p -c:a copy -movflags +faststart        │  │
            │  │           '/data/clip-hevc.whatsapp.mp4'                               │  │
            │  │                                                                        │  │
            │  │ c copy the fix · f convert it now (ffmpeg) · m other mode · Esc close  │  │
            │  └────────────────────────────────────────────────────────────────────────┘  │
            │                                ││                                            │
            │                                ││                                            │
            └────────────────────────────────┘└────────────────────────────────────────────┘
             clip-hevc.mp4 · 4.0 KB · ✗ the video is HEVC (H.265); WhatsApp delivers only …
             Esc close
            """)
    }

    @Test("m in the details switches the mode, and the details follow it; q with a conversion running asks first")
    func modeInDetailsAndQuitWhileConverting() {
        var state = InspectedFixture.state(width: 80, height: 24)
        state.selectEntry("interview.mp4")
        _ = state.update(.key(.character("i")))
        #expect(state.render().lines.contains { $0.contains("! delivers it as a resumable upload (handle), but:") })
        _ = state.update(.key(.character("m")))
        #expect(state.route == .media && state.overlay == .fileDetails(path: "/data/interview.mp4"))
        #expect(state.render().lines.contains { $0.contains("! delivers it as /media (media id), but:") })
        _ = state.update(.key(.character("f")))
        #expect(state.fixing == ["/data/interview.mp4"])
        #expect(state.update(.key(.character("q"))).isEmpty && state.overlay == .confirmQuit)
        #expect(state.render().lines.contains { $0.contains("1 conversion(s) running: they will be stopped, nothing kept.") })
        #expect(state.render().lines.contains { $0.contains("y / Enter: quit    any other key: stay") })
        #expect(state.update(.key(.character("y"))) == [.quit] && state.message == "stopping conversions…")
    }

    @Test("in the details, c copies the fix command, whose output name the folder does not hold")
    func copyFix() {
        var listing = InspectedFixture.listing
        listing.append(FileEntry(name: "clip-hevc.whatsapp.mp4", path: "/data/clip-hevc.whatsapp.mp4", isDirectory: false))
        var state = InspectedFixture.state()
        _ = state.update(.listed(DirectoryListing(path: "/data", entries: listing)))
        state.selectEntry("clip-hevc.mp4")
        _ = state.update(.key(.character("i")))
        let effects = state.update(.key(.character("c")))
        #expect(
            effects == [
                .copy(
                    "ffmpeg -i '/data/clip-hevc.mp4' -c:v libx264 -profile:v main -bf 0 -pix_fmt yuv420p -c:a copy"
                        + " -movflags +faststart '/data/clip-hevc.whatsapp-2.mp4'")
            ])
        #expect(state.message == "copied the fix command")
        #expect(state.overlay != nil)
        _ = state.update(.key(.escape))
        #expect(state.overlay == nil)
    }

    @Test("f asks for one ffmpeg run per file; its end clears the mark and shows the outcome")
    func fix() {
        var state = InspectedFixture.state(width: 200)
        state.selectEntry("clip-hevc.mp4")
        #expect(state.update(.key(.character("f"))) == [.fix(path: "/data/clip-hevc.mp4", route: .resumable)])
        #expect(state.fixing == ["/data/clip-hevc.mp4"])
        #expect(state.message == "converting clip-hevc.mp4 with ffmpeg…; the new file appears beside it")
        // Once the notice goes, the details line still says so.
        _ = state.update(.key(.down))
        _ = state.update(.key(.up))
        #expect(state.render().lines.last { $0.contains("clip-hevc.mp4") }?.contains("converting with ffmpeg…") == true)
        #expect(state.update(.key(.character("f"))).isEmpty)
        #expect(state.message == "clip-hevc.mp4: already being converted")
        _ = state.update(.fixFinished(path: "/data/clip-hevc.mp4", outcome: "fixed  clip-hevc.mp4 → clip-hevc.whatsapp.mp4  (now ok)"))
        #expect(state.fixing.isEmpty)
        #expect(state.message == "fixed  clip-hevc.mp4 → clip-hevc.whatsapp.mp4  (now ok)")

        state.selectEntry("promo.mp4")
        #expect(state.update(.key(.character("f"))).isEmpty)
        #expect(state.message == "promo.mp4: WhatsApp takes it as it is; nothing to fix")
        // From the details overlay, f closes it and starts the run.
        state.selectEntry("interview.mp4")
        _ = state.update(.key(.character("i")))
        #expect(state.update(.key(.character("f"))) == [.fix(path: "/data/interview.mp4", route: .resumable)])
        #expect(state.overlay == nil)
    }

    @Test("a file no conversion fixes says so, and f starts nothing")
    func noConversion() {
        var state = Fixture.state()
        state.selectEntry("teaser.mov")
        #expect(state.update(.key(.character("f"))).isEmpty)
        #expect(state.message == "teaser.mov: WhatsApp does not take video/quicktime files; no conversion fixes it")
        _ = state.update(.key(.character("i")))
        #expect(state.render().lines.contains { $0.contains("fix       no conversion fixes it") })
    }

    @Test("wrapping keeps every character, breaks at spaces, and no line is wider than asked")
    func wrapping() {
        let line = "fix       ffmpeg -i '/a/very-long-folder-name-without-any-space-at-all/clip.mp4' -c:v libx264 -profile:v main"
        for width in [20, 30, 41, 60, 200] {
            let lines = AppState.wrapped(line, width: width, indent: 10)
            #expect(lines.allSatisfy { DisplayWidth.of($0) <= width }, "width \(width)")
            #expect(lines.map { $0.drop { $0 == " " } }.joined().filter { $0 != " " } == line.filter { $0 != " " })
        }
        #expect(AppState.wrapped("short", width: 40, indent: 10) == ["short"])
        #expect(AppState.wrapped("aaaa bbbb cccc dddd eeee", width: 19, indent: 2) == ["aaaa bbbb cccc dddd", "  eeee"])
    }
}
