import Foundation

/// A terminal program running in a detached tmux pane, for end-to-end tests that type
/// keys and read the screen.
///
/// Each session starts its own tmux server on a private socket (`tmux -S <socket>` in
/// the session's own 0700 temporary folder, the path form of `-L <unique>`) with its own
/// configuration file, so tests never touch the user's tmux server or settings.
/// The pane has no status line (the program gets exactly `width` × `height`),
/// `escape-time` 0 (a lone Escape arrives at once) and `remain-on-exit on`, so the last
/// screen of a program that exited or crashed can still be captured and its exit status
/// read.
///
/// The program is started through a wrapper script (mode 0700, in a private temporary
/// folder) that exports `TERM=screen-256color` and `environment`, changes to
/// `workingDirectory` and execs `command`. Secrets such as API keys therefore appear in
/// no process's argv, neither tmux's nor the program's.
///
/// Every tmux call is a ``RunningProcess``, so no thread of Swift's cooperative pool ever
/// blocks on it.
public final class TmuxSession: Sendable {
    /// The private socket passed to `tmux -S`, inside the session's temporary folder.
    public let socketPath: String
    /// The tmux target of the session's only pane.
    private let target = "mediaup:0.0"
    /// A 0700 folder holding the wrapper script, the tmux configuration and output files.
    private let directory: String
    private let killed = KilledFlag()
    /// The `tmux -D` server process, a direct child of the test process.
    private let server: ServerProcess

    /// Starts `command` (the program and its arguments, never passed through a shell
    /// unquoted) in a new detached tmux session of `width` × `height` cells.
    ///
    /// - Parameters:
    ///   - command: the program (looked up on `PATH` if not a path) and its arguments.
    ///   - environment: variables exported to the program, after `TERM=screen-256color`
    ///     (so a `TERM` here wins). Names must be shell identifiers.
    ///   - workingDirectory: the program's current directory; the caller's if `nil`.
    public init(
        command: [String],
        environment: [String: String] = [:],
        width: Int = 120,
        height: Int = 32,
        workingDirectory: String? = nil
    ) async throws {
        guard !command.isEmpty else { throw TmuxError.invalidArgument("command is empty") }
        for name in environment.keys where !Self.isShellIdentifier(name) {
            throw TmuxError.invalidArgument("environment name \(name.debugDescription) is not a shell identifier")
        }
        directory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("mediaup-tmux-\(UUID().uuidString.prefix(13))").path
        socketPath = directory + "/tmux.sock"
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        // Read when the server starts, so remain-on-exit already holds for a program
        // that exits at once. An empty remain-on-exit-format: tmux 3.3 otherwise writes
        // "Pane is dead" at the bottom, scrolling the program's last screen away.
        let configuration = """
            set -g remain-on-exit on
            set -g remain-on-exit-format ""
            set -g status off
            set -sg escape-time 0
            set -g history-limit 2000
            set -g default-terminal screen-256color

            """
        try Self.write(configuration, to: directory + "/tmux.conf", mode: 0o600)

        // TERM must describe what tmux sends (End is \e[4~, as in screen's entry), or
        // the program's terminfo does not know such keys.
        var script = "#!/bin/sh\nexport TERM=screen-256color\n"
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            script += "export \(name)=\(Self.shellQuote(value))\n"
        }
        if let workingDirectory {
            script += "cd -- \(Self.shellQuote(workingDirectory)) || exit 127\n"
        }
        // The shell waits and writes the exit status to a file: tmux does not always
        // record a dead pane's status in time (or at all) under load. A Ctrl-C reaches the
        // shell too, and dash, caught between its wait and the next line, dies of one:
        // a trap (which the program does not inherit) keeps it alive to write the status.
        script += "trap : INT QUIT\n"
        script += command.map(Self.shellQuote).joined(separator: " ") + "\n"
        script += "echo $? > " + Self.shellQuote(directory + "/exit-status") + "\n"
        let scriptPath = directory + "/run.sh"
        try Self.write(script, to: scriptPath, mode: 0o700)

        server = try await Self.startServer(socketPath: socketPath, directory: directory)
        // Two or more arguments: tmux execs them directly, without `sh -c` re-parsing.
        try await tmux(
            "new-session", "-d", "-s", "mediaup", "-n", "main",
            "-x", String(width), "-y", String(height), "/bin/sh", scriptPath)
    }

    deinit {
        // Leave no tmux server behind when a test fails before `kill()`; fire and forget.
        // SIGTERM makes tmux hang up its panes and exit.
        if killed.set() {
            server.terminate()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    /// Sends keys by tmux name, one argument per key: `"Down"`, `"Enter"`, `"Space"`,
    /// `"Tab"`, `"BTab"` (Shift-Tab), `"Escape"`, `"BSpace"`, `"q"`, `"C-c"`, `"M-x"`, `"F5"`.
    /// A string that is no key name is typed as its characters (`"ls"` types l, s);
    /// use ``sendText(_:)`` for arbitrary text.
    public func sendKeys(_ keys: String...) async throws {
        guard !keys.isEmpty else { return }
        try await tmux(["send-keys", "-t", target] + keys.map(Self.escapeSemicolon))
    }

    /// Types `text` literally (`send-keys -l`): key names are not interpreted, so
    /// `"Enter"` types E, n, t, e, r. Newlines in `text` arrive as Enter.
    public func sendText(_ text: String) async throws {
        guard !text.isEmpty else { return }
        try await tmux("send-keys", "-t", target, "-l", "--", Self.escapeSemicolon(text))
    }

    /// The visible screen (`capture-pane -p`), one line per row joined by `"\n"`,
    /// trailing blanks of each row trimmed by tmux. With `colors`, SGR escape sequences
    /// for colors and attributes are included (`-e`), as `scripts/ansi2png.py` reads.
    /// With `history`, the lines scrolled off the top come first (`-S -`).
    public func capture(colors: Bool = false, history: Bool = false) async throws -> String {
        var arguments = ["capture-pane", "-p", "-t", target]
        if colors { arguments.append("-e") }
        if history { arguments += ["-S", "-"] }
        var screen = try await tmux(arguments)
        if screen.hasSuffix("\n") { screen.removeLast() }
        return screen
    }

    /// Polls the screen until it contains `text` and returns that screen; throws
    /// ``TmuxError/timedOut(waitingFor:after:screen:)`` with the last screen otherwise.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 20) async throws -> String {
        try await waitUntil(timeout: timeout, description: text.debugDescription) { $0.contains(text) }
    }

    /// Polls the screen until `predicate` holds for it and returns that screen; throws
    /// ``TmuxError/timedOut(waitingFor:after:screen:)`` with the last screen otherwise.
    @discardableResult
    public func waitUntil(timeout: Double = 20, _ predicate: (String) -> Bool) async throws -> String {
        try await waitUntil(timeout: timeout, description: "a condition", predicate)
    }

    private func waitUntil(
        timeout: Double, description: String, _ predicate: (String) -> Bool
    ) async throws -> String {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while true {
            let screen = try await capture()
            if predicate(screen) { return screen }
            if ContinuousClock.now >= deadline {
                throw TmuxError.timedOut(waitingFor: description, after: timeout, screen: screen)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Resizes the pane to `width` × `height` cells; the program gets SIGWINCH.
    public func resize(width: Int, height: Int) async throws {
        try await tmux("resize-window", "-t", target, "-x", String(width), "-y", String(height))
    }

    /// Whether the program is still running (its pane is not dead). `false` once the
    /// session is gone.
    public var isRunning: Bool {
        get async {
            guard let state = try? await tmux("list-panes", "-t", target, "-F", "#{pane_dead}") else { return false }
            return state.trimmingCharacters(in: .whitespacesAndNewlines) == "0"
        }
    }

    /// The program's exit status once it has exited and tmux has recorded it, else `nil`. A program
    /// killed by a signal reports 128 + the signal number, as a shell would.
    public func exitStatus() async throws -> Int32? {
        if let recorded = try? String(contentsOfFile: directory + "/exit-status", encoding: .utf8),
            let status = Int32(recorded.trimmingCharacters(in: .whitespacesAndNewlines))
        {
            return status
        }
        let state = try await tmux(
            "list-panes", "-t", target, "-F", "#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}")
        let fields = state.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3, fields[0] == "1" else { return nil }
        if let status = Int32(fields[1]) { return status }
        if let signal = Int32(fields[2]) { return 128 + signal }
        // Dead, but tmux has not recorded how yet.
        return nil
    }

    /// Stops the program and the private tmux server, and removes the temporary folder.
    /// Safe to call more than once.
    public func kill() async {
        guard killed.set() else { return }
        _ = try? await tmux("kill-server")
        let deadline = ContinuousClock.now + .seconds(3)
        while server.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        server.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Running tmux

    @discardableResult
    private func tmux(_ arguments: String...) async throws -> String {
        try await tmux(arguments)
    }

    /// Starts the tmux server in the foreground (`-D`) as a direct child and waits for its
    /// socket.
    ///
    /// Letting the first client fork the server, as `tmux new-session` normally does,
    /// breaks Foundation's `Process` on Linux: it notices a child's exit when every copy
    /// of a socket handed to the child is closed, and the daemonized server keeps its copy
    /// for life, so that client's `terminationHandler` never runs (and the client stays a
    /// zombie). With a server already listening, clients never fork.
    ///
    /// The server is spawned from a dedicated thread with no blocked signals: a child
    /// inherits the spawning thread's signal mask, the pool's threads block nearly all
    /// signals, and a tmux server that never sees SIGCHLD or SIGTERM neither records
    /// exit statuses nor exits on `kill-server`.
    private static func startServer(socketPath: String, directory: String) async throws -> ServerProcess {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: tmuxPath)
        server.arguments = ["-S", socketPath, "-f", directory + "/tmux.conf", "-D"]
        server.environment = tmuxEnvironment
        server.standardInput = FileHandle.nullDevice
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        let box = ServerProcess(server)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                var empty = sigset_t()
                sigemptyset(&empty)
                pthread_sigmask(SIG_SETMASK, &empty, nil)
                do {
                    try box.run()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard server.isRunning, ContinuousClock.now < deadline else {
                if server.isRunning { server.terminate() }
                throw TmuxError.commandFailed(
                    arguments: server.arguments ?? [], status: server.isRunning ? -1 : server.terminationStatus,
                    output: "the tmux server did not create its socket")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return box
    }

    /// Runs `tmux -S <socket> arguments` and returns its standard output.
    @discardableResult
    private func tmux(_ arguments: [String]) async throws -> String {
        let outcome = try await RunningProcess.run(
            Self.tmuxPath, ["-S", socketPath] + arguments, environment: Self.tmuxEnvironment)
        guard outcome.status == 0 else {
            throw TmuxError.commandFailed(arguments: arguments, status: outcome.status, output: outcome.stderr + outcome.stdout)
        }
        return outcome.stdout
    }

    /// `tmux` on `PATH` (or `/usr/bin/tmux`).
    private static let tmuxPath: String = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/tmux"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/tmux"
    }()

    /// The test's environment without `TMUX`/`TMUX_PANE`, so a test run inside tmux does
    /// not look like nesting to the private server.
    private static let tmuxEnvironment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil
        environment["TMUX_PANE"] = nil
        return environment
    }()

    // MARK: - Quoting

    /// `value` in single quotes for /bin/sh, with embedded single quotes as `'\''`.
    static func shellQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// tmux splits commands at an argument ending in `;`; a preceding backslash keeps it.
    static func escapeSemicolon(_ argument: String) -> String {
        argument.hasSuffix(";") ? String(argument.dropLast()) + #"\;"# : argument
    }

    static func isShellIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) }
    }

    private static func write(_ text: String, to path: String, mode: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        else { throw TmuxError.invalidArgument("cannot write \(path)") }
    }
}

/// A flag set once, from any thread: whether `kill()` or `deinit` already cleaned up.
private final class KilledFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    /// Sets the flag; returns whether this call set it (`false` if it was set already).
    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if isSet { return false }
        isSet = true
        return true
    }
}

/// The tmux server's `Process`, used only through its thread-safe calls (`run` once
/// from the spawning thread, then `isRunning` and `terminate`).
private final class ServerProcess: @unchecked Sendable {
    private let process: Process

    init(_ process: Process) { self.process = process }

    func run() throws { try process.run() }

    var isRunning: Bool { process.isRunning }

    /// SIGTERM if still running.
    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
