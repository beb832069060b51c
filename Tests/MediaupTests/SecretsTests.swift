import Foundation
import Sandbox
import TestSupport
import Testing
import UploadCore

@Suite("Secrets")
struct SecretsTests {
    /// Every file under `directory` whose bytes contain `marker`.
    func files(under directory: String, containing marker: String) -> [String] {
        let needle = Data(marker.utf8)
        let walker = FileManager.default.enumerator(atPath: directory)
        var hits: [String] = []
        while let relative = walker?.nextObject() as? String {
            let path = directory + "/" + relative
            if let data = FileManager.default.contents(atPath: path), data.range(of: needle) != nil { hits.append(relative) }
        }
        return hits
    }

    @Test("a full session with faults, a wrong key and every command leaves the key nowhere")
    func keyLeavesNoTrace() async throws {
        let marker = "MARKER-KEY-\(UUID().uuidString)"
        let wrongMarker = "WRONG-MARKER-\(UUID().uuidString)"
        // `bed` runs the binary (its sandbox takes the usual test key); `keyed` is a
        // sandbox that takes the marker, with a reset and a stall on the way.
        try await withBinaryBed({ $0.bytesPerSecond = 1_000_000 }) { bed in
            var environment = bed.environment
            environment["D360_API_KEY"] = marker
            try await withSandbox(
                apiKey: marker,
                {
                    $0.resetAtOffsets = [700_000]; $0.stallAtOffsets = [1_500_000]; $0.stallSeconds = 4
                }
            ) { keyed in
                environment["MEDIAUP_BASE_URL"] = keyed.server.baseURL
                let file = bed.makeFile("secret test.pdf", size: 2_500_000, magic: Magic.pdf)

                var outputs: [String] = []
                let upload = try await bed.run(["upload", "--json", "--stall-timeout", "1", file], environment: environment)
                #expect(upload.status == 0, "\(upload.stderr)")
                outputs += [upload.stdout, upload.stderr]
                let listed = try await bed.run(["sessions", "--json"], environment: environment)
                outputs += [listed.stdout, listed.stderr]
                let id = try #require(listed.objects.first?["id"] as? String)
                let status = try await bed.run(["status", id], environment: environment)
                outputs += [status.stdout, status.stderr]

                var wrong = environment
                wrong["D360_API_KEY"] = wrongMarker
                let refused = try await bed.run(["upload", "--json", bed.makeFile("other.png", size: 5000)], environment: wrong)
                #expect(refused.status == 1)
                outputs += [refused.stdout, refused.stderr]

                // Killed mid-upload: whatever a crash leaves behind holds no key either.
                var slow = environment
                slow["MEDIAUP_BASE_URL"] = bed.server.baseURL
                slow["D360_API_KEY"] = BinaryBed.key
                let killedRun = try bed.start(["upload", bed.makeFile("big.pdf", size: 3_000_000, magic: Magic.pdf)], environment: slow)
                #expect(await eventually { (await bed.server.sessions().first?.receivedBytes ?? 0) > 100_000 })
                kill(killedRun.process.processIdentifier, SIGKILL)
                let killed = await killedRun.outcome()
                outputs += [killed.stdout, killed.stderr]

                for text in outputs {
                    #expect(!text.contains(marker) && !text.contains(wrongMarker))
                }
                let state = bed.directory + "/state"
                #expect(FileManager.default.fileExists(atPath: state + "/journal.sqlite"))
                #expect(FileManager.default.fileExists(atPath: state + "/mediaup.log"))
                #expect(files(under: state, containing: marker).isEmpty)
                #expect(files(under: state, containing: wrongMarker).isEmpty)
                #expect(files(under: bed.directory, containing: marker).isEmpty)
                #expect(
                    files(
                        under: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                            .deletingLastPathComponent().appendingPathComponent("screenshots").path, containing: marker
                    ).isEmpty)
            }
        }
    }

    @Test("the key given in the environment is not on the process's command line")
    func notOnCommandLine() async throws {
        let marker = "ARGV-MARKER-\(UUID().uuidString)"
        try await withBinaryBed({ $0.bytesPerSecond = 200_000 }) { bed in
            var environment = bed.environment
            environment["D360_API_KEY"] = marker
            let running = try bed.start(["upload", bed.makeFile("slow.png", size: 2_000_000)], environment: environment)
            try await Task.sleep(for: .milliseconds(300))
            let commandLine = (try? String(contentsOfFile: "/proc/\(running.process.processIdentifier)/cmdline", encoding: .utf8)) ?? ""
            #expect(commandLine.contains("upload"))
            #expect(!commandLine.contains(marker))
            running.process.interrupt()
            _ = await running.outcome()
        }
    }

    @Test("a config file holds the key; readable by others it is used with a warning; a broken one is exit 2")
    func configFile() async throws {
        try await withBinaryBed { bed in
            let configPath = bed.directory + "/config"
            var environment = bed.environment
            environment["D360_API_KEY"] = nil
            environment["MEDIAUP_CONFIG"] = configPath
            let file = bed.makeFile("c.png", size: 5000)

            _ = FileManager.default.createFile(
                atPath: configPath, contents: Data("# mediaup\napi_key = \"\(BinaryBed.key)\"\n".utf8),
                attributes: [.posixPermissions: 0o600])
            let privateRun = try await bed.run(["upload", "--json", file], environment: environment)
            #expect(privateRun.status == 0, "\(privateRun.stderr)")
            #expect(!privateRun.stderr.contains("warning"))

            chmod(configPath, 0o644)
            let openRun = try await bed.run(["upload", "--json", bed.makeFile("d.png", size: 5000)], environment: environment)
            #expect(openRun.status == 0)
            #expect(openRun.stderr.contains("can be read by others (mode 644)"))
            #expect(openRun.stderr.contains("chmod 600"))
            #expect(!openRun.stderr.contains(BinaryBed.key))

            _ = FileManager.default.createFile(
                atPath: configPath, contents: Data("api_key \(BinaryBed.key)\n".utf8), attributes: [.posixPermissions: 0o600])
            let broken = try await bed.run(["upload", file], environment: environment)
            #expect(broken.status == 2)
            #expect(broken.stderr.contains("line 1: expected key = value"))
            #expect(!broken.stderr.contains(BinaryBed.key))
        }
    }
}
