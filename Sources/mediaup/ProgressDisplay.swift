import Foundation
import TerminalUI
import UploadCore

/// Progress on stderr: live lines on a terminal, redrawn in place; plain lines on state
/// changes otherwise. Names and errors are shown with their control characters escaped.
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
            write(TerminalText.escaped(line(for: snapshot)) + "\n")
        }
    }

    func finished(_ snapshot: UploadSnapshot) {
        guard enabled, !live else { return }
        if lastState[snapshot.id] != snapshot.session.state { note(snapshot) }
    }

    /// Writes `message` on a line of its own: above the live lines, which are drawn
    /// again below it, so that the next redraw does not leave a copy of them.
    func announce(_ message: String) {
        guard enabled, live else {
            // On a terminal the line starts after the "^C" it echoed; in a file it is a line.
            write((isatty(STDERR_FILENO) == 1 ? "\n" : "") + message + "\n")
            return
        }
        write((drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : "") + "\r\u{1B}[J" + message + "\n")
        drawnLines = 0
        redraw()
    }

    func redraw() {
        guard enabled, live else { return }
        let size = Self.terminalSize()
        let lines = liveLines(rows: size.rows)
        var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
        // A line that wrapped would throw off the cursor-up count: cut to the width.
        for line in lines { text += "\r\u{1B}[2K" + Self.cut(TerminalText.escaped(line), columns: size.columns - 1) + "\n" }
        // Fewer lines than last time: the old last ones are still below.
        if lines.count < drawnLines { text += "\u{1B}[J" }
        drawnLines = lines.count
        write(text)
    }

    /// One line per file while they fit above the cursor's row; else the running files
    /// and one line counting the rest. Lines above the top of the screen could not be
    /// redrawn in place: each redraw would leave another copy in the scrollback.
    private func liveLines(rows: Int) -> [String] {
        let snapshots = order.compactMap { latest[$0] }
        let room = max(1, rows - 1)
        if snapshots.count <= room { return snapshots.map(line(for:)) }
        let running = snapshots.filter { $0.session.state.isActive && $0.session.state != .queued }.prefix(room - 1)
        let shown = Set(running.map(\.id))
        let rest = snapshots.filter { !shown.contains($0.id) }
        var counts: [String: Int] = [:]
        for snapshot in rest { counts[Self.countWord(snapshot.session.state), default: 0] += 1 }
        let tally = Self.countWords.compactMap { word in counts[word].map { "\($0) \(word)" } }.joined(separator: ", ")
        let summary = running.isEmpty ? "\(rest.count) files: \(tally)" : "… and \(rest.count) more: \(tally)"
        return running.map(line(for:)) + [summary]
    }

    /// The words the count line uses, in its order.
    private static let countWords = ["running", "queued", "paused", "done", "failed", "expired", "file changed"]

    private static func countWord(_ state: UploadState) -> String {
        switch state {
        case .creating, .uploading, .retrying, .stalled: "running"
        case .queued: "queued"
        case .paused: "paused"
        case .done: "done"
        case .failed: "failed"
        case .expired: "expired"
        case .fileChanged: "file changed"
        }
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

    /// The start of `text` that fits in `columns` terminal columns.
    private static func cut(_ text: String, columns: Int) -> String {
        var used = 0
        var kept = ""
        for character in text {
            used += DisplayWidth.of(character)
            if used > columns { break }
            kept.append(character)
        }
        return kept
    }

    /// The terminal's rows and columns; 24 × 80 when it does not say.
    private static func terminalSize() -> (rows: Int, columns: Int) {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 else { return (24, 80) }
        return (size.ws_row > 1 ? Int(size.ws_row) : 24, size.ws_col > 10 ? Int(size.ws_col) : 80)
    }

    private func write(_ text: String) {
        // Progress that cannot be shown must not stop the upload: the writer remembers
        // the failure, and the exit code reports it.
        try? ConsoleWriter.standardError.write(text)
    }
}
