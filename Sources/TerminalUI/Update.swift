import Foundation
import UploadCore

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
            if self.message == "reading \(directory) again…" { self.message = nil }
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
        case .statted(let directory, let facts):
            guard directory == self.directory else { return [] }
            applyFacts(facts)
            return []
        case .uploader(let event):
            apply(event)
            return []
        case .loaded(let snapshots):
            // Only a moving row has a speed to measure; a journal of 10,000 done rows
            // needs no meters.
            for snapshot in snapshots where snapshot.session.state.isActive {
                meters[snapshot.id, default: RateMeter()].record(bytes: snapshot.transferredBytes, at: now)
            }
            loadUploads(snapshots)
            return []
        case .failed(let text), .notice(let text):
            self.message = text
            return []
        case .terminate:
            // Already quitting (q, or a signal before): nothing more to ask.
            guard !wantsQuit else { return [] }
            wantsQuit = true
            self.message = "pausing uploads…"
            return [.quit]
        case .queueAnswered(let alreadySent, let failed):
            // A whole folder marked can hold many: each part says how many and shows one.
            var notices: [String] = []
            if !alreadySent.isEmpty {
                notices.append(
                    "already sent today: "
                        + (alreadySent.count <= 2
                            ? alreadySent.joined(separator: ", ")
                            : "\(alreadySent.count) files, such as \(alreadySent[0])")
                        + " (x on a row forgets it, to send it again)")
            }
            if !failed.isEmpty {
                notices.append(failed.count <= 2 ? failed.joined(separator: "; ") : "\(failed.count) files not queued, such as \(failed[0])")
            }
            // The refusals of the same request, shown when it was made, stay beside the answer.
            if let shown = self.message, shown.hasPrefix(Self.refusalNoticePrefix), !notices.isEmpty { notices.append(shown) }
            if !notices.isEmpty { self.message = notices.joined(separator: " · ") }
            return []
        case .mediaLookedUp(let id, let lookup):
            remoteLookups[id] = lookup
            return []
        case .fixFinished(let path, let outcome):
            fixing.remove(path)
            self.message = outcome
            return []
        }
    }

    private mutating func apply(_ event: UploaderEvent) {
        switch event {
        case .updated(let snapshot):
            meters[snapshot.id, default: RateMeter()].record(bytes: snapshot.transferredBytes, at: now)
            upsertUpload(snapshot)
            if !snapshot.session.state.isActive { stopping[snapshot.id] = nil }
            if snapshot.session.path == cursorAwaitsUpload, snapshot.session.state.isActive,
                let position = uploads.firstIndex(where: { $0.id == snapshot.id })
            {
                uploadCursor = position
                cursorAwaitsUpload = nil
            }
        case .removed(let ids):
            removeUploads(ids: Set(ids))
            for id in ids {
                meters[id] = nil
                stopping[id] = nil
            }
            if case .details(let id)? = overlay, ids.contains(id) { overlay = nil }
            clampCursors()
        }
    }

    // MARK: - Keys

    private mutating func handle(_ key: Key) -> [Effect] {
        // Under the "too small" notice nothing else shows: q quits (pausing what runs) at once.
        if width < minimumSize.width || height < minimumSize.height {
            guard key == .character("q") else { return [] }
            overlay = nil
            wantsQuit = true
            return [.quit]
        }
        if let overlay { return handle(key, in: overlay) }
        if isEditingFilter { return editFilter(key) }
        message = nil
        guard let binding = KeyBindings.binding(for: key, in: [.everywhere, .lists, focus == .files ? .files : .uploads]) else {
            // A key of the other pane says where it works, instead of nothing.
            let other: KeyContext = focus == .files ? .uploads : .files
            if let elsewhere = KeyBindings.binding(for: key, in: [other]) {
                message = "\(elsewhere.keysText): \(elsewhere.summary) — on the \(other == .files ? "Files" : "Uploads") pane (Tab)"
            }
            return []
        }
        return perform(binding.action)
    }

    /// A dialog takes every key: its own answers, any other key closes it.
    private mutating func handle(_ key: Key, in overlay: Overlay) -> [Effect] {
        // What can be longer than the screen scrolls; a question takes any key as its answer.
        switch overlay {
        case .help, .details, .fileDetails, .remoteMedia:
            let page = max(1, height - 4)
            let step: Int? =
                switch key {
                case .up: -1
                case .down: 1
                case .pageUp: -page
                case .pageDown: page
                default: nil
                }
            if let step {
                // From where the box shows it now, kept within the text.
                let lineCount = overlayContent(overlay).lines.count
                overlayScroll = max(0, overlayTop(lineCount: lineCount) + step)
                overlayScroll = overlayTop(lineCount: lineCount)
                return []
            }
        case .confirmQuit, .confirmCancel, .confirmClearDone, .confirmDeleteMedia: break
        }
        switch overlay {
        case .help, .details:
            if [.escape, .enter, .character("q"), .character("?")].contains(key) { self.overlay = nil }
            return []
        case .fileDetails(let path):
            switch key {
            case .character("c"): return copyFix(of: path)
            // The refusal may say to try the other mode: the details follow it.
            case .character("m"): return switchMode()
            case .character("f"):
                self.overlay = nil
                return fix(listing.first { $0.path == path })
            case .escape, .enter, .character("q"), .character("i"): self.overlay = nil
            default: break
            }
            return []
        case .confirmQuit:
            self.overlay = nil
            if key == .character("y") || key == .enter {
                wantsQuit = true
                message = activeCount > 0 ? "pausing uploads…" : "stopping conversions…"
                return [.quit]
            }
            return []
        case .confirmCancel(let id):
            self.overlay = nil
            guard key == .character("y") else { return [] }
            stopping[id] = "cancelling…"
            return [.cancel(id: id)]
        case .confirmDeleteMedia(let id):
            self.overlay = nil
            guard key == .character("y") else { return [] }
            message = "deleting on the server…"
            return [.deleteMedia(id: id)]
        case .remoteMedia(let id):
            if key == .escape || key == .enter || key == .character("q") || key == .character("i") {
                self.overlay = nil
                remoteLookups[id] = nil
            }
            return []
        case .confirmClearDone:
            self.overlay = nil
            return key == .character("y") ? [.forgetDone] : []
        }
    }

    /// While typing a filter: its own keys, then characters go into it; other keys
    /// (arrows, Ctrl-R) still work the Files pane.
    private mutating func editFilter(_ key: Key) -> [Effect] {
        if let binding = KeyBindings.binding(for: key, in: [.filter]) { return perform(binding.action) }
        if case .character(let character) = key {
            filter.append(character)
            fileCursor = 0
            return []
        }
        guard let binding = KeyBindings.binding(for: key, in: [.lists, .files]) else { return [] }
        return perform(binding.action)
    }

    private mutating func perform(_ action: KeyAction) -> [Effect] {
        switch action {
        case .switchPane: switchPane()
        case .showHelp: show(.help)
        case .switchMode: switchMode()
        case .export: exportUploads()
        case .quit: quit()
        case .moveUp: move(by: -1)
        case .moveDown: move(by: 1)
        case .pageUp: move(by: -paneRows)
        case .pageDown: move(by: paneRows)
        case .moveToFirst: move(by: Int.min / 2)
        case .moveToLast: move(by: Int.max / 2)
        case .openOrQueue: openOrQueue()
        case .openFolder: openFolder()
        case .parentFolder: directory == "/" ? [] : open((directory as NSString).deletingLastPathComponent)
        case .toggleMark: toggleMark()
        case .toggleMarkAll: toggleMarkAll()
        case .upload: uploadMarked()
        case .startFilter: startFilter()
        case .clearFilter: clearFilter()
        case .toggleHidden: toggleHidden()
        case .cycleSort: cycleSort()
        case .listAgain: listAgainByHand()
        case .showFileDetails: showFileDetails()
        case .fixFile: fix(selectedEntry)
        case .pause: pauseSelected()
        case .resume: resumeSelected()
        case .retry: retrySelected()
        case .pauseAll: pauseAll()
        case .resumeAll: [.resumeAll]
        case .cancel: cancelSelected()
        case .forgetDone: askToForgetDone()
        case .copy: copySelected()
        case .copyTemplate: copyTemplateExample()
        case .showRemoteMedia: showRemoteMedia()
        case .deleteRemoteMedia: askToDeleteRemoteMedia()
        case .showDetails: showDetails()
        case .keepFilter: endFilter(keeping: true)
        case .dropFilter: endFilter(keeping: false)
        case .eraseFilterCharacter: eraseFilterCharacter()
        }
    }

    // MARK: - Everywhere

    private mutating func switchPane() -> [Effect] {
        focus = focus == .files ? .uploads : .files
        return []
    }

    private mutating func show(_ overlay: Overlay) -> [Effect] {
        self.overlay = overlay
        return []
    }

    private mutating func switchMode() -> [Effect] {
        route = route == .resumable ? .media : .resumable
        message =
            route == .media
            ? "mode: /media — ends with a media id for messages; not resumable (a pause starts it again from 0)"
            : "mode: resumable session — ends with a handle for templates and profile pictures"
        return []
    }

    private mutating func quit() -> [Effect] {
        if activeCount > 0 || !fixing.isEmpty { return show(.confirmQuit) }
        wantsQuit = true
        return [.quit]
    }

    /// Moves the focused pane's cursor.
    private mutating func move(by step: Int) -> [Effect] {
        switch focus {
        case .files: fileCursor = clamp(fileCursor + step, count: visibleEntries.count)
        case .uploads: uploadCursor = clamp(uploadCursor + step, count: uploads.count)
        }
        return []
    }

    // MARK: - Files

    private mutating func openOrQueue() -> [Effect] {
        guard let entry = selectedEntry else { return [] }
        if entry.isDirectory { return open(entry.path) }
        // A file with a row that runs or waits: go to that row, instead of queueing it again.
        if let index = uploads.firstIndex(where: {
            $0.session.path == entry.path && $0.session.route == route && ($0.session.state.isActive || $0.session.state == .paused)
        }) {
            let state = uploads[index].session.state
            focus = .uploads
            uploadCursor = index
            message = "\(entry.name) is in the list already (\(state == .paused ? "paused: r resumes it" : "running"))"
            return []
        }
        return uploadRequest([entry])
    }

    private mutating func openFolder() -> [Effect] {
        guard let entry = selectedEntry, entry.isDirectory else { return [] }
        return open(entry.path)
    }

    private mutating func toggleMark() -> [Effect] {
        guard let entry = selectedEntry, !entry.isDirectory else { return sayFolder() }
        if let index = marked.firstIndex(of: entry.path) { marked.remove(at: index) } else { marked.append(entry.path) }
        fileCursor = clamp(fileCursor + 1, count: visibleEntries.count)
        return []
    }

    private mutating func toggleMarkAll() -> [Effect] {
        let files = visibleEntries.filter { !$0.isDirectory }.map(\.path)
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
    }

    /// The marked files, or the one under the cursor.
    private mutating func uploadMarked() -> [Effect] {
        if !marked.isEmpty {
            let paths = marked
            marked = []
            // Marks from other folders have no entry here: the uploader judges those.
            let here = Dictionary(listing.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            return uploadRequest(
                paths.map { path in
                    here[path] ?? FileEntry(name: (path as NSString).lastPathComponent, path: path, isDirectory: false)
                })
        }
        guard let entry = selectedEntry, !entry.isDirectory else { return sayFolder() }
        return uploadRequest([entry])
    }

    private mutating func startFilter() -> [Effect] {
        isEditingFilter = true
        return []
    }

    private mutating func clearFilter() -> [Effect] {
        filter = ""
        return []
    }

    private mutating func toggleHidden() -> [Effect] {
        showHidden.toggle()
        return listAgain()
    }

    private mutating func cycleSort() -> [Effect] {
        // The cursor stays on its file, wherever the new order puts it.
        let selected = selectedEntry
        sort = sort.next
        if let selected, let index = visibleEntries.firstIndex(where: { $0.path == selected.path && $0.name == selected.name }) {
            fileCursor = index
        }
        message = "sorted by \(sort.rawValue)"
        return []
    }

    // MARK: - Filter editing

    private mutating func endFilter(keeping: Bool) -> [Effect] {
        if !keeping { filter = "" }
        isEditingFilter = false
        fileCursor = 0
        return []
    }

    private mutating func eraseFilterCharacter() -> [Effect] {
        if !filter.isEmpty { filter.removeLast() }
        fileCursor = 0
        return []
    }

    /// Queues files, telling at once why any is refused in the current mode. The
    /// uploader answers for the rest (`.queueAnswered`): one sent unchanged today is not
    /// sent again, as `mediaup upload` would not; forgetting the row (x) lets it go again.
    private static let refusalNoticePrefix = "not queued — "

    private mutating func uploadRequest(_ entries: [FileEntry]) -> [Effect] {
        var accepted: [String] = []
        var refused: [String] = []
        for entry in entries where !entry.isDirectory {
            let standing = entry.standing(for: route, checksMedia: checksMedia)
            if case .refused = standing {
                refused.append("\(entry.name): \(standing.reasons)")
            } else {
                accepted.append(entry.path)
            }
        }
        // A whole folder marked can hold many: the notice says how many and shows one.
        if !refused.isEmpty {
            message =
                Self.refusalNoticePrefix
                + (refused.count <= 2
                    ? refused.joined(separator: "; ")
                    : "\(refused.count) files, such as \(refused[0])")
        }
        guard !accepted.isEmpty else { return [] }
        focus = .uploads
        cursorAwaitsUpload = accepted.first
        return [.upload(paths: accepted, route: route)]
    }

    private mutating func showFileDetails() -> [Effect] {
        guard let entry = selectedEntry else { return [] }
        guard !entry.isDirectory else { return sayFolder() }
        return show(.fileDetails(path: entry.path))
    }

    /// The fix command of the file at `path` onto the clipboard.
    private mutating func copyFix(of path: String) -> [Effect] {
        guard let entry = listing.first(where: { $0.path == path }), let command = fixCommand(for: entry) else {
            message = "no fix command to copy"
            return []
        }
        message = "copied the fix command"
        return [.copy(command)]
    }

    /// Has ffmpeg convert the file, once it is known what to fix and how; the Files
    /// pane shows the new file when the folder changes.
    private mutating func fix(_ entry: FileEntry?) -> [Effect] {
        guard let entry else { return [] }
        guard !entry.isDirectory else { return sayFolder() }
        let standing = entry.standing(for: route, checksMedia: checksMedia)
        switch (standing, MediaFixPlan(standing.findings)) {
        case (.checking, _):
            message = "\(entry.name): still reading it; try again in a moment"
        case (_, .nothingToFix):
            message = "\(entry.name): WhatsApp takes it as it is; nothing to fix"
        case (_, .noConversion(let reason)):
            message = "\(entry.name): \(reason); \(MediaFixPlan.noConversionText)"
        case (_, .conversion) where fixing.contains(entry.path):
            message = "\(entry.name): already being converted"
        case (_, .conversion):
            fixing.insert(entry.path)
            message = "converting \(entry.name) with ffmpeg…; the new file appears beside it"
            return [.fix(path: entry.path, route: route)]
        }
        return []
    }

    /// What Space, u, i and f say on a folder, or `..`: they take files.
    private mutating func sayFolder() -> [Effect] {
        if let entry = selectedEntry { message = "\(entry.name) is a folder: Enter opens it; Space, u, i and f take files" }
        return []
    }

    /// Ctrl-R: as a change on disk does, and it says so until the listing is in.
    private mutating func listAgainByHand() -> [Effect] {
        message = "reading \(directory) again…"
        return listAgain()
    }

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

    // MARK: - Uploads

    private mutating func pauseSelected() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        guard row.session.state.isActive else { message = "\(row.session.fileName) is not running"; return [] }
        if row.session.route == .media { message = "\(row.session.fileName): a /media upload cannot keep its bytes; resume starts it again from 0" }
        stopping[row.id] = "pausing…"
        return [.pause(id: row.id)]
    }

    private mutating func pauseAll() -> [Effect] {
        for row in uploads where row.session.state.isActive && !row.activeElsewhere { stopping[row.id] = "pausing…" }
        return [.pauseAll]
    }

    private mutating func resumeSelected() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        let state = row.session.state
        guard !state.isActive, state != .done else { message = "\(row.session.fileName) is \(state.rawValue)"; return [] }
        return [.resume(id: row.id)]
    }

    private mutating func retrySelected() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        let state = row.session.state
        guard state.isFailure || state == .stalled || state == .retrying || state == .paused else {
            message = "R retries a failed, expired or stalled row"
            return []
        }
        return [.retry(id: row.id)]
    }

    private mutating func cancelSelected() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        return show(.confirmCancel(id: row.id))
    }

    private mutating func askToForgetDone() -> [Effect] {
        guard uploads.contains(where: { $0.session.state == .done }) else { message = "no done rows to clear"; return [] }
        return show(.confirmClearDone)
    }

    private mutating func copySelected() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        guard let value = row.session.handle ?? row.session.mediaID else {
            message = "\(row.session.fileName) has no handle or media id yet"
            return []
        }
        message = "copied: \(value)"
        return [.copy(value)]
    }

    /// The done `/media` row under the cursor with a media id not deleted, or nil with
    /// the message saying why not.
    private mutating func selectedLiveMediaRow() -> UploadSnapshot? {
        guard let row = selectedUpload else { return nil }
        let session = row.session
        guard session.state == .done else { message = "\(session.fileName) is not done: it has no media id yet"; return nil }
        guard session.mediaID != nil else {
            message = "\(session.fileName) went up as a resumable upload: a handle has no lookup on the server"
            return nil
        }
        guard session.deletedAt == nil else { message = "\(session.fileName)'s media was deleted on the server"; return nil }
        return row
    }

    private mutating func showRemoteMedia() -> [Effect] {
        guard let row = selectedLiveMediaRow() else { return [] }
        remoteLookups[row.id] = .asking
        overlay = .remoteMedia(id: row.id)
        return [.lookUpMedia(id: row.id)]
    }

    private mutating func askToDeleteRemoteMedia() -> [Effect] {
        guard let row = selectedLiveMediaRow() else { return [] }
        return show(.confirmDeleteMedia(id: row.id))
    }

    private mutating func copyTemplateExample() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        guard let example = row.session.templateExample else {
            message = "\(row.session.fileName) has no handle: a template header takes a handle (resumable mode)"
            return []
        }
        message = "copied: " + example
        return [.copy(example)]
    }

    private mutating func exportUploads() -> [Effect] {
        guard uploads.contains(where: { $0.session.state == .done }) else { message = "no finished uploads to export"; return [] }
        message = "exporting…"
        return [.export(folder: directory)]
    }

    private mutating func showDetails() -> [Effect] {
        guard let row = selectedUpload else { return [] }
        return show(.details(id: row.id))
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
