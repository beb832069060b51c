import Foundation
import Sandbox
import Synchronization
import TestSupport
import Testing
import Transport

@testable import UploadCore

/// Media info, download and delete against the sandbox over loopback, with SHA-256
/// compared end to end.
@Suite struct MediaAfterUploadTests {
    /// An API client with a budget of its own: the process-wide one is shared by every test.
    private func api(_ bed: TestBed, budget: MediaLookupBudget = MediaLookupBudget()) throws -> MediaAPI {
        var api = try bed.makeAPI(stallTimeout: 10)
        api.lookupBudget = budget
        return api
    }

    /// Uploads a PNG-headed file of `size` bytes through `POST /media`; its id, path and SHA-256.
    private func upload(_ bed: TestBed, size: Int, name: String = "a.png") async throws -> (id: String, path: String, sha256: String) {
        let path = bed.makeFile(name, size: size)
        let id = try await bed.makeAPI().uploadMedia(
            path: path, fileName: name, mimeType: "image/png", length: Int64(size), control: TransferControl(), progress: { _ in })
        return (id, path, try bed.sha256(path))
    }

    private func outputFolder(_ bed: TestBed) throws -> String {
        let folder = bed.directory + "/out-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    private func entries(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test(arguments: APIProvider.allCases) func infoOfAnUploadedIDGivesItsTypeSizeAndDigest(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let sent = try await upload(bed, size: 40_000)
            let api = try api(bed)
            let info = try await api.mediaInfo(id: sent.id, control: TransferControl())
            #expect(info.id == sent.id)
            #expect(info.mimeType == "image/png")
            #expect(info.fileSize == 40_000)
            #expect(info.sha256 == sent.sha256)
            #expect(info.fileExtension == "png")
            #expect(info.url.contains("/whatsapp_business/attachments/?mid=\(sent.id)&ext=png&hash="))
            #expect(try api.downloadURL(for: info).hasPrefix(bed.server.baseURL + "/whatsapp_business/attachments/?mid="))
        }
    }

    @Test(arguments: APIProvider.allCases) func aMultiMegabyteDownloadIsTheUploadByteForByte(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let sent = try await upload(bed, size: 9 << 20)
            let folder = try outputFolder(bed)
            let last = Mutex<(Int64, Int64)>((0, 0))
            let done = try await api(bed).downloadMedia(
                id: sent.id, to: .folder(folder, overwrite: false), control: TransferControl(),
                progress: { written, total in last.withLock { $0 = (written, total) } })
            #expect(done.location == folder + "/\(sent.id).png")
            #expect(done.sha256 == sent.sha256)
            #expect(done.bytes == 9 << 20)
            #expect(!done.refetchedInfo)
            #expect(try bed.sha256(done.location) == sent.sha256)
            #expect(entries(folder) == ["\(sent.id).png"])
            #expect(last.withLock { $0 } == (9 << 20, 9 << 20))
        }
    }

    @Test func aURLThatExpiredBeforeTheDownloadIsAskedForAgainOnce() async throws {
        // URLs live 3 s (to the next whole second), long enough for a loaded machine to use a fresh one.
        try await withTestBed({ $0.mediaURLLifetime = 3 }) { bed in
            let sent = try await upload(bed, size: 2 << 20)
            var api = try api(bed)
            // The first download request waits until its URL has expired.
            api = MediaAPI(endpoint: api.endpoint, transport: DelayingTransport(delay: 4.5), limits: api.limits)
            api.lookupBudget = MediaLookupBudget()
            let folder = try outputFolder(bed)
            let done = try await api.downloadMedia(id: sent.id, to: .folder(folder, overwrite: false), control: TransferControl())
            #expect(done.refetchedInfo)
            #expect(try bed.sha256(done.location) == sent.sha256)
            let log = await bed.server.requestLog()
            #expect(log.filter { $0.method == "GET" && $0.path == "/\(sent.id)" }.count == 2)
            #expect(log.filter { $0.path.hasPrefix("/whatsapp_business/attachments") }.map(\.status) == [404, 200])
            #expect(entries(folder) == ["\(sent.id).png"])
        }
    }

    @Test func aURLThatKeepsAnswering404IsAskedForAgainOnlyOnce() async throws {
        try await withTestBed({ $0.mediaURLLifetime = 1 }) { bed in
            let sent = try await upload(bed, size: 100_000)
            var api = MediaAPI(endpoint: try bed.makeAPI().endpoint, transport: DelayingTransport(delay: 2.5, every: true))
            api.lookupBudget = MediaLookupBudget()
            let folder = try outputFolder(bed)
            do throws(APIFailure) {
                _ = try await api.downloadMedia(id: sent.id, to: .folder(folder, overwrite: false), control: TransferControl())
                Issue.record("a download whose URL always expired succeeded")
            } catch {
                guard case .server(let answer) = error else { throw error }
                #expect(answer.status == 404)
            }
            let log = await bed.server.requestLog()
            #expect(log.filter { $0.method == "GET" && $0.path == "/\(sent.id)" }.count == 2)
            #expect(log.filter { $0.path.hasPrefix("/whatsapp_business/attachments") }.map(\.status) == [404, 404])
            #expect(entries(folder).isEmpty)
        }
    }

    @Test(arguments: APIProvider.allCases) func aDeletedIDIsNoSuchMediaEverAfter(provider: APIProvider) async throws {
        try await withTestBed(provider: provider) { bed in
            let sent = try await upload(bed, size: 10_000)
            let api = try api(bed)
            try await api.deleteMedia(id: sent.id, control: TransferControl())
            await #expect(throws: APIFailure.self) { _ = try await api.mediaInfo(id: sent.id, control: TransferControl()) }
            do throws(APIFailure) {
                _ = try await api.mediaInfo(id: sent.id, control: TransferControl())
            } catch {
                guard case .noSuchMedia(let id, let answer) = error else { throw error }
                #expect(id == sent.id)
                #expect(answer.status == 400 && answer.code == 100 && answer.subcode == 33 && answer.traceID != nil)
                #expect(error.description == "no such media id (unknown, expired after 30 days, or deleted): \(sent.id)")
                #expect(error.reaction == .fail)
            }
            do throws(APIFailure) {
                try await api.deleteMedia(id: sent.id, control: TransferControl())
                Issue.record("a second delete succeeded")
            } catch {
                guard case .noSuchMedia = error else { throw error }
            }
            let folder = try outputFolder(bed)
            await #expect(throws: APIFailure.self) {
                _ = try await api.downloadMedia(id: sent.id, to: .folder(folder, overwrite: false), control: TransferControl())
            }
            #expect(entries(folder).isEmpty)
            #expect(await bed.server.mediaUploads().first?.isDeleted == true)
        }
    }

    @Test func anIDOlderThanTheMediaLifetimeIsNoSuchMedia() async throws {
        try await withTestBed({ $0.mediaLifetime = 2 }) { bed in
            // The id's life starts between these two instants.
            let beforeUpload = ContinuousClock.now
            let sent = try await upload(bed, size: 10_000)
            let afterUpload = ContinuousClock.now
            let api = try api(bed)
            let first = try? await api.mediaInfo(id: sent.id, control: TransferControl())
            // On a loaded machine the first answer may come too late to be in its life.
            if ContinuousClock.now - beforeUpload < .seconds(2) { #expect(first?.sha256 == sent.sha256) }
            try await Task.sleep(until: afterUpload + .seconds(2.5))
            do throws(APIFailure) {
                _ = try await api.mediaInfo(id: sent.id, control: TransferControl())
                Issue.record("an expired id answered")
            } catch {
                guard case .noSuchMedia(let id, _) = error else { throw error }
                #expect(id == sent.id)
            }
        }
    }

    @Test(arguments: [true, false])
    func aDigestOrSizeThatDisagreesLeavesNothingUnderTheName(wrongDigest: Bool) async throws {
        try await withTestBed({
            $0.misreportsMediaSHA256 = wrongDigest
            $0.misreportsMediaSize = !wrongDigest
        }) { bed in
            let sent = try await upload(bed, size: 3 << 20)
            let folder = try outputFolder(bed)
            let target = folder + "/wanted.png"
            let api = try api(bed)
            do throws(APIFailure) {
                _ = try await api.downloadMedia(id: sent.id, to: .file(target, overwrite: false), control: TransferControl())
                Issue.record("a download that does not match was kept")
            } catch {
                guard case .mismatch(let detail) = error else { throw error }
                #expect(detail.contains(wrongDigest ? "SHA-256" : "bytes"))
            }
            #expect(entries(folder).isEmpty, "neither the file nor its temporary is left")
        }
    }

    @Test func aCancelledDownloadRemovesItsTemporary() async throws {
        try await withTestBed({ $0.downloadBytesPerSecond = 1_000_000 }) { bed in
            let sent = try await upload(bed, size: 4 << 20)
            let folder = try outputFolder(bed)
            let control = TransferControl()
            let sawTemporary = Mutex(false)
            let api = try api(bed)
            do throws(APIFailure) {
                _ = try await api.downloadMedia(
                    id: sent.id, to: .folder(folder, overwrite: false), control: control,
                    progress: { written, _ in
                        guard written > 300_000 else { return }
                        sawTemporary.withLock { $0 = $0 || entries(folder).contains { $0.hasSuffix(".partial") } }
                        control.cancel()
                    })
                Issue.record("a cancelled download completed")
            } catch {
                #expect(error == .transport(.cancelled))
            }
            #expect(sawTemporary.withLock { $0 }, "the bytes went to a temporary while they came")
            #expect(entries(folder).isEmpty)
        }
    }

    @Test func aFullDiskFailsTheDownloadSayingSo() async throws {
        try await withTestBed { bed in
            let sent = try await upload(bed, size: 1 << 20)
            let fd = open("/dev/full", O_WRONLY)
            try #require(fd >= 0)
            defer { close(fd) }
            let api = try api(bed)
            do throws(APIFailure) {
                _ = try await api.downloadMedia(id: sent.id, to: .descriptor(fd, label: "/dev/full"), control: TransferControl())
                Issue.record("a download to /dev/full succeeded")
            } catch {
                #expect(error == .transport(.writeFailed(path: "/dev/full", reason: String(cString: strerror(ENOSPC)))))
            }
        }
    }

    @Test func lookupsStopBeforeTheServerBlocksThem() async throws {
        try await withTestBed({ $0.mediaLookupBlockAfterErrors = 12 }) { bed in
            let api = try api(bed, budget: MediaLookupBudget(limit: 10))
            var answers: [String] = []
            for n in 0..<15 {
                do throws(APIFailure) {
                    _ = try await api.mediaInfo(id: String(1_000_000_000_000 + n), control: TransferControl())
                    answers.append("found")
                } catch {
                    switch error {
                    case .noSuchMedia: answers.append("no such")
                    case .refused(let why): answers.append(why)
                    default: answers.append(error.description)
                    }
                }
            }
            #expect(answers.prefix(10).allSatisfy { $0 == "no such" }, "\(answers)")
            #expect(
                answers.suffix(5).allSatisfy {
                    $0 == "stopped after 10 failed lookups: 360dialog blocks media lookups for 30 minutes after 20 errors in an hour"
                }, "\(answers)")
            let lookups = await bed.server.requestLog().filter { $0.method == "GET" }
            #expect(lookups.count == 10)
            #expect(!lookups.contains { $0.status == 429 })
        }
    }

    @Test func theFirstBlockedAnswerStopsLookupsAtOnce() async throws {
        // Blocked already by other processes' errors: the third lookup meets the block.
        try await withTestBed({ $0.mediaLookupBlockAfterErrors = 2 }) { bed in
            let api = try api(bed, budget: MediaLookupBudget(limit: 10))
            var answers: [String] = []
            for n in 0..<6 {
                do throws(APIFailure) {
                    _ = try await api.mediaInfo(id: String(1_000_000_000_000 + n), control: TransferControl())
                } catch {
                    if case .refused(let why) = error { answers.append(why) } else { answers.append("answered") }
                }
            }
            #expect(answers.prefix(3) == ["answered", "answered", "answered"])
            #expect(answers.suffix(3).allSatisfy { $0.hasPrefix("the server answered that media lookups are blocked (HTTP 429); stopped") })
            let lookups = await bed.server.requestLog().filter { $0.method == "GET" }
            #expect(lookups.count == 3 && lookups.last?.status == 429, "no lookup after the first 429")
        }
    }

    @Test(arguments: ["abc", "upload:MTph", "12/34", "", "1234567890123456789012345", "-5"])
    func anIDThatCannotBeOneIsRefusedBeforeAnyRequest(id: String) async throws {
        try await withTestBed { bed in
            let api = try api(bed)
            for call in 0..<3 {
                do throws(APIFailure) {
                    switch call {
                    case 0: _ = try await api.mediaInfo(id: id, control: TransferControl())
                    case 1: try await api.deleteMedia(id: id, control: TransferControl())
                    default: _ = try await api.downloadMedia(id: id, to: .folder(bed.directory, overwrite: false), control: TransferControl())
                    }
                    Issue.record("\(id) was asked about")
                } catch {
                    guard case .refused(let why) = error else { throw error }
                    #expect(why.contains("is not a media id"))
                }
            }
            #expect(await bed.server.requestLog().isEmpty)
            #expect(api.lookupBudget.recentErrors == 0)
        }
    }
}

/// CurlTransport, but the first download request (the attachments path) waits `delay`
/// seconds first, long enough for its URL to expire.
private final class DelayingTransport: HTTPTransport {
    private let inner = CurlTransport()
    private let delay: Double
    private let delayed = Mutex(false)
    private let every: Bool

    /// With `every`, each download request waits, not only the first.
    init(delay: Double, every: Bool = false) {
        self.delay = delay
        self.every = every
    }

    func send(
        _ request: HTTPRequest, limits: TransferLimits, control: TransferControl, progress: @escaping @Sendable (Int64) -> Void
    ) async throws(TransportError) -> HTTPResponse {
        let first =
            request.url.contains("/whatsapp_business/")
            && delayed.withLock { wasDelayed in
                defer { wasDelayed = true }
                return !wasDelayed || every
            }
        if first { try? await Task.sleep(for: .seconds(delay)) }
        return try await inner.send(request, limits: limits, control: control, progress: progress)
    }
}
