import Foundation
import TestSupport
import Testing
import UploadCore

@Suite("After the upload: reuse, expiry, refresh, export")
struct MediaLifetimeCommandTests {
    @Test("the same bytes by /media report the live id without sending; --force sends; sessions show the expiry")
    func reuse() async throws {
        try await withBinaryBed { bed in
            let menu = bed.makeFile("menu.png", size: 60_000)
            let first = try await bed.run(["upload", "--via", "media", "--json", menu])
            #expect(first.status == 0, "\(first.stderr)")
            let mediaID = try #require(first.objects.first?["media_id"] as? String)
            #expect(first.objects.first?["reused"] as? Bool == false)
            #expect((first.objects.first?["expires_at"] as? String)?.hasSuffix("Z") == true)

            let copy = (menu as NSString).deletingLastPathComponent + "/menu-copy.png"
            try FileManager.default.copyItem(atPath: menu, toPath: copy)
            let reused = try await bed.run(["upload", "--via", "media", copy])
            #expect(reused.status == 0, "\(reused.stderr)")
            #expect(
                reused.stderr.contains(
                    "menu-copy.png: reused: the same bytes went up as \(menu), expires in 29 d: id \(mediaID); --force sends them again"),
                "\(reused.stderr)")
            #expect(await bed.server.mediaUploads().count == 1, "nothing sent")
            let reusedJSON = try await bed.run(["upload", "--via", "media", "--json", copy])
            #expect(reusedJSON.objects.first?["reused"] as? Bool == true && reusedJSON.objects.first?["media_id"] as? String == mediaID)

            let forced = try await bed.run(["upload", "--via", "media", "--json", "--force", copy])
            #expect(forced.status == 0, "\(forced.stderr)")
            let forcedID = try #require(forced.objects.first?["media_id"] as? String)
            #expect(forcedID != mediaID && forced.objects.first?["reused"] as? Bool == false)
            #expect(await bed.server.mediaUploads().count == 2)

            let sessions = try await bed.run(["sessions"])
            #expect(sessions.lines.filter { $0.hasSuffix("expires in 29 d") }.count == 2, "\(sessions.stdout)")
            let listed = try await bed.run(["sessions", "--json"])
            #expect(listed.objects.allSatisfy { $0["standing"] as? String == "live" && $0["expires_at"] is String && $0["issued_at"] is String })
        }
    }

    @Test("refresh uploads the due files again into their rows, the old ids kept; nothing due says so")
    func refresh() async throws {
        try await withBinaryBed { bed in
            let poster = bed.makeFile("poster.png", size: 30_000)
            let note = try bed.makeFile("note.ogg", copying: "audio-opus-mono.ogg")
            let handle = bed.makeFile("header.png", size: 20_000)
            let first = try await bed.run(["upload", "--via", "media", "--json", poster, note])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(try await bed.run(["upload", "--json", handle]).status == 0)
            let oldIDs = Set(first.objects.compactMap { $0["media_id"] as? String })

            let nothing = try await bed.run(["refresh", "--within", "0"])
            #expect(nothing.status == 0 && nothing.stderr == "mediaup: no media id expires within 0 days\n", "\(nothing.stderr)")

            let refreshed = try await bed.run(["refresh", "--within", "30", "--json"])
            #expect(refreshed.status == 0, "\(refreshed.stderr)")
            #expect(Set(refreshed.objects.compactMap { $0["file"] as? String }) == [poster, note], "the handle is left alone")
            let newIDs = Set(refreshed.objects.compactMap { $0["media_id"] as? String })
            #expect(newIDs.count == 2 && newIDs.isDisjoint(with: oldIDs))
            let listed = try await bed.run(["sessions", "--json"]).objects
            #expect(listed.count == 3, "the same rows")
            #expect(Set(listed.flatMap { $0["earlier_ids"] as? [String] ?? [] }) == oldIDs)

            try Data("other bytes".utf8).write(to: URL(fileURLWithPath: poster))
            let changed = try await bed.run(["refresh", "--within", "30"])
            #expect(changed.status == 1)
            #expect(changed.stderr.contains("poster.png changed since its upload, so its id names other bytes; "), "\(changed.stderr)")
            #expect(try await bed.run(["refresh", "--within", "31"]).status == 2)
        }
    }

    @Test("export: CSV or JSON lines of the finished uploads, to stdout or written whole to a file")
    func export() async throws {
        try await withBinaryBed { bed in
            let poster = bed.makeFile("poster, \"final\".png", size: 30_000)
            let header = bed.makeFile("header.png", size: 20_000)
            #expect(try await bed.run(["upload", "--via", "media", poster]).status == 0)
            #expect(try await bed.run(["upload", header]).status == 0)
            let csv = try await bed.run(["export"])
            #expect(csv.status == 0, "\(csv.stderr)")
            let rows = csv.stdout.components(separatedBy: "\r\n")
            #expect(rows.first == "file,bytes,sha256,route,media_id,handle,issued_at,expires_at,state")
            #expect(rows.count == 4 && rows.last == "", "\(csv.stdout)")
            #expect(rows[1].hasPrefix("\"\(poster.replacingOccurrences(of: "\"", with: "\"\""))\",30000,") && rows[1].hasSuffix(",live"))
            #expect(rows[2].hasPrefix("\(header),20000,,resumable,,4::") && rows[2].hasSuffix(",,live"), "\(rows[2])")

            let target = bed.directory + "/uploads.jsonl"
            let written = try await bed.run(["export", "--format", "json", "-o", target])
            #expect(written.status == 0 && written.stdout.isEmpty)
            #expect(written.stderr == "mediaup: 2 uploads written to \(target)\n", "\(written.stderr)")
            let objects = try String(contentsOfFile: target, encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(objects.map { $0?["route"] as? String } == ["media", "resumable"])
            #expect(objects.first??["sha256"] as? String == (try SHA256Digest.ofFile(at: poster)))

            let nowhere = try await bed.run(["export", "-o", bed.directory + "/missing/uploads.csv"])
            #expect(nowhere.status == 1 && nowhere.stderr.contains("No such file or directory"), "\(nowhere.stderr)")
        }
    }
}

@Suite("upload --verify and media delete, with the journal")
struct VerifyAndDeleteTests {
    @Test("--verify passes what the server holds, and fails the file, keeping nothing as done, when its SHA-256 or size differ")
    func verify() async throws {
        try await withBinaryBed { bed in
            let menu = bed.makeFile("menu.png", size: 50_000)
            let fine = try await bed.run(["upload", "--via", "media", "--verify", "--json", menu])
            #expect(fine.status == 0, "\(fine.stderr)")
            #expect(fine.objects.first?["state"] as? String == "done")
            let lookups = await bed.server.requestLog().filter { $0.method == "GET" && $0.path.hasPrefix("/") && !$0.path.hasPrefix("/upload:") }
            #expect(lookups.count == 1, "one GET /<media id>: \(lookups.map(\.path))")
        }
        for fault in ["sha256", "size"] {
            try await withBinaryBed({
                $0.misreportsMediaSHA256 = fault == "sha256"
                $0.misreportsMediaSize = fault == "size"
            }) { bed in
                let menu = bed.makeFile("menu.png", size: 50_000)
                let wrong = try await bed.run(["upload", "--via", "media", "--verify", "--json", menu])
                #expect(wrong.status == 1, "\(fault): \(wrong.stderr)")
                let error = try #require(wrong.objects.first?["error"] as? String)
                #expect(error.hasPrefix("the server holds different bytes: media id "), "\(error)")
                #expect(error.contains("the file has 50000 bytes with SHA-256 \(try SHA256Digest.ofFile(at: menu))"))
                #expect(try await bed.run(["sessions", "--json"]).objects.first?["state"] as? String == "failed")
                // Without --verify the same server's answer is taken on trust.
                #expect(try await bed.run(["upload", "--via", "media", "--force", menu]).status == 0)
            }
        }
    }

    @Test("with --verify an id about to be reused is asked for first: one the server has dropped is not reused, and is marked so")
    func verifiedReuse() async throws {
        try await withBinaryBed({ $0.mediaLifetime = 2 }) { bed in
            let menu = bed.makeFile("menu.png", size: 40_000)
            let first = try await bed.run(["upload", "--via", "media", "--json", menu])
            let mediaID = try #require(first.objects.first?["media_id"] as? String)
            let copy = (menu as NSString).deletingLastPathComponent + "/menu-copy.png"
            try FileManager.default.copyItem(atPath: menu, toPath: copy)
            // Live by the journal's 30 days, gone on this server after 2 s.
            #expect(await eventually(within: 30) { (try? await bed.run(["media", "info", mediaID]))?.status == 1 })
            let trusted = try await bed.run(["upload", "--via", "media", "--json", copy])
            #expect(trusted.objects.first?["reused"] as? Bool == true, "without --verify the journal is trusted")
            let verified = try await bed.run(["upload", "--via", "media", "--verify", "--json", copy])
            #expect(verified.status == 0, "\(verified.stderr)")
            #expect(verified.objects.first?["reused"] as? Bool == false && verified.objects.first?["media_id"] as? String != mediaID)
            #expect(try await bed.run(["sessions"]).stdout.contains("id \(mediaID)  deleted"))
        }
    }

    @Test("media delete marks the journal's row deleted: it shows so, is exported so, and is not reused")
    func delete() async throws {
        try await withBinaryBed { bed in
            let menu = bed.makeFile("menu.png", size: 40_000)
            let first = try await bed.run(["upload", "--via", "media", "--json", menu])
            let mediaID = try #require(first.objects.first?["media_id"] as? String)
            let deleted = try await bed.run(["media", "delete", mediaID])
            #expect(deleted.status == 0 && deleted.stdout == "deleted \(mediaID)\n", "\(deleted.stderr)")
            #expect(try await bed.run(["sessions"]).stdout.contains("id \(mediaID)  deleted"))
            #expect(try await bed.run(["export"]).stdout.hasSuffix(",deleted\r\n"))
            let again = try await bed.run(["upload", "--via", "media", "--json", menu])
            #expect(again.objects.first?["reused"] as? Bool == false && again.objects.first?["media_id"] as? String != mediaID)
            #expect(await bed.server.mediaUploads().count == 2)
        }
    }
}
