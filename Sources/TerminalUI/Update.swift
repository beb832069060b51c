import Foundation
import UploadCore

/// Everything that can change the state: keys, the terminal, the disk, the uploader.
public enum Message: Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case tick(now: Double, date: Date)
    case listed(DirectoryListing)
    /// The folder's entries changed on disk (one was added, removed or renamed).
    case folderChanged(directory: String)
    case judged(directory: String, judgements: [DirectoryLoader.Judgement])
    case uploader(UploaderEvent)
    /// Sessions from the journal at start.
    case loaded([UploadSnapshot])
    /// Something the user asked for could not be done.
    case failed(String)
    case notice(String)
    /// The uploader's answer to one `.upload` effect: the names of files it did not send
    /// again (finished unchanged within the day), and the files it refused, with why.
    case queueAnswered(alreadySent: [String], failed: [String])
}

/// Work the app loop carries out for the reducer, off the UI loop.
public enum Effect: Sendable, Equatable {
    case list(directory: String, showHidden: Bool)
    case upload(paths: [String], route: UploadRoute)
    case pause(id: String)
    case resume(id: String)
    case retry(id: String)
    case cancel(id: String)
    case pauseAll
    case resumeAll
    /// Forget every done row (journal rows too).
    case forgetDone
    /// Put text on the clipboard (OSC 52).
    case copy(String)
    /// Pause what runs (so the next start resumes it), then exit.
    case quit
}

extension AppState {
    /// Applies a message; returns the effects it asks for. The only place state changes.
    public mutating func update(_ message: Message) -> [Effect] {
        switch message {
        case .key(let key):
            return handle(key)
        case .resize(let width, let height):
            self.width = width
            self.height = height
            clampCursors()
            return []
        case .tick(let now, let date):
            self.now = now
            self.date = date
            return []
        case .listed(let listing):
            guard listing.path == directory else { return [] }
            replaceListing(listing.entries)
            listingError = listing.error
            loadingDirectory = false
            clampCursors()
            // Gone from the folder: the cursor stays where it was, and a file of that
            // name made later does not pull it there.
            pendingCursorName = nil
            return []
        case .folderChanged(let changed):
            guard changed == directory, !loadingDirectory else { return [] }
            return listAgain()
        case .judged(let directory, let judgements):
            guard directory == self.directory else { return [] }
            applyJudgements(judgements)
            return []
        case .uploader(let event):
            apply(event)
            return []
        case .loaded(let snapshots):
            for snapshot in snapshots {
                meters[snapshot.id, default: RateMeter()].record(bytes: snapshot.transferredBytes, at: now)
                upsertUpload(snapshot)
            }
            return []
        case .failed(let text), .notice(let text):
            self.message = text
            return []
        case .queueAnswered(let alreadySent, let failed):
            // A whole folder marked can hold many: each part says how many and shows one.
            var notices: [String] = []
            if !alreadySent.isEmpty {
                notices.append("already sent today: " + (alreadySent.count <= 2 ? alreadySent.joined(separator: ", ")
                                                                               : "\(alreadySent.count) files, such as \(alreadySent[0])")
                               + " (x on a row forgets it, to send it again)")
            }
            if !failed.isEmpty {
                notices.append(failed.count <= 2 ? failed.joined(separator: "; ") : "\(failed.count) files not queued, such as \(failed[0])")
            }
            if !notices.isEmpty { self.message = notices.joined(separator: " · ") }
            return []
        }
    }

    private mutating func apply(_ event: UploaderEvent) {
        switch event {
        case .updated(let snapshot):
            meters[snapshot.id, default: RateMeter()].record(bytes: snapshot.transferredBytes, at: now)
            upsertUpload(snapshot)
        case .removed(let ids):
            removeUploads(ids: Set(ids))
            for id in ids { meters[id] = nil }
            if case .details(let id)? = overlay, ids.contains(id) { overlay = nil }
            clampCursors()
        }
    }

    // MARK: - Keys

    private mutating func handle(_ key: Key) -> [Effect] {
        if let overlay { return handle(key, in: overlay) }
        if isEditingFilter { return editFilter(key) }
        message = nil
        switch key {
        case .tab, .backTab:
            focus = focus == .files ? .uploads : .files
            return []
        case .character("?"):
            overlay = .help
            return []
        case .character("m"):
            route = route == .resumable ? .media : .resumable
            message = route == .media
                ? "mode: /media — ends with a media id for messages; not resumable (a pause starts it again from 0)"
                : "mode: resumable session — ends with a handle for templates and profile pictures"
            return []
        case .character("q"), .ctrl("c"):
            if activeCount > 0 {
                overlay = .confirmQuit
                return []
            }
            wantsQuit = true
            return [.quit]
        default:
            return focus == .files ? handleFiles(key) : handleUploads(key)
        }
    }

    private mutating func handle(_ key: Key, in overlay: Overlay) -> [Effect] {
        switch overlay {
        case .help, .details:
            if [.escape, .enter, .character("q"), .character("?")].contains(key) { self.overlay = nil }
            return []
        case .confirmQuit:
            self.overlay = nil
            if key == .character("y") || key == .enter {
                wantsQuit = true
                message = "pausing uploads…"
                return [.quit]
            }
            return []
        case .confirmCancel(let id):
            self.overlay = nil
            return key == .character("y") ? [.cancel(id: id)] : []
        case .confirmClearDone:
            self.overlay = nil
            return key == .character("y") ? [.forgetDone] : []
        }
    }

    private mutating func editFilter(_ key: Key) -> [Effect] {
        switch key {
        case .escape:
            filter = ""
            isEditingFilter = false
        case .enter:
            isEditingFilter = false
        case .backspace:
            if !filter.isEmpty { filter.removeLast() }
        case .character(let character):
            filter.append(character)
        default:
            return handleFiles(key)
        }
        fileCursor = 0
        return []
    }

    private mutating func handleFiles(_ key: Key) -> [Effect] {
        let entries = visibleEntries
        if let step = movement(key, rows: paneRows) {
            fileCursor = clamp(fileCursor + step, count: entries.count)
            return []
        }
        switch key {
        case .enter, .right, .character("l"):
            guard let entry = selectedEntry else { return [] }
            if entry.isDirectory { return open(entry.path) }
            if key == .enter { return uploadRequest([entry]) }
            return []
        case .backspace, .left, .character("h"):
            return directory == "/" ? [] : open((directory as NSString).deletingLastPathComponent)
        case .character(" "):
            guard let entry = selectedEntry, !entry.isDirectory else { return [] }
            if let index = marked.firstIndex(of: entry.path) { marked.remove(at: index) } else { marked.append(entry.path) }
            fileCursor = clamp(fileCursor + 1, count: entries.count)
            return []
        case .character("u"):
            if !marked.isEmpty {
                let paths = marked
                marked = []
                // Marks from other folders have no entry here: the uploader judges those.
                let here = Dictionary(listing.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
                return uploadRequest(paths.map { path in
                    here[path] ?? FileEntry(name: (path as NSString).lastPathComponent, path: path, isDirectory: false)
                })
            }
            guard let entry = selectedEntry, !entry.isDirectory else { return [] }
            return uploadRequest([entry])
        case .character("a"):
            let files = entries.filter { !$0.isDirectory }.map(\.path)
            guard !files.isEmpty else { return [] }
            if files.allSatisfy(markedPaths.contains) {
                let shown = Set(files)
                marked.removeAll { shown.contains($0) }
                message = "unmarked \(files.count) file\(files.count == 1 ? "" : "s")"
            } else {
                marked += files.filter { !markedPaths.contains($0) }
                message = "\(marked.count) marked"
            }
            return []
        case .character("/"):
            isEditingFilter = true
            return []
        case .escape:
            filter = ""
            return []
        case .character("."):
            showHidden.toggle()
            return listAgain()
        case .ctrl("r"):
            return listAgain()
        case .character("s"):
            sort = sort.next
            message = "sorted by \(sort.rawValue)"
            return []
        default:
            return []
        }
    }

    /// Queues files, telling at once why any is refused in the current mode. The
    /// uploader answers for the rest (`.queueAnswered`): one sent unchanged today is not
    /// sent again, as `mediaup upload` would not; forgetting the row (x) lets it go again.
    private mutating func uploadRequest(_ entries: [FileEntry]) -> [Effect] {
        var accepted: [String] = []
        var refused: [String] = []
        for entry in entries where !entry.isDirectory {
            if case .rejected(let reason)? = entry.verdict(for: route) {
                refused.append("\(entry.name): \(reason)")
            } else {
                accepted.append(entry.path)
            }
        }
        // A whole folder marked can hold many: the notice says how many and shows one.
        if !refused.isEmpty {
            message = "not queued — " + (refused.count <= 2 ? refused.joined(separator: "; ")
                                                            : "\(refused.count) files, such as \(refused[0])")
        }
        guard !accepted.isEmpty else { return [] }
        focus = .uploads
        uploadCursor = uploads.count
        return [.upload(paths: accepted, route: route)]
    }

    /// Lists the folder again; the old rows stay on screen until the new ones come,
    /// and the cursor stays on its entry.
    private mutating func listAgain() -> [Effect] {
        pendingCursorName = selectedEntry?.name
        return [.list(directory: directory, showHidden: showHidden)]
    }

    private mutating func open(_ path: String) -> [Effect] {
        let previous = directory
        // The old listing goes first, so changing the folder does not sort it again.
        replaceListing([])
        directory = path
        listingError = nil
        loadingDirectory = true
        filter = ""
        fileCursor = 0
        // Going up puts the cursor back on the folder we came from, once listed.
        pendingCursorName = previous.hasPrefix(path) ? (previous as NSString).lastPathComponent : nil
        return [.list(directory: path, showHidden: showHidden)]
    }

    private mutating func handleUploads(_ key: Key) -> [Effect] {
        if let step = movement(key, rows: paneRows) {
            uploadCursor = clamp(uploadCursor + step, count: uploads.count)
            return []
        }
        if key == .character("P") { return [.pauseAll] }
        if key == .character("A") { return [.resumeAll] }
        if key == .character("C") {
            guard uploads.contains(where: { $0.session.state == .done }) else { message = "no done rows to clear"; return [] }
            overlay = .confirmClearDone
            return []
        }
        guard let row = selectedUpload else { return [] }
        let state = row.session.state
        switch key {
        case .character("p"):
            guard state.isActive else { message = "\(row.session.fileName) is not running"; return [] }
            if row.session.route == .media { message = "\(row.session.fileName): a /media upload cannot keep its bytes; resume starts it again from 0" }
            return [.pause(id: row.id)]
        case .character("r"):
            guard !state.isActive, state != .done else { message = "\(row.session.fileName) is \(state.rawValue)"; return [] }
            return [.resume(id: row.id)]
        case .character("R"):
            guard state.isFailure || state == .stalled || state == .retrying || state == .paused else {
                message = "R retries a failed, expired or stalled row"
                return []
            }
            return [.retry(id: row.id)]
        case .character("x"), .delete:
            overlay = .confirmCancel(id: row.id)
            return []
        case .character("c"):
            guard let value = row.session.handle ?? row.session.mediaId else {
                message = "\(row.session.fileName) has no handle or media id yet"
                return []
            }
            message = "copied: \(value)"
            return [.copy(value)]
        case .enter:
            overlay = .details(id: row.id)
            return []
        default:
            return []
        }
    }

    /// Cursor movement for list keys, or nil.
    private func movement(_ key: Key, rows: Int) -> Int? {
        switch key {
        case .up, .character("k"): -1
        case .down, .character("j"): 1
        case .pageUp: -rows
        case .pageDown: rows
        case .home, .character("g"): Int.min / 2
        case .end, .character("G"): Int.max / 2
        default: nil
        }
    }

    private func clamp(_ value: Int, count: Int) -> Int { max(0, min(value, count - 1)) }

    mutating func clampCursors() {
        let entries = visibleEntries
        if let name = pendingCursorName, let index = entries.firstIndex(where: { $0.name == name }) {
            fileCursor = index
            pendingCursorName = nil
        }
        fileCursor = clamp(fileCursor, count: entries.count)
        uploadCursor = clamp(uploadCursor, count: uploads.count)
    }
}
