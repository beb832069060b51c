import Foundation
import Sandbox
import TestSupport
import Testing
import Transport

@testable import UploadCore

/// What is Meta's own: its paths under a version, its two auth schemes, the ids its paths
/// need, and where its download URLs may point. The calls themselves run against both
/// providers in the upload and media suites.
@Suite struct GraphAPITests {
    @Test("each call goes to Meta's path with Meta's auth scheme; 360dialog's paths and header are refused")
    func pathsAndAuth() async throws {
        try await withTestBed(provider: .meta) { bed in
            let file = bed.makeFile("poster.png", size: 200_000)
            let uploader = try bed.makeUploader()
            let resumable = try await uploader.add(path: file, route: .resumable).snapshot
            let media = try await uploader.add(path: bed.makeFile("photo.png", size: 30_000), route: .media).snapshot
            let settled = await uploader.waitUntilSettled([resumable.id, media.id])
            #expect(settled.allSatisfy { $0.session.state == .done }, "\(settled.map(\.session.lastError))")
            let paths = await bed.server.requestLog().map { "\($0.method) \($0.path)" }
            #expect(paths.contains("POST /v26.0/1000000000000001/uploads"))
            #expect(paths.contains { $0.hasPrefix("POST /v26.0/upload:") })
            #expect(paths.contains("POST /v26.0/1000000000000002/media"))
            #expect(!paths.contains { $0.hasPrefix("POST /uploads") || $0.hasPrefix("POST /media") })

            // Another scheme, or 360dialog's header, is Meta's code 190.
            let base = bed.server.baseURL
            for (header, value, path) in [
                ("Authorization", "Bearer \(TestBed.key)", "/v26.0/1000000000000001/uploads?file_name=a.png&file_length=1&file_type=image/png"),
                ("D360-API-KEY", TestBed.key, "/v26.0/1000000000000001/uploads?file_name=a.png&file_length=1&file_type=image/png"),
                ("Authorization", "OAuth \(TestBed.key)", "/v26.0/\(try #require(settled[1].session.mediaID))"),
            ] {
                let answer = try await CurlTransport().send(
                    HTTPRequest(method: path.contains("uploads") ? .post : .get, url: base + path, headers: [(header, value)]),
                    limits: TransferLimits(), control: TransferControl(), progress: { _ in })
                #expect(answer.status == 401, "\(header): \(value.prefix(6))")
                let error = ServerError(status: answer.status, body: answer.body, headers: answer.headers)
                #expect(error.code == 190 && error.isAuthorization, "\(error)")
            }
        }
    }

    @Test("without the app id or the phone number id a call is refused before any request, naming what to set")
    func missingIDs() async throws {
        try await withTestBed(provider: .meta) { bed in
            let api = MediaAPI(
                endpoint: try APIEndpoint(metaBaseURL: bed.server.baseURL, token: TestBed.key, graph: try GraphAccount()),
                transport: CurlTransport())
            await #expect(
                throws: APIFailure.refused(
                    "a resumable upload on Meta's Graph API needs the app id: pass --app-id, set MEDIAUP_APP_ID, or put app_id in the config file")
            ) {
                _ = try await api.createSession(fileName: "a.pdf", length: 10, mimeType: "application/pdf", control: TransferControl())
            }
            let file = bed.makeFile("a.png", size: 100)
            await #expect(throws: APIFailure.self) {
                _ = try await api.uploadMedia(
                    path: file, fileName: "a.png", mimeType: "image/png", length: 100, control: TransferControl(), progress: { _ in })
            }
            #expect(await bed.server.requestLog().isEmpty)
        }
    }

    @Test("versions and ids are checked; the token is never in an error")
    func configuration() throws {
        for version in ["26.0", "v26", "v26.0.1", "vx.0", ""] {
            #expect(throws: ConfigurationError.self) { try GraphAccount(version: version) }
        }
        #expect(throws: ConfigurationError.self) { try GraphAccount(appID: "12a") }
        #expect(throws: ConfigurationError.self) { try GraphAccount(phoneNumberID: "") }
        #expect(try GraphAccount(version: "v19.0", appID: "1", phoneNumberID: "2").version == "v19.0")
        do {
            _ = try APIEndpoint(metaBaseURL: "https://graph.facebook.com", token: "EAAB\u{7}secret", graph: try GraphAccount())
            Issue.record("a token with a control character was taken")
        } catch {
            #expect(error.description.contains("access token") && !error.description.contains("secret"))
        }
        let noToken = #expect(throws: ConfigurationError.self) {
            try APIEndpoint(metaBaseURL: "https://graph.facebook.com", token: nil, graph: try GraphAccount())
        }
        #expect(noToken?.description.hasPrefix("no access token: set WHATSAPP_TOKEN") == true)
    }

    @Test("a media URL is fetched as given on lookaside.fbsbx.com or the API's own host, never elsewhere")
    func downloadHosts() throws {
        let api = MediaAPI(
            endpoint: try APIEndpoint(metaBaseURL: "https://graph.facebook.com", token: "t", graph: try GraphAccount()), transport: CurlTransport())
        func info(_ url: String) -> RemoteMedia {
            RemoteMedia(id: "1", url: url, mimeType: "image/png", sha256: String(repeating: "a", count: 64), fileSize: 1)
        }
        let lookaside = "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=png&hash=x"
        #expect(try api.downloadURL(for: info(lookaside)) == lookaside)
        #expect(try api.downloadURL(for: info("https://graph.facebook.com/x?y=1")) == "https://graph.facebook.com/x?y=1")
        for elsewhere in [
            "https://evil.example/whatsapp_business/attachments/?mid=1", "http://lookaside.fbsbx.com/a", "https://lookaside.fbsbx.com.evil.example/a",
        ] {
            #expect(throws: APIFailure.self, "\(elsewhere)") { try api.downloadURL(for: info(elsewhere)) }
        }
    }
}
