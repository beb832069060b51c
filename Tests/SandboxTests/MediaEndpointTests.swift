import Foundation
import TestSupport
import Testing

@testable import Sandbox

/// Media after the upload in the sandbox: `GET /<media id>`, the download URL, `DELETE`,
/// the lifetimes and the faults, spoken to with curl.
@Suite struct MediaEndpointTests {
    /// Uploads `source` through `POST /media`; returns the media id.
    private func upload(_ server: SandboxServer, _ source: String) async throws -> String {
        let r = try await curl([
            "-H", "Expect:", "-F", "messaging_product=whatsapp", "-F", "type=image/png",
            "-F", "file=@\(source);type=image/png;filename=p.png", "\(server.baseURL)/media",
        ])
        try #require(r.status == 200, "\(r.body)")
        return try #require(r.json["id"] as? String)
    }

    /// Fetches `url` into a file (the bytes exactly); returns the status and the file.
    private func download(_ url: String, key: String = testKey) async throws -> (status: Int, path: String) {
        let out = try TemporaryFolder.make(prefix: "sandbox-tests") + "/download"
        let r = try await RunningProcess.run(
            "/usr/bin/curl", ["-sS", "-o", out, "-w", "%{http_code}", "--max-time", "30", "-H", "D360-API-KEY: \(key)", url])
        return (Int(r.stdout) ?? -1, out)
    }

    private func isMetaNoSuchObject(_ r: CurlResult, _ id: String) -> Bool {
        let error = r.json["error"] as? [String: Any]
        return r.status == 400 && error?["code"] as? Int == 100 && error?["error_subcode"] as? Int == 33
            && error?["type"] as? String == "GraphMethodException" && (error?["fbtrace_id"] as? String)?.isEmpty == false
            && (error?["message"] as? String)?.contains("Object with ID '\(id)' does not exist") == true
    }

    @Test func infoGivesADownloadURLOnTheSandboxAndDeleteEndsIt() async throws {
        let source = try makeFile(1_500_000, seed: 11)
        try await withSandbox { server in
            let id = try await upload(server, source.path)
            let info = try await curl(["\(server.baseURL)/\(id)"])
            #expect(info.status == 200, "\(info.body)")
            #expect(info.json["messaging_product"] as? String == "whatsapp")
            #expect(info.json["id"] as? String == id)
            #expect(info.json["mime_type"] as? String == "image/png")
            #expect(info.json["file_size"] as? String == "1500000")
            let expected = try await sha256sum(source.path)
            #expect(info.json["sha256"] as? String == expected)
            let url = try #require(info.json["url"] as? String)
            #expect(url.hasPrefix("\(server.baseURL)/whatsapp_business/attachments/?mid=\(id)&ext=png&hash="))

            let fetched = try await download(url)
            #expect(fetched.status == 200)
            #expect(try await sha256sum(fetched.path) == expected)
            #expect(try await download(url, key: "wrong").status == 401)
            let tampered = url.replacingOccurrences(of: "hash=", with: "hash=9")
            #expect(try await download(tampered).status == 404)
            #expect(try await download(url.replacingOccurrences(of: "mid=\(id)", with: "mid=1\(id)")).status == 404)

            let deleted = try await curl(["-X", "DELETE", "\(server.baseURL)/\(id)"])
            #expect(deleted.status == 200)
            #expect(deleted.body == #"{"success":true}"#)
            #expect(isMetaNoSuchObject(try await curl(["\(server.baseURL)/\(id)"]), id))
            #expect(isMetaNoSuchObject(try await curl(["-X", "DELETE", "\(server.baseURL)/\(id)"]), id))
            #expect(isMetaNoSuchObject(try await curl(["\(server.baseURL)/4242"]), "4242"))
            #expect(try await download(url).status == 404)
            let media = try #require(await server.mediaUploads().first)
            #expect(media.isDeleted)
            #expect(!FileManager.default.fileExists(atPath: media.path), "a deleted upload's bytes are removed")
            // Session ids still go to the session route.
            #expect(try await curl(["\(server.baseURL)/upload:nope"]).body.contains("invalid signature"))
        }
    }

    @Test func theDownloadURLExpiresAfterItsLifetime() async throws {
        let source = try makeFile(20_000, seed: 12)
        try await withSandbox({ $0.mediaURLLifetime = 2 }) { server in
            let id = try await upload(server, source.path)
            let url = try #require(try await curl(["\(server.baseURL)/\(id)"]).json["url"] as? String)
            // Valid until the whole second after 2 s from the answer: 3.2 s later it is not.
            try await Task.sleep(for: .seconds(3.2))
            #expect(try await download(url).status == 404)
            let asked = ContinuousClock.now
            let fresh = try #require(try await curl(["\(server.baseURL)/\(id)"]).json["url"] as? String)
            let status = try await download(fresh).status
            // On a loaded machine the fetch may start too late to be in the URL's life.
            if ContinuousClock.now - asked < .seconds(2) { #expect(status == 200) }
        }
    }

    @Test func anIDExpiresAfterTheMediaLifetime() async throws {
        let source = try makeFile(20_000, seed: 16)
        try await withSandbox({ $0.mediaLifetime = 2 }) { server in
            let id = try await upload(server, source.path)
            let uploaded = ContinuousClock.now
            try await Task.sleep(until: uploaded + .seconds(2.5))
            #expect(isMetaNoSuchObject(try await curl(["\(server.baseURL)/\(id)"]), id))
        }
    }

    @Test func lookupsAreBlockedAfterTheConfiguredErrors() async throws {
        let source = try makeFile(2_000, seed: 13)
        try await withSandbox({ $0.mediaLookupBlockAfterErrors = 3 }) { server in
            let id = try await upload(server, source.path)
            for n in 0..<3 { #expect(try await curl(["\(server.baseURL)/\(900 + n)"]).status == 400) }
            let blocked = try await curl(["\(server.baseURL)/\(id)"])
            #expect(blocked.status == 429)
            #expect((blocked.json["error"] as? String)?.contains("blocked") == true)
        }
    }

    @Test func theFaultsMisreportTheDigestAndTheSize() async throws {
        let source = try makeFile(5_000, seed: 14)
        try await withSandbox({
            $0.misreportsMediaSHA256 = true
            $0.misreportsMediaSize = true
        }) { server in
            let id = try await upload(server, source.path)
            let info = try await curl(["\(server.baseURL)/\(id)"])
            let sha = try #require(info.json["sha256"] as? String)
            #expect(sha.count == 64)
            #expect(sha != (try await sha256sum(source.path)))
            #expect(info.json["file_size"] as? String == "5001")
        }
    }

    @Test func deletionAndUploadTimeSurviveARestartAndVersionOneRecordsAreMigrated() async throws {
        let source = try makeFile(3_000, seed: 15)
        let dir = try TemporaryFolder.make(prefix: "sandbox-tests")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (kept, gone) = try await withSandbox(storage: dir) { server in
            (try await upload(server, source.path), try await upload(server, source.path))
        }
        // A version 1 record as an older sandbox wrote it, 40 days ago, and one of today.
        let sha = try await sha256sum(source.path)
        var recentWhen = Date()
        for (id, age) in [("111", 40.0 * 86_400), ("222", 60.0)] {
            try Data(contentsOf: URL(fileURLWithPath: source.path)).write(to: URL(fileURLWithPath: dir + "/media-\(id)"))
            let v1 =
                #"{"dataFile":"media-\#(id)","fileName":"old.png","id":"\#(id)","length":3000,"messagingProduct":"whatsapp","sequence":\#(id == "111" ? 90 : 91),"sha256":"\#(sha)","type":"image\/png","version":1}"#
            let path = dir + "/media-\(id).json"
            try Data(v1.utf8).write(to: URL(fileURLWithPath: path))
            let when = Date().addingTimeInterval(-age)
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: path)
            if id == "222" { recentWhen = when }
        }
        let recentUpload = recentWhen.timeIntervalSince1970
        try await withSandbox(storage: dir) { server in
            let deleted = try await curl(["-X", "DELETE", "\(server.baseURL)/\(gone)"])
            #expect(deleted.status == 200)
        }
        try await withSandbox(storage: dir) { server in
            #expect(try await curl(["\(server.baseURL)/\(kept)"]).status == 200)
            #expect(isMetaNoSuchObject(try await curl(["\(server.baseURL)/\(gone)"]), gone))
            #expect(isMetaNoSuchObject(try await curl(["\(server.baseURL)/111"]), "111"), "40 days old: past the 30-day lifetime")
            let recent = try await curl(["\(server.baseURL)/222"])
            #expect(recent.status == 200, "\(recent.body)")
            #expect(recent.json["sha256"] as? String == sha)
            let rewritten = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/media-222.json"))) as? [String: Any]
            #expect(rewritten?["version"] as? Int == 2)
            // The file's time as set, however slowly the machine got here.
            #expect((rewritten?["uploadedAt"] as? Double).map { abs($0 - recentUpload) < 1 } == true)
        }
    }
}
