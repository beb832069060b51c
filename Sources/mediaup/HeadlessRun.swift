import Foundation
import Synchronization
import TerminalRuntime
import UploadCore

/// Runs uploads without a screen: JSON lines on stdout (`--json`), or progress on
/// stderr (live lines on a terminal, plain lines otherwise) and, when the run ends, one
/// whole line per file. Returns the exit code.
public struct HeadlessRun: Sendable {
    let uploader: Uploader
    let json: Bool

    public init(uploader: Uploader, json: Bool) {
        self.uploader = uploader
        self.json = json
    }

    /// One file of the run: what the user named, and its session once it has one.
    public struct Entry: Sendable {
        public var file: String
        public var sessionID: String
        /// What WhatsApp delivers with a caveat, said before the upload and in its report.
        public var warnings: [MediaFinding]

        public init(file: String, sessionID: String, warnings: [MediaFinding] = []) {
            self.file = file
            self.sessionID = sessionID
            self.warnings = warnings
        }
    }

    /// A file whose outcome was known before anything ran: its report, and the line
    /// stderr shows for it without `--json`.
    public struct Settled: Sendable {
        public var report: UploadReport
        public var line: String

        /// A file refused before any session existed.
        public static func refused(_ report: UploadReport) -> Settled {
            Settled(report: report, line: "mediaup: \(report.file): \(report.error ?? "failed")")
        }

        /// A session id named to `resume` that names no one session: the reason already
        /// names the id.
        public static func unresolved(_ report: UploadReport) -> Settled {
            Settled(report: report, line: "mediaup: \(report.error ?? "no such session")")
        }

        /// A file an earlier run finished: `words` say so, `hint` how to send it anew.
        public static func alreadyDone(_ report: UploadReport, _ words: String, hint: String? = nil) -> Settled {
            Settled(report: report, line: "\(report.file): \(words): \(HeadlessRun.result(of: report))" + (hint.map { "; " + $0 } ?? ""))
        }
    }

    /// Which files have their report written; the second signal's handler writes the rest.
    private final class Ledger: Sendable {
        private struct State {
            var reported: Set<String> = []
            var latest: [String: UploadSnapshot] = [:]
        }

        private let state = Mutex(State())

        func note(_ snapshot: UploadSnapshot) { state.withLock { $0.latest[snapshot.id] = snapshot } }

        /// Runs `write` with the latest snapshot of `id` unless `id` was reported, under
        /// the lock: a report being written when the process is told to exit is finished
        /// first, and none is written twice.
        func reportOnce(_ id: String, _ write: (UploadSnapshot?) -> Void) {
            state.withLock { state in
                guard state.reported.insert(id).inserted else { return }
                write(state.latest[id])
            }
        }
    }

    /// Reports the `settled` files first (refused, or done by an earlier run), then the
    /// `entries` as each ends.
    public func run(entries: [Entry], settled: [Settled]) async -> Int32 {
        for file in settled { json ? emit(file.report) : say(file.line) }
        if !json {
            for entry in entries where !entry.warnings.isEmpty {
                say("mediaup: \(entry.file): warning: \(MediaFinding.sentence(entry.warnings, path: entry.file))")
            }
        }
        let ids = entries.map(\.sessionID)
        let names = Dictionary(entries.map { ($0.sessionID, $0.file) }, uniquingKeysWith: { first, _ in first })
        let warnings = Dictionary(entries.map { ($0.sessionID, $0.warnings.map(\.reason)) }, uniquingKeysWith: { first, _ in first })
        let ledger = Ledger()
        let display = ProgressDisplay(enabled: !json, live: isatty(STDERR_FILENO) == 1, names: names)
        let events = await uploader.events()
        for snapshot in await uploader.currentSnapshots() where names[snapshot.id] != nil {
            ledger.note(snapshot)
            await display.note(snapshot)
        }
        let interrupt = SignalForwarder(
            onSecond: { [self] in
                reportInterrupted(entries, ledger: ledger)
                try? ConsoleWriter.standardError.line("mediaup: stopped without waiting for the uploads to pause; the next run resumes them")
                exit(130)
            },
            { [uploader] in
                Task { await display.announce("mediaup: pausing uploads; run the same command again to continue") }
                Task { await uploader.pauseAllAndWait() }
            })
        let reporter = Task {
            for await event in events {
                guard case .updated(let snapshot) = event, let file = names[snapshot.id] else { continue }
                ledger.note(snapshot)
                await display.note(snapshot)
                if !snapshot.session.state.isActive && snapshot.session.state != .paused {
                    await display.finished(snapshot)
                    ledger.reportOnce(snapshot.id) { _ in emit(UploadReport(file: file, snapshot: snapshot, warnings: warnings[snapshot.id] ?? [])) }
                }
            }
        }
        let ticker = Task { while !Task.isCancelled { await display.redraw(); try? await Task.sleep(for: .milliseconds(250)) } }
        let final = await uploader.waitUntilSettled(ids)
        // Both stop at once when cancelled; awaiting them keeps a late redraw from
        // moving the cursor over the lines written below.
        ticker.cancel()
        reporter.cancel()
        await ticker.value
        await reporter.value
        await display.redraw()
        for snapshot in final {
            let file = names[snapshot.id] ?? snapshot.session.path
            await display.finished(snapshot)
            ledger.reportOnce(snapshot.id) { _ in emit(UploadReport(file: file, snapshot: snapshot, warnings: warnings[snapshot.id] ?? [])) }
        }
        if !json {
            for snapshot in final { say(Self.outcomeLine(file: names[snapshot.id] ?? snapshot.session.path, snapshot: snapshot)) }
        }
        withExtendedLifetime(interrupt) {}
        let allDone =
            settled.allSatisfy(\.report.succeeded) && final.count == ids.count && final.allSatisfy { $0.session.state == .done }
        return allDone ? 0 : 1
    }

    /// What a file came to, whole, however wide the terminal: name, state, and the
    /// handle, media id or error.
    static func outcomeLine(file: String, snapshot: UploadSnapshot) -> String {
        let report = UploadReport(file: file, snapshot: snapshot)
        if report.succeeded { return "\(file): done: \(result(of: report))" }
        // The report's error names the other states itself ("expired: …", "interrupted at …").
        let error = report.error ?? snapshot.session.state.rawValue
        return "\(file): " + (snapshot.session.state == .failed ? "failed: " + error : error)
    }

    /// A finished file's handle or media id, as `sessions` shows it.
    static func result(of report: UploadReport) -> String {
        report.handle.map { "h \($0)" } ?? report.mediaID.map { "id \($0)" } ?? ""
    }

    /// On the second signal: the files not reported yet get their report now, as
    /// interrupted (or done, if they just were), since the process exits without waiting.
    private func reportInterrupted(_ entries: [Entry], ledger: Ledger) {
        for entry in entries {
            ledger.reportOnce(entry.sessionID) { latest in
                guard let snapshot = latest else { return }
                var report = UploadReport(file: entry.file, snapshot: snapshot, warnings: entry.warnings.map(\.reason))
                if !report.succeeded {
                    report.error = "interrupted; continue with: mediaup resume \(snapshot.id)"
                }
                if json {
                    emit(report)
                } else {
                    say(report.succeeded ? Self.outcomeLine(file: entry.file, snapshot: snapshot) : "\(entry.file): \(report.error ?? "")")
                }
            }
        }
    }

    /// Writes a file's `--json` line. A line that cannot be written does not stop the
    /// others' uploads: each result is in the journal, and the writer's failure makes
    /// the exit code 1.
    private func emit(_ report: UploadReport) {
        if json { try? ConsoleWriter.standardOutput.line(report.jsonLine) }
    }

    /// Writes a line for a person on stderr.
    private func say(_ line: String) {
        try? ConsoleWriter.standardError.displayLine(line)
    }
}
