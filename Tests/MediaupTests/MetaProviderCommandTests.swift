import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

/// The binary with `--provider meta` against the sandbox speaking Meta's Graph API: the
/// settings from flags, the environment and the config file, in that order.
@Suite struct MetaProviderCommandTests {
    /// The bed's environment for Meta: the token in WHATSAPP_TOKEN, no 360dialog key.
    private func metaEnvironment(_ bed: BinaryBed) -> [String: String] {
        var environment = bed.environment
        environment["D360_API_KEY"] = nil
        environment["MEDIAUP_PROVIDER"] = "meta"
        environment["WHATSAPP_TOKEN"] = BinaryBed.key
        environment["XDG_CONFIG_HOME"] = bed.directory + "/config"
        return environment
    }

    @Test("upload by both routes, status, then media info, download and delete, with the ids from flags, env and the config file")
    func wholeRound() async throws {
        try await withBinaryBed({ $0.provider = .meta }) { bed in
            var environment = metaEnvironment(bed)
            let poster = bed.makeFile("poster.pdf", size: 700_000, magic: Magic.pdf)
            let photo = bed.makeFile("photo.png", size: 40_000)
            // The app id from the flag; the phone number id from the config file.
            try FileManager.default.createDirectory(atPath: bed.directory + "/config/mediaup", withIntermediateDirectories: true)
            _ = FileManager.default.createFile(
                atPath: bed.directory + "/config/mediaup/config", contents: Data("phone_number_id = 2002\n".utf8),
                attributes: [.posixPermissions: 0o600])
            let resumable = try await bed.run(["upload", "--json", "--app-id", "1001", poster], environment: environment)
            #expect(resumable.status == 0, "\(resumable.stderr)")
            #expect(resumable.objects.first?["handle"] as? String != nil)
            let media = try await bed.run(["upload", "--json", "--via", "media", photo], environment: environment)
            #expect(media.status == 0, "\(media.stderr)")
            let id = try #require(media.objects.first?["media_id"] as? String)
            let paths = await bed.server.requestLog().map { "\($0.method) \($0.path)" }
            #expect(paths.contains("POST /v26.0/1001/uploads") && paths.contains("POST /v26.0/2002/media"), "\(paths)")

            // The version from the environment; media info asks with the phone number id.
            environment["MEDIAUP_GRAPH_VERSION"] = "v25.0"
            let info = try await bed.run(["media", "info", id], environment: environment)
            #expect(info.status == 0, "\(info.stderr)")
            #expect(info.stdout.contains("image/png"))
            #expect(await bed.server.requestLog().last?.path == "/v25.0/\(id)")
            let out = bed.directory + "/photo-back.png"
            let download = try await bed.run(["media", "download", id, "-o", out], environment: environment)
            #expect(download.status == 0, "\(download.stderr)")
            #expect(FileManager.default.contents(atPath: out) == FileManager.default.contents(atPath: photo))
            #expect(try await bed.run(["media", "delete", id], environment: environment).status == 0)
            let gone = try await bed.run(["media", "info", id], environment: environment)
            #expect(gone.status != 0 && gone.stderr.contains("fbtrace_id"), "\(gone.stderr)")
            #expect(!(resumable.stderr + media.stderr + info.stdout + gone.stderr).contains(BinaryBed.key), "the token is never printed")
        }
    }

    @Test("a missing token, a missing app id, a bad version or provider: a clear message each, and nothing sent")
    func badSettings() async throws {
        try await withBinaryBed({ $0.provider = .meta }) { bed in
            let file = bed.makeFile("poster.pdf", size: 10_000, magic: Magic.pdf)
            var environment = metaEnvironment(bed)
            environment["WHATSAPP_TOKEN"] = nil
            let noToken = try await bed.run(["upload", file], environment: environment)
            #expect(noToken.status == 2 && noToken.stderr.contains("no access token: set WHATSAPP_TOKEN"), "\(noToken.stderr)")
            environment["WHATSAPP_TOKEN"] = BinaryBed.key
            let noApp = try await bed.run(["upload", file], environment: environment)
            #expect(noApp.status != 0 && noApp.stderr.contains("needs the app id: pass --app-id"), "\(noApp.stderr)")
            let badVersion = try await bed.run(["upload", "--app-id", "1", "--graph-version", "26", file], environment: environment)
            #expect(badVersion.status == 2 && badVersion.stderr.contains("not of the form v26.0"), "\(badVersion.stderr)")
            let badProvider = try await bed.run(["upload", "--provider", "facebook", file], environment: environment)
            #expect(
                badProvider.status == 2 && badProvider.stderr.contains("unknown provider \"facebook\": 360dialog or meta"), "\(badProvider.stderr)")
            #expect(await bed.server.requestLog().isEmpty)
        }
    }
}
