import Foundation
import TerminalUI
import UploadCore

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
        // Progress that cannot be shown must not stop the upload: the writer remembers
        // the failure, and the exit code reports it.
        try? ConsoleWriter.standardError.write(text)
    }
}
