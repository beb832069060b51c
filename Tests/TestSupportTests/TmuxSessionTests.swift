import Foundation
import TestSupport
import Testing

/// Drives plain `bash` through ``TmuxSession``: the helper the TUI's end-to-end tests use.
@Suite struct TmuxSessionTests {
    static let bash = ["bash", "--norc", "--noprofile"]

    /// Runs `body` with a new session and kills it afterwards, also when `body` throws.
    static func withSession(
        _ command: [String] = bash,
        environment: [String: String] = [:],
        width: Int = 120,
        height: Int = 32,
        workingDirectory: String? = nil,
        _ body: (TmuxSession) async throws -> Void
    ) async throws {
        let session = try await TmuxSession(
            command: command, environment: environment, width: width, height: height,
            workingDirectory: workingDirectory)
        try await withTmuxSession(session, body)
    }

    /// Whether one row of `screen` is exactly `line` (so the echoed command line,
    /// which also contains the text, does not count).
    static func hasLine(_ screen: String, _ line: String) -> Bool {
        screen.split(separator: "\n", omittingEmptySubsequences: false).contains { $0 == line }
    }

    @Test func typesAndWaitsForOutput() async throws {
        try await Self.withSession { session in
            try await session.sendText("echo hel''lo")
            try await session.sendKeys("Enter")
            let screen = try await session.waitUntil(timeout: 10) { Self.hasLine($0, "hello") }
            #expect(screen.contains("echo hel''lo"))
            #expect(await session.isRunning)
            #expect(try await session.exitStatus() == nil)
        }
    }

    @Test func literalTextKeepsKeyNamesAndSemicolons() async throws {
        try await Self.withSession { session in
            // "Enter" typed as letters, and an argument ending in ";" that tmux would
            // otherwise take as a command separator.
            try await session.sendText("echo Enter-x; echo done;")
            try await session.sendKeys("Enter")
            let screen = try await session.waitUntil(timeout: 10) { Self.hasLine($0, "done") }
            #expect(Self.hasLine(screen, "Enter-x"))
        }
    }

    @Test func capturesColorsAsSGR() async throws {
        try await Self.withSession { session in
            try await session.sendText(#"printf '\e[31mred\e[0m\n'"#)
            try await session.sendKeys("Enter")
            try await session.waitUntil(timeout: 10) { Self.hasLine($0, "red") }
            let colored = try await session.capture(colors: true)
            #expect(colored.contains("\u{1B}[31mred"))
            #expect(!(try await session.capture()).contains("\u{1B}"))
        }
    }

    @Test func resizeReachesTheProgram() async throws {
        try await Self.withSession(width: 100, height: 20) { session in
            try await session.sendText("tput cols; tput lines")
            try await session.sendKeys("Enter")
            try await session.waitUntil(timeout: 10) { Self.hasLine($0, "100") && Self.hasLine($0, "20") }
            try await session.resize(width: 77, height: 15)
            try await session.sendKeys("C-l")
            try await session.sendText("tput cols; tput lines")
            try await session.sendKeys("Enter")
            let screen = try await session.waitUntil(timeout: 10) { Self.hasLine($0, "77") && Self.hasLine($0, "15") }
            #expect(screen.split(separator: "\n", omittingEmptySubsequences: false).count == 15)
        }
    }

    @Test func exitStatusAndLastScreenSurviveExit() async throws {
        // The pause lets tmux read the words before the terminal closes: under load it
        // can see the hang-up first and drop what was still unread.
        try await Self.withSession(["bash", "-c", "echo 'last words'; sleep 0.5; exit 3"]) { session in
            let screen = try await session.waitFor("last words", timeout: 10)
            #expect(screen.contains("last words"))
            #expect(await eventually(within: 10) { (try? await session.exitStatus()) != nil })
            #expect(await !session.isRunning)
            #expect(try await session.exitStatus() == 3)
            // The last screen stays readable after the exit.
            #expect(try await session.capture().contains("last words"))
        }
    }

    @Test func timeoutErrorShowsTheScreen() async throws {
        try await Self.withSession { session in
            try await session.sendText("echo marker-$((6*7))")
            try await session.sendKeys("Enter")
            try await session.waitUntil(timeout: 10) { Self.hasLine($0, "marker-42") }
            do {
                try await session.waitFor("never shown", timeout: 0.3)
                Issue.record("waitFor returned for text that is not on screen")
            } catch let error as TmuxError {
                guard case .timedOut(let waitingFor, _, let screen) = error else {
                    Issue.record("unexpected error \(error)")
                    return
                }
                #expect(waitingFor.contains("never shown"))
                #expect(Self.hasLine(screen, "marker-42"))
                #expect(String(describing: error).contains("marker-42"))
            }
        }
    }

    @Test func environmentReachesTheProgramButNoArgv() async throws {
        let secret = "k3y-\(UUID().uuidString.prefix(8))"
        let directory = FileManager.default.temporaryDirectory.path
        try await Self.withSession(
            environment: ["MEDIAUP_TEST_SECRET": secret, "QUOTED": "it's \"quoted\" $HOME"],
            workingDirectory: directory
        ) { session in
            try await session.sendText(#"echo "[$MEDIAUP_TEST_SECRET] [$QUOTED] [$TERM] [$PWD]""#)
            try await session.sendKeys("Enter")
            let expected = "[\(secret)] [it's \"quoted\" $HOME] [screen-256color] [\(directory)]"
            try await session.waitUntil(timeout: 10) { $0.contains(expected) }
            #if os(Linux)
            // No process's command line (tmux's, the wrapper's, bash's) carries the secret.
            let processes = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { Int($0) != nil }
            for pid in processes {
                guard let argv = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
                #expect(!String(decoding: argv, as: UTF8.self).contains(secret), "pid \(pid) has the secret on its argv")
            }
            #endif
        }
    }

    @Test func killEndsTheServerAndTheProgram() async throws {
        let session = try await TmuxSession(command: Self.bash)
        #expect(await session.isRunning)
        await session.kill()
        #expect(await !session.isRunning)
        await session.kill()  // a second call does nothing
    }
}
