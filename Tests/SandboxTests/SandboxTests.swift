import Foundation
import TestSupport
import Testing

@testable import Sandbox

@Suite("Resumable sessions")
struct SessionTests {
    @Test func wholeUploadGivesHandleAndStoresExactBytes() async throws {
        let source = try makeFile(300_000)
        try await withSandbox { server in
            let id = try await server.createSession(length: source.data.count)
            #expect(id.hasPrefix("upload:"))
            #expect(id.contains("?sig="))

            let status = try await server.status(id)
            #expect(status.status == 200)
            #expect(status.json["id"] as? String == id)
            #expect(status.json["file_offset"] as? Int == 0)
            #expect(status.body.contains("\"file_offset\":0"))  // a JSON number, not a string

            let done = try await server.post(id, offset: 0, file: source.path)
            #expect(done.status == 200, "\(done.body)")
            let handle = try #require(done.json["h"] as? String)
            #expect(handle.hasPrefix("4::aW1hZ2UvcG5n:AR"))
            #expect(done.json["id"] == nil)

            let session = try #require(await server.sessions().first)
            #expect(session.id == id)
            #expect(session.fileName == "a.png")
            #expect(session.fileType == "image/png")
            #expect(session.declaredLength == 300_000)
            #expect(session.receivedBytes == 300_000)
            #expect(session.handle == handle)
            #expect(session.uploadRequests == 1)
            #expect(session.totalBodyBytesReceived == 300_000)
            let expected = try await sha256sum(source.path)
            #expect(session.sha256 == expected)
            #expect(try await sha256sum(session.path) == expected)
            #expect(try Data(contentsOf: URL(fileURLWithPath: session.path)) == source.data)

            let after = try await server.status(id)
            #expect(after.json["file_offset"] as? Int == 300_000)
        }
    }

    @Test func emptyBodyAtDeclaredLengthReturnsTheSameHandle() async throws {
        let source = try makeFile(10_000)
        try await withSandbox { server in
            let id = try await server.createSession(length: 10_000)
            let done = try await server.post(id, offset: 0, file: source.path)
            let handle = try #require(done.json["h"] as? String)
            let again = try await curl([
                "-X", "POST", "-H", "file_offset: 10000", "-H", "Content-Type: application/octet-stream",
                "--data-binary", "", "\(server.baseURL)/\(id)",
            ])
            #expect(again.status == 200)
            #expect(again.json["h"] as? String == handle)
            #expect(await server.sessions().first?.totalBodyBytesReceived == 10_000)
        }
    }

    @Test func twoChunksOnlyTheLastCarriesTheHandle() async throws {
        let source = try makeFile(200_001)
        let first = try writeTemp(source.data.prefix(100_000))
        let rest = try writeTemp(source.data.suffix(from: 100_000))
        try await withSandbox { server in
            let id = try await server.createSession(length: 200_001, type: "video/mp4", name: "v.mp4")
            let r1 = try await server.post(id, offset: 0, file: first)
            #expect(r1.status == 200)
            #expect(r1.json["h"] == nil)
            #expect(r1.json["file_offset"] as? Int == 100_000)
            #expect(r1.json["id"] as? String == id)

            let mid = try await server.status(id)
            #expect(mid.json["file_offset"] as? Int == 100_000)

            let r2 = try await server.post(id, offset: 100_000, file: rest)
            #expect(r2.status == 200)
            #expect((r2.json["h"] as? String)?.hasPrefix("4::dmlkZW8vbXA0:") == true)
            let session = try #require(await server.sessions().first)
            #expect(session.sha256 == (try await sha256sum(source.path)))
            #expect(session.uploadRequests == 2)
        }
    }

    @Test func wrongKeyIs401() async throws {
        try await withSandbox { server in
            let bad = try await curl(
                ["-X", "POST", "\(server.baseURL)/uploads?file_name=a.pdf&file_length=10&file_type=application/pdf"],
                key: "wrong")
            #expect(bad.status == 401)
            #expect((bad.json["error"] as? String)?.isEmpty == false)
            let none = try await curl(["\(server.baseURL)/upload:abc?sig=x"], key: nil)
            #expect(none.status == 401)
            #expect(await server.sessions().isEmpty)
        }
    }

    @Test func badCreateParametersAre400() async throws {
        try await withSandbox { server in
            let base = "\(server.baseURL)/uploads"
            let badType = try await curl(["-X", "POST", "\(base)?file_name=a.gif&file_length=10&file_type=image/gif"])
            #expect(badType.status == 400)
            #expect((badType.json["error"] as? String)?.contains("file_type") == true)
            let noLength = try await curl(["-X", "POST", "\(base)?file_name=a.pdf&file_type=application/pdf"])
            #expect(noLength.status == 400)
            let badLength = try await curl(["-X", "POST", "\(base)?file_name=a.pdf&file_length=x&file_type=application/pdf"])
            #expect(badLength.status == 400)
            let noName = try await curl(["-X", "POST", "\(base)?file_length=5&file_type=application/pdf"])
            #expect(noName.status == 400)
            for type in ["application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4"] {
                let ok = try await curl(["-X", "POST", "\(base)?file_name=f&file_length=5&file_type=\(type)"])
                #expect(ok.status == 200, "\(type)")
            }
            #expect(await server.sessions().count == 5)
        }
    }

    @Test func wrongOrMissingSignatureIs400() async throws {
        try await withSandbox { server in
            let id = try await server.createSession(length: 10)
            let token = id.split(separator: "?")[0]
            let wrong = try await curl(["\(server.baseURL)/\(token)?sig=ARnotit"])
            #expect(wrong.status == 400)
            #expect(wrong.json["error"] as? String == "invalid signature")
            let missing = try await curl(["-X", "POST", "-H", "file_offset: 0", "--data-binary", "x", "\(server.baseURL)/\(token)"])
            #expect(missing.status == 400)
            #expect(missing.json["error"] as? String == "invalid signature")
            #expect(await server.sessions().first?.receivedBytes == 0)
        }
    }

    @Test func wrongOffsetIsRefusedWithTheServersOffset() async throws {
        let source = try makeFile(1000)
        try await withSandbox { server in
            let id = try await server.createSession(length: 1000)
            let r = try await server.post(id, offset: 500, file: source.path)
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "file_offset mismatch: server has 0")
            let bad = try await server.post(id, offset: nil, file: source.path, extra: ["-H", "file_offset: abc"])
            #expect(bad.status == 400)
            // Absent header means 0.
            let ok = try await server.post(id, offset: nil, file: source.path)
            #expect(ok.json["h"] is String)
        }
    }

    @Test func bodyLongerThanDeclaredIs400() async throws {
        let source = try makeFile(1000)
        try await withSandbox { server in
            let id = try await server.createSession(length: 999)
            let r = try await server.post(id, offset: 0, file: source.path)
            #expect(r.status == 400)
            #expect((r.json["error"] as? String)?.contains("exceeds") == true)
        }
    }

    @Test func missingPrefixIs400() async throws {
        try await withSandbox { server in
            let post = try await curl(["-X", "POST", "--data-binary", "x", "\(server.baseURL)/abc?sig=x"])
            #expect(post.status == 400)
            #expect(post.json["error"] as? String == "missing 'upload:' prefix")
            let get = try await curl(["\(server.baseURL)/abc"])
            #expect(get.json["error"] as? String == "missing 'upload:' prefix")
        }
    }

    @Test func unknownAndExpiredSessionsAreReportedAsSuch() async throws {
        try await withSandbox({ $0.sessionLifetime = 3 }) { server in
            // A loaded machine may ask only after the lifetime: then a new session is tried.
            var id = ""
            var live = false
            for _ in 0..<5 where !live {
                id = try await server.createSession(length: 10)
                live = try await server.status(id).status == 200
            }
            #expect(live, "a new session answers as live")
            try await Task.sleep(for: .milliseconds(3500))
            let expired = try await server.status(id)
            #expect(expired.status == 400)
            #expect(expired.json["error"] as? String == "upload session not found or expired")
            #expect(await server.sessions().first?.isExpired == true)
        }
        try await withSandbox { server in
            let id = try await server.createSession(length: 10)
            await server.expireAllSessions()
            let source = try makeFile(10)
            let r = try await server.post(id, offset: 0, file: source.path)
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "upload session not found or expired")
            // A token the server never issued, correctly signed, is "not found" too.
            let token = "bm9zdWNo"
            let sig = server.signatureForTesting(token)
            let unknown = try await curl(["\(server.baseURL)/upload:\(token)?sig=\(sig)"])
            #expect(unknown.json["error"] as? String == "upload session not found or expired")
        }
    }

    @Test func requestLogHasNoSecrets() async throws {
        let source = try makeFile(100)
        try await withSandbox { server in
            let id = try await server.createSession(length: 100)
            _ = try await server.post(id, offset: 0, file: source.path)
            let log = await server.requestLog()
            #expect(log.map(\.method) == ["POST", "POST"])
            #expect(log.map(\.status) == [200, 200])
            #expect(log[0].path == "/uploads")
            #expect(log[1].path == "/" + String(id.split(separator: "?")[0]))
            #expect(log[1].fileOffset == "0")
            let text = "\(log)"
            #expect(!text.contains(testKey))
            #expect(!text.contains("sig="))
        }
    }
}

@Suite("Faults")
struct FaultTests {
    @Test func resetCutsTheConnectionAndKeepsExactlyTheBytesUpToTheOffset() async throws {
        let source = try makeFile(300_000)
        try await withSandbox({ $0.resetAtOffsets = [123_457] }) { server in
            let id = try await server.createSession(length: 300_000)
            let cut = try await server.post(id, offset: 0, file: source.path)
            // No HTTP response at all: curl reports a send/receive error, not a status.
            #expect(cut.status == 0)
            #expect([55, 56].contains(cut.exitCode), "curl exit \(cut.exitCode): \(cut.stderr)")
            #expect(
                cut.stderr.lowercased().contains("reset") || cut.stderr.lowercased().contains("recv")
                    || cut.stderr.lowercased().contains("send"), "\(cut.stderr)")

            let status = try await server.status(id)
            #expect(status.json["file_offset"] as? Int == 123_457)
            let session = try #require(await server.sessions().first)
            #expect(try Data(contentsOf: URL(fileURLWithPath: session.path)) == source.data.prefix(123_457))
            #expect(await server.requestLog().contains { $0.status == nil && $0.method == "POST" })

            // Resume from the server's offset: the fault fired once and does not fire again.
            let rest = try writeTemp(source.data.suffix(from: 123_457))
            let done = try await server.post(id, offset: 123_457, file: rest)
            #expect(done.json["h"] is String, "\(done.body)")
            let final = try #require(await server.sessions().first)
            #expect(final.sha256 == (try await sha256sum(source.path)))
            #expect(final.totalBodyBytesReceived >= 300_000)
        }
    }

    @Test func resetAfterTheLastByteThenEmptyPostGetsTheHandle() async throws {
        let source = try makeFile(50_000)
        try await withSandbox({ $0.resetAtOffsets = [50_000] }) { server in
            let id = try await server.createSession(length: 50_000)
            let cut = try await server.post(id, offset: 0, file: source.path)
            #expect(cut.status == 0)
            #expect(cut.exitCode != 0)
            #expect(try await server.status(id).json["file_offset"] as? Int == 50_000)
            let again = try await curl([
                "-X", "POST", "-H", "file_offset: 50000", "--data-binary", "", "\(server.baseURL)/\(id)",
            ])
            #expect(again.status == 200)
            let handle = try #require(again.json["h"] as? String)
            #expect(await server.sessions().first?.handle == handle)
            #expect(await server.sessions().first?.sha256 == (try await sha256sum(source.path)))
        }
    }

    @Test func stallStopsReadingAtTheOffsetForTheConfiguredTime() async throws {
        let source = try makeFile(200_000)
        try await withSandbox({
            $0.stallAtOffsets = [60_000]
            // Long enough that a loaded machine still asks while it lasts.
            $0.stallSeconds = 6
        }) { server in
            let id = try await server.createSession(length: 200_000)
            async let upload = server.post(id, offset: 0, file: source.path)
            // The offset reaches the stall point and stays there while the stall lasts.
            let reached = await eventually(within: 5) { (try? await server.status(id).json["file_offset"] as? Int) == 60_000 }
            #expect(reached)
            let done = try await upload
            #expect(done.json["h"] is String)
            #expect(done.seconds >= 5.9)
            #expect(await server.sessions().first?.sha256 == (try await sha256sum(source.path)))
        }
    }

    @Test func clientGivingUpDuringAStallCanResumeFromTheStallOffset() async throws {
        let source = try makeFile(2_000_000)
        try await withSandbox({
            $0.stallAtOffsets = [500_000]
            // Long enough that a loaded machine still gets the first 500 KB across before
            // curl gives up, and curl gives up well inside the stall.
            $0.stallSeconds = 6
        }) { server in
            let id = try await server.createSession(length: 2_000_000, type: "video/mp4")
            let gaveUp = try await server.post(id, offset: 0, file: source.path, extra: ["--max-time", "3"])
            #expect(gaveUp.exitCode == 28)  // curl's timeout: no response while the sandbox stalls
            #expect(gaveUp.status == 0)
            #expect(try await server.status(id).json["file_offset"] as? Int == 500_000)
            // Resume while the stalled request is still asleep on the server: the new one takes over.
            let rest = try writeTemp(source.data.suffix(from: 500_000))
            let done = try await server.post(id, offset: 500_000, file: rest)
            #expect(done.json["h"] is String, "\(done.body)")
            #expect(await server.sessions().first?.sha256 == (try await sha256sum(source.path)))
        }
    }

    @Test func rateLimitedCreatesAnswer429WithRetryAfter() async throws {
        try await withSandbox({
            $0.rateLimitedCreates = 2
            $0.retryAfterSeconds = 7
        }) { server in
            let url = "\(server.baseURL)/uploads?file_name=a.pdf&file_length=10&file_type=application/pdf"
            for _ in 0..<2 {
                let r = try await curl(["-X", "POST", url])
                #expect(r.status == 429)
                #expect(r.json["error"] as? String == "rate limited")
                #expect(r.headers.lowercased().contains("retry-after: 7"))
            }
            let ok = try await curl(["-X", "POST", url])
            #expect(ok.status == 200)
            #expect(await server.sessions().count == 1)
        }
    }

    @Test func failRateOneAnswers503BeforeReadingTheBody() async throws {
        let source = try makeFile(5000)
        try await withSandbox({ $0.failRate = 1 }) { server in
            let id = try await server.createSession(length: 5000)
            let r = try await server.post(id, offset: 0, file: source.path)
            #expect(r.status == 503)
            #expect(r.json["error"] as? String == "sandbox: injected failure")
            #expect(await server.sessions().first?.receivedBytes == 0)
            let media = try await curl([
                "-F", "messaging_product=whatsapp", "-F", "file=@\(source.path);type=image/png",
                "\(server.baseURL)/media",
            ])
            #expect(media.status == 503)
        }
    }

    @Test func throttleLimitsTheReadRate() async throws {
        let source = try makeFile(40_000)
        try await withSandbox({ $0.bytesPerSecond = 50_000 }) { server in
            let id = try await server.createSession(length: 40_000)
            let r = try await server.post(id, offset: 0, file: source.path)
            #expect(r.json["h"] is String)
            #expect(r.seconds >= 0.7, "took \(r.seconds)s")
        }
    }
}

@Suite("Plain media")
struct MediaTests {
    @Test func multipartUploadGivesNumericIDAndStoresExactBytes() async throws {
        let source = try makeFile(700_000, seed: 7)
        try await withSandbox { server in
            let r = try await curl([
                "-H", "Expect:",
                "-F", "messaging_product=whatsapp", "-F", "type=image/jpeg",
                "-F", "file=@\(source.path);type=image/jpeg;filename=photo.jpg",
                "\(server.baseURL)/media",
            ])
            #expect(r.status == 200, "\(r.body)")
            let id = try #require(r.json["id"] as? String)
            #expect(!id.isEmpty && id.allSatisfy(\.isNumber))
            let media = try #require(await server.mediaUploads().first)
            #expect(media.id == id)
            #expect(media.fileName == "photo.jpg")
            #expect(media.type == "image/jpeg")
            #expect(media.messagingProduct == "whatsapp")
            #expect(media.length == 700_000)
            let expected = try await sha256sum(source.path)
            #expect(media.sha256 == expected)
            #expect(try await sha256sum(media.path) == expected)
        }
    }

    @Test func multipartWithoutTypeFieldUsesThePartsContentType() async throws {
        let source = try makeFile(1234)
        try await withSandbox { server in
            let r = try await curl([
                "-F", "file=@\(source.path);type=application/pdf;filename=doc.pdf",
                "-F", "messaging_product=whatsapp",  // after the file: order does not matter
                "\(server.baseURL)/media",
            ])
            #expect(r.status == 200, "\(r.body)")
            #expect(await server.mediaUploads().first?.type == "application/pdf")
        }
    }

    @Test func multipartMissingFieldsOrWrongProductAre400() async throws {
        let source = try makeFile(100)
        try await withSandbox { server in
            let url = "\(server.baseURL)/media"
            let wrong = try await curl(["-F", "messaging_product=telegram", "-F", "file=@\(source.path)", url])
            #expect(wrong.status == 400)
            #expect(wrong.json["error"] as? String == "messaging_product must be 'whatsapp'")
            let noProduct = try await curl(["-F", "file=@\(source.path)", url])
            #expect(noProduct.status == 400)
            let noFile = try await curl(["-F", "messaging_product=whatsapp", url])
            #expect(noFile.status == 400)
            #expect(noFile.json["error"] as? String == "missing form field file")
            let notMultipart = try await curl(["--data-binary", "x", url])
            #expect(notMultipart.status == 400)
            #expect(await server.mediaUploads().isEmpty)
        }
    }
}

@Suite("Multipart parser")
struct MultipartParserTests {
    /// Parses `body` fed in pieces of `size` bytes; returns (headers, content) per part.
    func parse(_ body: [UInt8], boundary: String, pieceSize: Int) throws -> ([[String: String]], [[UInt8]], Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        var headers: [[String: String]] = []
        var contents: [[UInt8]] = []
        var index = 0
        while index < body.count {
            let end = min(index + pieceSize, body.count)
            let piece = Array(body[index..<end])
            try piece.withUnsafeBytes { bytes in
                try parser.feed(bytes) { event in
                    switch event {
                    case .partStart(let h):
                        headers.append(h)
                        contents.append([])
                    case .data(let d): contents[contents.count - 1].append(contentsOf: d)
                    case .partEnd: break
                    }
                }
            }
            index = end
        }
        return (headers, contents, parser.isFinished)
    }

    @Test(arguments: [1, 2, 3, 7, 13, 64, 4096])
    func boundaryStraddlingPiecesParsesTheSame(pieceSize: Int) throws {
        let boundary = "----XyZ123"
        // Content that contains near-misses of the delimiter.
        let tricky: [UInt8] = Array("ab\r\n--\r\n------XyZ12\r\n----XyZ\r".utf8) + (0..<300).map { UInt8($0 % 256) }
        var body = Array("preamble\r\n--\(boundary)\r\n".utf8)
        body += Array("Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp".utf8)
        body += Array("\r\n--\(boundary)\r\n".utf8)
        body += Array("Content-Disposition: form-data; name=\"file\"; filename=\"a;b.bin\"\r\nContent-Type: image/png\r\n\r\n".utf8)
        body += tricky
        body += Array("\r\n--\(boundary)--\r\nepilogue".utf8)

        let (headers, contents, finished) = try parse(body, boundary: boundary, pieceSize: pieceSize)
        #expect(finished)
        #expect(headers.count == 2)
        #expect(contents.first == Array("whatsapp".utf8))
        #expect(contents.last == tricky)
        #expect(headers.last?["content-type"] == "image/png")
        let disposition = dispositionParameters(headers.last?["content-disposition"] ?? "")
        #expect(disposition["name"] == "file")
        #expect(disposition["filename"] == "a;b.bin")
    }

    @Test func boundaryFromContentType() {
        #expect(MultipartStreamParser.boundary(fromContentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(MultipartStreamParser.boundary(fromContentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(MultipartStreamParser.boundary(fromContentType: "application/json") == nil)
    }
}

@Suite("Lifecycle")
struct LifecycleTests {
    @Test func manySandboxesStartAndStopInOneProcess() async throws {
        var ports: [Int] = []
        for _ in 0..<5 {
            try await withSandbox { server in
                #expect(server.port > 0)
                #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
                let r = try await curl(["\(server.baseURL)/upload:x?sig=y"])
                #expect(r.status == 400)
                ports.append(server.port)
            }
        }
        #expect(ports.count == 5)
        // After stop the port no longer answers.
        let r = try await curl(["--max-time", "2", "http://127.0.0.1:\(ports.last!)/uploads"])
        #expect(r.status == 0)
        #expect(r.exitCode == 7)  // couldn't connect
    }

    @Test func constantRoutesWinOverTheSessionParameterRoute() async throws {
        try await withSandbox { server in
            // POST /uploads reaches create (400 about parameters), not the session handler (prefix error).
            let create = try await curl(["-X", "POST", "\(server.baseURL)/uploads"])
            #expect(create.status == 400)
            #expect((create.json["error"] as? String)?.contains("file_name") == true)
            let media = try await curl(["-X", "POST", "--data-binary", "x", "\(server.baseURL)/media"])
            #expect(media.json["error"] as? String == "expected multipart/form-data with a boundary")
        }
    }
}
