import Foundation
import UploadCore

/// The smallest terminal the layout fits in.
public let minimumSize = (width: 60, height: 10)

extension AppState {
    /// The whole screen as a function of the state: no I/O, no clock, no terminal.
    public func render() -> CellBuffer {
        var screen = CellBuffer(width: width, height: height)
        guard width >= minimumSize.width, height >= minimumSize.height else {
            let notice = "terminal too small: \(width)×\(height), need \(minimumSize.width)×\(minimumSize.height)"
            let lines = [notice, "make it larger, or press q to quit"]
            for (index, line) in lines.enumerated() {
                let x = max(0, (width - DisplayWidth.of(line)) / 2)
                screen.write(line, x: x, y: height / 2 - 1 + index, style: Style(bold: index == 0))
            }
            return screen
        }
        drawHeader(&screen)
        let filesWidth = max(34, width / 3)
        let top = 1, paneHeight = height - 3
        drawBox(
            &screen, x: 0, y: top, width: filesWidth, height: paneHeight,
            title: filesTitle(width: filesWidth), focused: focus == .files)
        drawBox(
            &screen, x: filesWidth, y: top, width: width - filesWidth, height: paneHeight,
            title: "Uploads", focused: focus == .uploads)
        drawFiles(&screen, x: 1, y: top + 1, width: filesWidth - 2, rows: paneRows)
        drawUploads(&screen, x: filesWidth + 1, y: top + 1, width: width - filesWidth - 2, rows: paneRows)
        drawDetailsLine(&screen, y: height - 2)
        drawKeyLine(&screen, y: height - 1)
        if let overlay { drawOverlay(overlay, on: &screen) }
        return screen
    }

    // MARK: - Header and footer

    private func drawHeader(_ screen: inout CellBuffer) {
        let reverse = Style(reverse: true)
        screen.fill(x: 0, y: 0, width: width, height: 1, style: reverse)
        var x = screen.write(" mediaup · ", x: 0, y: 0, style: reverse)
        if isSandbox {
            x += screen.write("SANDBOX", x: x, y: 0, style: Style(foreground: .yellow, reverse: true, dim: false).bolded)
            x += screen.write(" ", x: x, y: 0, style: reverse)
        }
        let layout = headerLayout(room: width - x)
        x += screen.write(layout.host, x: x, y: 0, style: reverse)
        screen.write(layout.mode, x: x, y: 0, style: reverse)
        screen.write(layout.totals, x: width - DisplayWidth.of(layout.totals), y: 0, style: reverse)
    }

    /// The header's host, mode and counts in `room` columns. The counts say what moves,
    /// so the host gives way first (its scheme, then cut to 12 columns), then the counts
    /// go to their short form (the rows' icons), then the host is cut further and "mode:" goes.
    func headerLayout(room: Int) -> (host: String, mode: String, totals: String) {
        let counts = uploadCounts
        let speed = uploads.lazy.filter { $0.session.state == .uploading }.reduce(0.0) { $0 + (meters[$1.id]?.bytesPerSecond ?? 0) }
        let long = Self.totalsText(counts, speed: speed, compact: false) + " "
        let short = Self.totalsText(counts, speed: speed, compact: true) + " "
        let host = TerminalText.escaped(hostLabel)
        let candidates: [(totals: String, mode: String, shortestHost: Int)] = [
            (long, " · mode: " + route.rawValue, .max), (long, " · mode: " + route.rawValue, 12),
            (short, " · mode: " + route.rawValue, 12), (short, " · " + route.rawValue, 6),
        ]
        // "https://" says little: it goes before any of the name.
        let bareHost = host.range(of: "://").map { String(host[$0.upperBound...]) } ?? host
        for candidate in candidates {
            let hostRoom = room - DisplayWidth.of(candidate.mode) - 2 - DisplayWidth.of(candidate.totals)
            for shown in [host, bareHost] where DisplayWidth.of(shown) <= hostRoom { return (shown, candidate.mode, candidate.totals) }
            if hostRoom >= candidate.shortestHost { return (Self.clip(bareHost, to: hostRoom), candidate.mode, candidate.totals) }
        }
        // Tight: the mode stays (m changes it), the host goes, or what of it fits.
        let hostRoom = room - DisplayWidth.of(" · " + route.rawValue) - 2 - DisplayWidth.of(short)
        guard hostRoom >= 4 else { return ("", (isSandbox ? "· " : "") + route.rawValue, short) }
        return (Self.clip(bareHost, to: hostRoom), " · " + route.rawValue, short)
    }

    /// "2 uploading 1.2 MB/s · 14 queued · 1 paused · 3 done", states with no row left
    /// out; compact: "▶2 ·14 ‖1 ✔3 1.2 MB/s", the icons the rows show.
    static func totalsText(_ counts: UploadCounts, speed: Double, compact: Bool) -> String {
        let speedText = speed > 0 ? ByteFormat.string(Int64(speed)) + "/s" : nil
        let shown = counts.parts()
        if shown.isEmpty { return speedText ?? "no uploads" }
        if compact { return (shown.map { $0.icon + String($0.count) } + (speedText.map { [$0] } ?? [])).joined(separator: " ") }
        var words = shown.map { "\($0.count) \($0.word)" }
        if let speedText, counts.running > 0 { words[0] += " " + speedText }
        return words.joined(separator: " · ")
    }

    private func drawDetailsLine(_ screen: inout CellBuffer, y: Int) {
        if isEditingFilter {
            screen.write(" filter: " + filter + "▏", x: 0, y: y, style: Style(bold: true))
            return
        }
        // Cut with an ellipsis, never mid-word without a sign that more was there.
        if let message {
            screen.write(" " + Self.clip(message, to: width - 2), x: 0, y: y, style: Style(foreground: .yellow))
            return
        }
        screen.write(" " + Self.clip(detailsText, to: width - 2), x: 0, y: y, style: Style(foreground: .gray))
    }

    /// What the details line says about the selected row.
    var detailsText: String {
        switch focus {
        case .files:
            guard let entry = selectedEntry else { return listingError ?? (loadingDirectory ? "reading \(directory)…" : "empty folder") }
            if entry.isDirectory { return entry.path }
            var parts = [entry.path, entry.factsPending ? "…" : ByteFormat.string(entry.size)]
            let standing = entry.standing(for: route, checksMedia: checksMedia)
            switch standing {
            case .takes(let type): parts.append("\(type.mime) · WhatsApp takes it as \(route == .media ? "media" : "a resumable upload")")
            case .warns(let type, _): parts.append("\(type.mime) · ! " + standing.reasons)
            case .refused: parts.append("✗ " + standing.reasons)
            case .checking: parts.append("checking…")
            }
            if fixing.contains(entry.path) { parts.append("converting with ffmpeg…") }
            if marked.count > 0 { parts.append("\(marked.count) marked") }
            if !standing.findings.isEmpty { parts.append("i: details and fix") }
            // The path gives way first, to the name: the verdict is what the line is for.
            let rest = parts.dropFirst().joined(separator: " · ")
            if DisplayWidth.of(entry.path) + 3 + DisplayWidth.of(rest) > width - 2 { parts[0] = entry.name }
            return parts.joined(separator: " · ")
        case .uploads:
            guard let row = selectedUpload else { return "no uploads yet: pick files on the left (Space marks, u uploads)" }
            let session = row.session
            var parts = [session.fileName, Self.stateText(row)]
            if session.route == .resumable, session.state != .done, let remote = session.remoteID {
                parts.append(MediaAPI.redacted(remote))
                parts.append("server offset \(ByteFormat.string(session.serverOffset))")
            }
            if let error = session.lastError, session.state != .done { parts.append(error) }
            if let handle = session.handle { parts.append("h " + handle) }
            if let id = session.mediaID { parts.append("media id " + id) }
            return parts.joined(separator: " · ")
        }
    }

    private func drawKeyLine(_ screen: inout CellBuffer, y: Int) {
        let keys: String
        if overlay != nil {
            keys = "Esc close"
        } else if isEditingFilter {
            keys = "type to filter · " + KeyBindings.keyLine(for: [.filter])
        } else {
            keys = KeyBindings.keyLine(for: keyContexts, width: width - 2)
        }
        screen.write(" " + keys, x: 0, y: y, style: Style(dim: true))
    }

    /// The bindings the focused pane answers to, as the key line and the help list them.
    private var keyContexts: [KeyContext] { [.everywhere, .lists, focus == .files ? .files : .uploads] }

    // MARK: - Panes

    private func drawBox(_ screen: inout CellBuffer, x: Int, y: Int, width w: Int, height h: Int, title: String, focused: Bool) {
        let style = Self.borderStyle(focused: focused)
        screen.write("┌" + String(repeating: "─", count: w - 2) + "┐", x: x, y: y, style: style)
        for row in (y + 1)..<(y + h - 1) {
            screen.write("│", x: x, y: row, style: style)
            screen.write("│", x: x + w - 1, y: row, style: style)
        }
        screen.write("└" + String(repeating: "─", count: w - 2) + "┘", x: x, y: y + h - 1, style: style)
        screen.write(" " + title + " ", x: x + 1, y: y, maxWidth: w - 2, style: style)
    }

    /// The first row to show so that `cursor` is on screen.
    private static func firstVisible(cursor: Int, rows: Int) -> Int { cursor < rows ? 0 : cursor - rows + 1 }

    /// "Files ~/Videos", and the filter while one is kept (typing one shows it below).
    private func filesTitle(width: Int) -> String {
        let kept = filter.isEmpty || isEditingFilter ? "" : " · filter “\(filter)”"
        return "Files " + Self.abbreviate(directory, home: homeDirectory, to: max(8, width - 10 - DisplayWidth.of(kept))) + kept
    }

    /// The files the Files pane shows now (not folders): what a watch looks at for
    /// changes in place, which do not move the folder's modification time.
    public var filesOnScreen: [FileEntry] {
        guard listingError == nil else { return [] }
        return visibleEntries.dropFirst(Self.firstVisible(cursor: fileCursor, rows: paneRows)).prefix(paneRows).filter { !$0.isDirectory }
    }

    private func drawFiles(_ screen: inout CellBuffer, x: Int, y: Int, width w: Int, rows: Int) {
        if let listingError {
            screen.write(listingError, x: x + 1, y: y, maxWidth: w - 2, style: Style(foreground: .red))
            if directory != "/" { screen.write("← Backspace goes up", x: x + 1, y: y + 1, maxWidth: w - 2, style: Style(dim: true)) }
            return
        }
        let entries = visibleEntries
        if loadingDirectory && entries.count <= 1 {
            screen.write("reading…", x: x + 1, y: y + (entries.isEmpty ? 0 : 1), style: Style(dim: true))
        } else if !filter.isEmpty && !entries.contains(where: { $0.name != ".." }) {
            screen.write(Self.clip("no match: Esc clears", to: w - 2), x: x + 1, y: y + (entries.isEmpty ? 0 : 1), style: Style(dim: true))
        }
        let first = Self.firstVisible(cursor: fileCursor, rows: rows)
        let showType = w >= 44
        let sizeWidth = 8, typeWidth = showType ? 11 : 0
        let nameWidth = max(4, w - 3 - sizeWidth - 1 - (showType ? typeWidth + 1 : 0) - 2)
        for (offset, entry) in entries.dropFirst(first).prefix(rows).enumerated() {
            let row = y + offset
            let selected = first + offset == fileCursor
            let base = selected ? Style(bold: true, reverse: focus == .files) : Style.plain
            if selected { screen.fill(x: x, y: row, width: w, height: 1, style: base) }
            // Column 1: the mark, or ▸ for a folder; the name from column 3.
            if entry.isDirectory {
                let name = entry.name == ".." ? ".." : "▸ " + entry.name + "/"
                screen.write(Self.clip(name, to: w - 2), x: x + 1, y: row, style: base.with(foreground: .blue))
                continue
            }
            if markedPaths.contains(entry.path) { screen.write("*", x: x + 1, y: row, style: base.with(foreground: .yellow)) }
            screen.write(Self.clip(entry.name, to: nameWidth, keepingExtension: true), x: x + 3, y: row, style: base)
            var column = x + 3 + nameWidth + 1
            screen.write(
                Self.rightAligned(entry.factsPending ? "…" : ByteFormat.string(entry.size), width: sizeWidth), x: column, y: row, style: base)
            column += sizeWidth + 1
            let standing = entry.standing(for: route, checksMedia: checksMedia)
            if showType {
                let type = entry.mime ?? (entry.problem == nil ? "" : "—")
                screen.write(Self.clip(Self.shortMIME(type), to: typeWidth), x: column, y: row, style: base.with(foreground: .gray))
                column += typeWidth + 1
            }
            let (icon, color): (String, Color) =
                switch standing {
                case .takes: ("✓", .green)
                case .warns: ("!", .yellow)
                case .refused: ("✗", .red)
                case .checking: ("…", .gray)
                }
            screen.write(icon, x: column, y: row, style: base.with(foreground: color))
        }
        drawMoreMarks(&screen, x: x - 1, y: y - 1, width: w + 2, rows: rows, first: first, count: entries.count, focused: focus == .files)
    }

    private func drawUploads(_ screen: inout CellBuffer, x: Int, y: Int, width w: Int, rows: Int) {
        if uploads.isEmpty {
            screen.write("no uploads yet", x: x + 1, y: y, style: Style(dim: true))
            return
        }
        let first = Self.firstVisible(cursor: uploadCursor, rows: rows)
        // Once a frame, not once a row: it reads every row's name.
        let columns = uploadColumns(paneWidth: w)
        for (offset, row) in uploads.dropFirst(first).prefix(rows).enumerated() {
            let selected = first + offset == uploadCursor
            drawUploadRow(row, on: &screen, x: x, y: y + offset, width: w, columns: columns, selected: selected)
        }
        drawMoreMarks(&screen, x: x - 1, y: y - 1, width: w + 2, rows: rows, first: first, count: uploads.count, focused: focus == .uploads) {
            range in
            var below = UploadCounts()
            for index in range { below.count(uploads[index].session.state, elsewhere: uploads[index].activeElsewhere) }
            let parts = below.parts(movingOnly: true)
            guard !parts.isEmpty else { return nil }
            return (parts.map { "\($0.count) \($0.word)" }.joined(separator: " · "), parts.map { $0.icon + String($0.count) }.joined(separator: " "))
        }
    }

    /// On a pane's borders: how many rows are above and below the ones shown, and (from
    /// `note`) what is among those below, so a list that goes on past the pane says so.
    private func drawMoreMarks(
        _ screen: inout CellBuffer, x: Int, y: Int, width w: Int, rows: Int, first: Int, count: Int, focused: Bool,
        note: (Range<Int>) -> (long: String, short: String)? = { _ in nil }
    ) {
        let style = Self.borderStyle(focused: focused)
        if first > 0 {
            let text = " ↑ \(first) more "
            let at = x + w - 1 - DisplayWidth.of(text)
            // Only where the title leaves room.
            if at > x, screen[at - 1, y].text == "─" { screen.write(text, x: at, y: y, style: style) }
        }
        let below = count - first - rows
        if below > 0 {
            let more = " ↓ \(below) more"
            let extras = note(first + rows..<count)
            // The words where they fit, else the rows' icons.
            let long = more + (extras.map { " · " + $0.long } ?? "")
            let text = Self.clip(DisplayWidth.of(long) <= w - 3 ? long : more + (extras.map { " · " + $0.short } ?? ""), to: w - 3) + " "
            screen.write(text, x: x + w - 1 - DisplayWidth.of(text), y: y + rows + 1, style: style)
        }
    }

    /// A pane's border and title: bright when it has the focus.
    static func borderStyle(focused: Bool) -> Style { focused ? Style(foreground: .cyan, bold: true) : Style(foreground: .gray) }

    private func drawUploadRow(
        _ row: UploadSnapshot, on screen: inout CellBuffer, x: Int, y: Int, width w: Int, columns: UploadColumns, selected: Bool
    ) {
        let base = selected ? Style(bold: true, reverse: focus == .uploads) : Style.plain
        if selected { screen.fill(x: x, y: y, width: w, height: 1, style: base) }
        let session = row.session
        let (icon, color) = Self.icon(for: row)
        // One column from the border, as the Files pane's rows.
        screen.write(icon, x: x + 1, y: y, style: base.with(foreground: color))
        screen.write(Self.clip(session.fileName, to: columns.name, keepingExtension: true), x: x + 3, y: y, style: base)
        var column = x + 3 + columns.name + 1
        if columns.showsSize {
            screen.write(Self.rightAligned(ByteFormat.string(session.fileSize), width: 8), x: column, y: y, style: base)
            column += 9
        }
        if columns.bar > 0 {
            let filled = Int((row.fraction * Double(columns.bar)).rounded(.down))
            screen.write(String(repeating: "█", count: filled), x: column, y: y, style: base.with(foreground: color))
            screen.write(String(repeating: "░", count: columns.bar - filled), x: column + filled, y: y, style: base.with(foreground: .gray))
            column += columns.bar + 1
        }
        if columns.showsPercent {
            screen.write(Self.rightAligned("\(Int((row.fraction * 100).rounded(.down)))%", width: 4), x: column, y: y, style: base)
            column += 6
        }
        // The state's words end at the border, cut with an ellipsis.
        let words = Self.clip(words(for: row), to: max(0, x + w - 1 - column))
        screen.write(words, x: column, y: y, style: base.with(foreground: Self.wordsColor(row, date: date)))
    }

    /// A row's state in words, as of the last tick.
    func words(for row: UploadSnapshot) -> String {
        if let stop = stopping[row.id], row.session.state.isActive { return stop }
        return UploadText.words(for: row, bytesPerSecond: meters[row.id]?.bytesPerSecond ?? 0, date: date)
    }

    /// Failures and expired ids in red, ids near their end in the warning colour, deleted ones grey.
    static func wordsColor(_ row: UploadSnapshot, date: Date) -> Color {
        let session = row.session
        if session.state.isFailure { return .red }
        switch session.remoteStanding(now: date) {
        case .expired: return .red
        case .deleted: return .gray
        case .live: return session.expiresSoon(now: date) ? .yellow : .standard
        case nil: return .standard
        }
    }

    /// A row's state for people: "paused by you", "the file changed since it was queued".
    static func stateText(_ row: UploadSnapshot) -> String {
        let session = row.session
        let text =
            switch session.state {
            case .queued: "queued"
            case .creating: "creating the session"
            case .uploading: "uploading"
            case .retrying: "waiting to retry"
            case .stalled: "stalled: no bytes moving"
            case .paused: session.pausedBy == .quit ? "paused by a quit" : "paused by you"
            case .done: "done"
            case .failed: "failed"
            case .expired: "expired: the server's session ended"
            case .fileChanged: "the file changed on disk"
            }
        return row.activeElsewhere && session.state.isActive ? text + " (another mediaup process has it)" : text
    }

    static func icon(for row: UploadSnapshot) -> (String, Color) {
        if row.activeElsewhere && row.session.state.isActive { return ("⇄", .magenta) }
        return switch row.session.state {
        case .uploading: ("▶", .cyan)
        case .creating: ("▶", .cyan)
        case .queued: ("·", .gray)
        case .paused: ("‖", .yellow)
        case .retrying: ("⟳", .yellow)
        case .stalled: ("⚠", .yellow)
        case .done: ("✔", .green)
        case .failed, .expired, .fileChanged: ("✖", .red)
        }
    }

    // MARK: - Overlays

    private func drawOverlay(_ overlay: Overlay, on screen: inout CellBuffer) {
        let (title, lines) = overlayContent(overlay)
        let boxWidth = min(width - 4, max(DisplayWidth.of(title) + 6, (lines.map(DisplayWidth.of).max() ?? 0) + 4))
        let boxHeight = min(height - 2, lines.count + 2)
        let room = boxHeight - 2
        let top = overlayTop(lineCount: lines.count)
        let x = (width - boxWidth) / 2, y = max(1, (height - boxHeight) / 2)
        // A box that reaches the details line takes the whole line: no stray ends beside it.
        if y + boxHeight > height - 2 { screen.fill(x: 0, y: height - 2, width: width, height: 1) }
        screen.fill(x: x, y: y, width: boxWidth, height: boxHeight)
        drawBox(&screen, x: x, y: y, width: boxWidth, height: boxHeight, title: title, focused: true)
        for (index, line) in lines.dropFirst(top).prefix(room).enumerated() {
            screen.write(Self.clip(line, to: boxWidth - 4), x: x + 2, y: y + 1 + index)
        }
        // Where the text goes on past the box, its border says so, and how to get there.
        let style = Style(foreground: .cyan, bold: true)
        if top > 0 { screen.write(" ↑ ", x: x + boxWidth - 5, y: y, style: style) }
        if top + room < lines.count { screen.write(" ↓ more: ↑ ↓ PgUp PgDn ", x: max(x + 1, x + boxWidth - 25), y: y + boxHeight - 1, style: style) }
    }

    /// The first line an overlay of `lineCount` lines shows, scrolled by `overlayScroll`.
    func overlayTop(lineCount: Int) -> Int {
        let room = max(1, min(height - 2, lineCount + 2) - 2)
        return max(0, min(overlayScroll, lineCount - room))
    }

    /// An overlay's title and its lines, wrapped to the screen where they are long.
    func overlayContent(_ overlay: Overlay) -> (title: String, lines: [String]) {
        let lines: [String]
        let title: String
        switch overlay {
        case .help:
            title = "Keys"
            lines = KeyBindings.helpLines(for: keyContexts)
        case .details(let id):
            title = "Details"
            lines = (uploads.first { $0.id == id }.map { Self.detailLines($0, now: date) } ?? ["gone"]).flatMap {
                Self.wrapped($0, width: width - 8, indent: 10)
            }
        case .fileDetails(let path):
            title = "File"
            let entry = listing.first { $0.path == path }
            lines = (entry.map(fileDetailLines) ?? ["gone from the folder"]).flatMap { Self.wrapped($0, width: width - 8, indent: 10) }
        case .confirmQuit:
            title = "Quit?"
            // A conversion cannot be paused: it is stopped, and its partial file removed.
            let counts = uploadCounts
            let waiting = [counts.running > 0 ? "\(counts.running) uploading" : nil, counts.queued > 0 ? "\(counts.queued) queued" : nil]
            let uploading =
                activeCount > 0
                ? [waiting.compactMap { $0 }.joined(separator: ", ") + ".", "They will be paused; the next start resumes them."] : []
            let converting = fixing.isEmpty ? [] : ["\(fixing.count) conversion(s) running: they will be stopped, nothing kept."]
            let answer = activeCount > 0 ? "y / Enter: pause and quit    any other key: stay" : "y / Enter: quit    any other key: stay"
            lines = uploading + converting + ["", answer]
        case .confirmClearDone:
            title = "Clear done?"
            let count = uploads.filter { $0.session.state == .done }.count
            lines = [
                "Forget \(count) done upload(s), with their handles and media ids?",
                "Sending one of those files again starts a new upload.", "", "y: forget them    any other key: keep them",
            ]
        case .confirmCancel(let id):
            let session = uploads.first { $0.id == id }?.session
            title = session?.state == .done ? "Forget?" : "Cancel?"
            let name = session?.fileName ?? id
            if let session, session.state == .done {
                // Nothing runs: what goes is the row, and with it the only copy of its handle or id here.
                let result = session.handle.map { "its handle " + $0 } ?? session.mediaID.map { "its media id " + $0 } ?? "its row"
                lines = ["Forget \(name) and \(result)?", "The server keeps what was uploaded.", "", "y: forget it    any other key: keep it"]
            } else {
                lines = ["Cancel \(name) and forget its session?", "", "y: cancel    any other key: keep it"]
            }
        case .confirmDeleteMedia(let id):
            title = "Delete on the server?"
            let session = uploads.first { $0.id == id }?.session
            lines = [
                "Delete media id \(session?.mediaID ?? "?") (\(session?.fileName ?? id)) on the server?",
                "Messages can no longer use it; the file stays on this disk.", "", "y: delete    any other key: keep it",
            ]
        case .remoteMedia(let id):
            title = "On the server"
            lines = (uploads.first { $0.id == id }.map { remoteMediaLines($0) } ?? ["gone"]).flatMap {
                Self.wrapped($0, width: width - 8, indent: 10)
            }
        }
        return (title, lines)
    }

    static func detailLines(_ row: UploadSnapshot, now: Date) -> [String] {
        let session = row.session
        var lines = [
            "file      " + session.path,
            "size      \(ByteFormat.string(session.fileSize)) (\(session.fileSize) bytes) · \(session.mimeType)",
            "mode      " + (session.route == .resumable ? "resumable session → handle" : "/media → media id"),
            "state     " + stateText(row),
        ]
        // Only a resumable upload has a session on the server, and an offset there to resume from.
        if session.route == .resumable, session.state != .done {
            if let remote = session.remoteID {
                lines.append("session   " + MediaAPI.redacted(remote))
                lines.append("offset    \(ByteFormat.string(session.serverOffset)) confirmed by the server")
            } else {
                lines.append("session   none yet: made when the upload starts")
            }
        }
        // Runs that ended in a failure are worth counting; a pause and resume are not.
        if session.lastError != nil || session.state.isFailure || session.state == .retrying || session.state == .stalled {
            lines.append("attempts  \(session.attempts)")
        }
        lines.append("id        " + session.id)
        if let handle = session.handle { lines.append("handle    " + handle) }
        if let example = session.templateExample { lines.append("template  " + example) }
        if let mediaID = session.mediaID { lines.append("media id  " + mediaID) }
        if let issued = session.issuedAt, session.state == .done {
            let life = session.lifeText(now: now).map { " · " + $0 } ?? ""
            lines.append("issued    " + issued.formatted(.iso8601) + life)
        }
        for earlier in session.history {
            lines.append("earlier   " + (earlier.mediaID ?? earlier.handle ?? "?") + " (issued " + earlier.issuedAt.formatted(.iso8601) + ")")
        }
        if let sha = session.sha256 { lines.append("sha256    " + sha) }
        if let error = session.lastError { lines.append("error     " + error) }
        return lines
    }

    /// The server's view of a done `/media` row, each fact against what was sent.
    func remoteMediaLines(_ row: UploadSnapshot) -> [String] {
        let session = row.session
        var lines = ["media id  " + (session.mediaID ?? "?"), "file      " + session.path]
        switch remoteLookups[row.id] {
        case nil, .asking: lines.append("asking the server (GET /\(session.mediaID ?? "?"))…")
        case .failed(let reason): lines.append("error     " + reason)
        case .found(let held):
            func mark(_ same: Bool) -> String { same ? "✓" : "✗" }
            lines += [
                "type      \(held.mimeType) \(mark(held.mimeType == session.mimeType))"
                    + (held.mimeType == session.mimeType ? "" : " (sent as \(session.mimeType))"),
                "size      \(held.fileSize) bytes \(mark(held.fileSize == session.fileSize))"
                    + (held.fileSize == session.fileSize ? "" : " (the file: \(session.fileSize))"),
            ]
            if let sent = session.sha256 {
                let same = held.sha256.lowercased() == sent
                lines.append("sha256    \(held.sha256) \(mark(same))" + (same ? " the bytes sent" : " (sent: \(sent))"))
            } else {
                lines.append("sha256    \(held.sha256) (the bytes sent were not hashed)")
            }
            lines.append("url       valid until \(held.urlExpiresAt.formatted(.iso8601)) (mediaup media download \(held.id))")
        }
        if let life = session.lifeText(now: date) { lines.append("id        " + life) }
        return lines
    }

    /// The file details overlay: what is inside, what WhatsApp makes of it in this mode,
    /// and the one conversion that fixes it.
    func fileDetailLines(_ entry: FileEntry) -> [String] {
        let standing = entry.standing(for: route, checksMedia: checksMedia)
        let modeName = route == .media ? "/media (media id)" : "a resumable upload (handle)"
        var lines = [
            "file      " + entry.path,
            entry.factsPending
                ? "size      not read yet"
                : "size      \(ByteFormat.string(entry.size)) (\(entry.size) bytes)" + (entry.mime.map { " · " + $0 } ?? ""),
        ]
        if !checksMedia {
            lines.append("inside    not read: media checks are off (--skip-media-checks)")
        } else if let facts = entry.inspection?.facts {
            lines.append("inside    " + facts.summary)
        }
        switch standing {
        case .checking: lines.append("WhatsApp  checking…")
        case .takes: lines.append("WhatsApp  ✓ takes it as " + modeName)
        case .warns: lines.append("WhatsApp  ! delivers it as \(modeName), but:")
        case .refused: lines.append("WhatsApp  ✗ refuses it as \(modeName), or does not deliver it:")
        }
        for finding in standing.findings { lines.append("          " + (finding.severity == .refused ? "✗ " : "! ") + finding.reason) }
        let plan = MediaFixPlan(standing.findings)
        var keys = ["m other mode", "Esc close"]
        if let command = fixCommand(for: entry) {
            lines += ["", "fix       " + command]
            keys = ["c copy the fix", "f convert it now (ffmpeg)"] + keys
        } else if case .noConversion = plan {
            lines += ["", "fix       " + MediaFixPlan.noConversionText]
        }
        if fixing.contains(entry.path) { lines.append("          converting with ffmpeg…") }
        return lines + ["", keys.joined(separator: " · ")]
    }

    /// The one conversion that fixes `entry` in this mode, as a command line; its output
    /// a name the folder does not hold, as far as the listing knows (no disk here).
    func fixCommand(for entry: FileEntry) -> String? {
        MediaFixPlan(entry.standing(for: route, checksMedia: checksMedia).findings).command(for: entry.path) { candidate in
            listing.contains { $0.path == candidate }
        }
    }

    // MARK: - Text helpers

    /// `line` in lines of at most `width` columns, broken at spaces where it can be (in
    /// a word where it cannot); lines after the first begin with `indent` spaces.
    static func wrapped(_ raw: String, width: Int, indent: Int) -> [String] {
        let line = TerminalText.escaped(raw)
        guard width > indent + 8, DisplayWidth.of(line) > width else { return [line] }
        var lines: [String] = []
        var current = "", used = 0
        let room = { lines.isEmpty ? width : width - indent }
        for character in line {
            let w = DisplayWidth.of(character)
            if used + w > room() && character == " " {
                // A space at the break goes with it.
                lines.append(current)
                current = ""
                used = 0
                continue
            }
            if used + w > room() {
                // Break at the last space of the line, if it has one past the indent.
                if let space = current.lastIndex(of: " "), current.distance(from: current.startIndex, to: space) > (lines.isEmpty ? indent : 0) {
                    let rest = String(current[current.index(after: space)...])
                    lines.append(String(current[..<space]))
                    current = rest
                } else {
                    lines.append(current)
                    current = ""
                }
                used = DisplayWidth.of(current)
            }
            current.append(character)
            used += w
        }
        lines.append(current)
        let padding = String(repeating: " ", count: indent)
        return [lines[0]] + lines.dropFirst().map { padding + $0 }
    }

    /// The Uploads pane's columns in a pane `paneWidth` wide. The name is as wide as the
    /// longest needs, up to a third of the pane and at least 8; the state's words keep at
    /// least 24 columns (16 in a narrow pane): they say what is happening, the name which
    /// file. Where the name would be cut, the bar goes first, then the size and the
    /// percentage.
    func uploadColumns(paneWidth: Int) -> UploadColumns {
        let longest = widestUploadName
        let wanted = max(8, min(longest, paneWidth / 3))
        let layouts = [
            UploadColumns(name: 0, showsSize: true, bar: paneWidth >= 70 ? 16 : 8, showsPercent: true),
            UploadColumns(name: 0, showsSize: true, bar: 0, showsPercent: true),
            UploadColumns(name: 0, showsSize: false, bar: 0, showsPercent: true),
        ]
        var roomiest: UploadColumns?
        for (index, layout) in layouts.enumerated() {
            let nameRoom = paneWidth - layout.otherColumns - (index == 0 ? 24 : 16)
            guard nameRoom >= 8 else { continue }
            var chosen = layout
            chosen.name = min(wanted, nameRoom)
            if chosen.name == wanted { return chosen }
            if chosen.name > roomiest?.name ?? 0 { roomiest = chosen }
        }
        if let roomiest { return roomiest }
        let bare = UploadColumns(name: 0, showsSize: false, bar: 0, showsPercent: false)
        return UploadColumns(name: max(4, min(longest, (paneWidth - bare.otherColumns) / 2)), showsSize: false, bar: 0, showsPercent: false)
    }

    /// `text` cut to `width` columns in the middle of its name, its extension kept:
    /// `bad…oto.heic` and `bad…oto.avif` are two files, and so are `report_…17.pdf` and
    /// `report_…18.pdf`, where numbered names differ at their end.
    static func clip(_ raw: String, to width: Int, keepingExtension: Bool) -> String {
        let text = TerminalText.escaped(raw)
        let dot = text.lastIndex(of: ".")
        guard keepingExtension, DisplayWidth.of(text) > width, let dot, dot != text.startIndex else { return clip(text, to: width) }
        let suffix = String(text[dot...])
        let room = width - DisplayWidth.of(suffix)
        guard DisplayWidth.of(suffix) <= 6, room >= 4 else { return clip(text, to: width) }
        let stem = Array(text[..<dot])
        // The ellipsis takes one column; the rest is split between the start and the end.
        var tail: [Character] = []
        var tailWidth = 0
        for character in stem.reversed() {
            let w = DisplayWidth.of(character)
            if tailWidth + w > (room - 1) / 2 { break }
            tail.insert(character, at: 0)
            tailWidth += w
        }
        return clip(String(stem.dropLast(tail.count)), to: room - tailWidth) + String(tail) + suffix
    }

    /// `text` cut to `width` columns with an ellipsis.
    static func clip(_ raw: String, to width: Int) -> String {
        // Measured as drawn: a control character takes the columns of its escape.
        let text = TerminalText.escaped(raw)
        guard DisplayWidth.of(text) > width else { return text }
        var result = "", used = 0
        for character in text {
            let w = DisplayWidth.of(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }

    static func rightAligned(_ text: String, width: Int) -> String {
        String(repeating: " ", count: max(0, width - DisplayWidth.of(text))) + text
    }

    /// `path` with `home` as `~`, cut from the left to `width` columns.
    static func abbreviate(_ raw: String, home: String, to width: Int) -> String {
        let path = TerminalText.escaped(raw)
        let short = !home.isEmpty && (path.hasPrefix(home + "/") || path == home) ? "~" + path.dropFirst(home.count) : path
        guard DisplayWidth.of(short) > width, width > 2 else { return short }
        return "…" + String(short.suffix(width - 1))
    }

    static func shortMIME(_ mime: String) -> String {
        mime.replacingOccurrences(of: "application/", with: "app/")
            .replacingOccurrences(of: "vnd.openxmlformats-officedocument.", with: "")
    }
}
