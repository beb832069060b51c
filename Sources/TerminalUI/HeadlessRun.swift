import Synchronization
import Dispatch
import Foundation
import UploadCore

/// Runs uploads without a screen: JSON lines on stdout (`--json`), or progress on
/// stderr (live lines on a terminal, plain lines otherwise). Returns the exit code.
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

        public init(file: String, sessionID: String) {
            self.file = file
            self.sessionID = sessionID
        }
    }

    /// `settled` are files whose outcome was known before anything ran (refused files,
    /// sessions already done); they are reported first.
    public func run(entries: [Entry], settled: [UploadReport]) async -> Int32 {
        for report in settled { emit(report) }
        let ids = entries.map(\.sessionID)
        let names = Dictionary(entries.map { ($0.sessionID, $0.file) }, uniquingKeysWith: { first, _ in first })
        let interrupt = SignalForwarder(exitOnSecond: true) { [uploader] in
            FileHandle.standardError.write(Data("\nmediaup: pausing uploads; run the same command again to continue\n".utf8))
            Task { await uploader.pauseAllAndWait() }
        }
        let display = ProgressDisplay(enabled: !json, live: isatty(STDERR_FILENO) == 1, names: names)
        let events = await uploader.events()
        let reporter = Task {
            var reported = Set<String>()
            for await event in events {
                guard case .updated(let snapshot) = event, let file = names[snapshot.id] else { continue }
                await display.note(snapshot)
                if !snapshot.session.state.isActive && !reported.contains(snapshot.id) && snapshot.session.state != .paused {
                    reported.insert(snapshot.id)
                    await display.finished(snapshot)
                    emit(UploadReport(file: file, snapshot: snapshot))
                }
            }
            return reported
        }
        for snapshot in await uploader.currentSnapshots() where names[snapshot.id] != nil { await display.note(snapshot) }
        let ticker = Task { while !Task.isCancelled { await display.redraw(); try? await Task.sleep(for: .milliseconds(250)) } }
        let final = await uploader.waitUntilSettled(ids)
        ticker.cancel()
        // Whatever the reporter has not written yet is written below, from `final`:
        // stopping it now costs no wait and loses no line.
        reporter.cancel()
        let reported = await reporter.value
        await display.redraw()
        for snapshot in final where !reported.contains(snapshot.id) {
            await display.finished(snapshot)
            emit(UploadReport(file: names[snapshot.id] ?? snapshot.session.path, snapshot: snapshot))
        }
        withExtendedLifetime(interrupt) {}
        let allDone = settled.allSatisfy(\.succeeded) && final.count == ids.count && final.allSatisfy { $0.session.state == .done }
        return allDone ? 0 : 1
    }

    private func emit(_ report: UploadReport) {
        if json {
            FileHandle.standardOutput.write(Data((report.jsonLine + "\n").utf8))
        } else if report.sessionID == nil {
            FileHandle.standardError.write(Data("mediaup: \(report.file): \(report.error ?? "failed")\n".utf8))
        }
    }
}

/// Progress on stderr: one live line per file on a terminal, redrawn in place; plain
/// lines on state changes otherwise.
actor ProgressDisplay {
    private let enabled: Bool
    private let live: Bool
    private let names: [String: String]
    private var order: [String] = []
    private var latest: [String: UploadSnapshot] = [:]
    private var meters: [String: RateMeter] = [:]
    private var lastState: [String: UploadState] = [:]
    private var drawnLines = 0
    private let start = ContinuousClock.now

    init(enabled: Bool, live: Bool, names: [String: String]) {
        self.enabled = enabled
        self.live = live
        self.names = names
    }

    private var now: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func note(_ snapshot: UploadSnapshot) {
        guard enabled else { return }
        let id = snapshot.id
        if latest[id] == nil { order.append(id) }
        latest[id] = snapshot
        meters[id, default: RateMeter()].record(bytes: snapshot.transferredBytes, at: now)
        if !live, lastState[id] != snapshot.session.state {
            lastState[id] = snapshot.session.state
            write(line(for: snapshot) + "\n")
        }
    }

    func finished(_ snapshot: UploadSnapshot) {
        guard enabled, !live else { return }
        if lastState[snapshot.id] != snapshot.session.state { note(snapshot) }
    }

    func redraw() {
        guard enabled, live else { return }
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        // A line that wrapped would throw off the cursor-up count: cut to the width.
        let width = Self.terminalWidth()
        for id in order {
            if let snapshot = latest[id] { text += "\r\u{1B}[2K" + String(line(for: snapshot).prefix(width - 1)) + "\n" }
        }
        drawnLines = order.count
        write(text)
    }

    private func line(for snapshot: UploadSnapshot) -> String {
        let session = snapshot.session
        let name = names[snapshot.id] ?? session.fileName
        let percent = Int((snapshot.fraction * 100).rounded(.down))
        let sizes = "\(ByteFormat.string(snapshot.transferredBytes))/\(ByteFormat.string(session.fileSize))"
        let meter = meters[snapshot.id] ?? RateMeter()
        var words = UploadText.words(for: snapshot, bytesPerSecond: meter.bytesPerSecond, date: Date())
        if session.state == .paused { words += "; resume with: mediaup resume \(session.id)" }
        return "\(name)  \(percent)%  \(sizes)  \(words)"
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 10 ? Int(size.ws_col) : 80
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
