import Dispatch
import Foundation
import Synchronization
import TerminalUI
import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the screen: one thread owns the terminal and the state; it sleeps in `poll`
/// on the keyboard and a wake-up pipe, so it never waits on the network or the disk
/// and burns nothing while nothing moves. Everything slow runs elsewhere and comes
/// back as a `Message` through the inbox.
public final class TerminalApp: Sendable {
    private let uploader: Uploader
    private let inbox = Inbox()
    private let judgementMemory = JudgementMemory()
    private let folderWatch: FolderWatch
    /// The ffmpeg named by `--ffmpeg`, if any; else it is looked for when a fix is asked.
    private let ffmpeg: String?
    /// ffmpeg runs under way, by file: cancelled (ffmpeg killed, its partial file
    /// removed) before the screen returns, so that none outlives mediaup.
    private let fixes = Mutex([String: Task<Void, Never>]())

    public init(uploader: Uploader, ffmpeg: String? = nil) {
        self.uploader = uploader
        self.ffmpeg = ffmpeg
        folderWatch = FolderWatch { [inbox] folder in inbox.post(.app(.folderChanged(directory: folder))) }
    }

    /// Runs until the user quits, and says how it ended. `makeBackend` is called on the
    /// UI thread; the terminal is given back before this returns.
    @discardableResult
    public func run(initial: AppState, makeBackend: @escaping @Sendable () -> any TerminalBackend) async -> Ending {
        let events = await uploader.events()
        let feeder = Task { [inbox] in
            for await event in events { inbox.post(.app(.uploader(event))) }
        }
        // A second signal ends the screen at once, should the first one's pauses not
        // finish (a server that does not answer).
        let signals = SignalForwarder(onSecond: { [inbox] in inbox.post(.terminateNow) }, { [inbox] in inbox.post(.terminate) })
        // A resize only has to wake the loop; the backend measures the new size.
        let resizes = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resizes.setEventHandler { [inbox] in inbox.post(.wake) }
        resizes.resume()
        defer { resizes.cancel() }
        // The folder is read while the journal loads: neither waits for the other.
        startListing(initial.directory, showHidden: initial.showHidden)
        do {
            let sessions = try await uploader.loadJournal()
            inbox.post(.app(.loaded(sessions)))
            // The quit question promised it: what a quit paused, or a crash left, goes on.
            await uploader.resumeInterrupted()
            // What a second screen or a script starts shows here too.
            await uploader.followJournal()
        } catch {
            inbox.post(.app(.failed("journal: \(error)")))
        }
        let ending = await withCheckedContinuation { (done: CheckedContinuation<Ending, Never>) in
            let thread = Thread { [self] in
                done.resume(returning: self.loop(initial: initial, backend: makeBackend()))
            }
            thread.name = "mediaup-ui"
            thread.start()
        }
        feeder.cancel()
        await uploader.stopFollowingJournal()
        folderWatch.stop()
        for fix in fixes.withLock({ Array($0.values) }) {
            fix.cancel()
            await fix.value
        }
        withExtendedLifetime(signals) {}
        return ending
    }

    /// How the screen ended.
    public enum Ending: Sendable {
        /// Quit, every transfer paused and recorded.
        case quit
        /// A second signal came before the pauses finished: transfers were cut where they
        /// were, and the next start resumes them as after a crash.
        case interrupted
    }

    // MARK: - The UI loop (its own thread)

    private func loop(initial: AppState, backend: any TerminalBackend) -> Ending {
        defer { backend.restore() }
        var state = initial
        let clock = ContinuousClock()
        let start = clock.now
        func seconds() -> Double {
            let elapsed = clock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        let size = backend.size
        _ = state.update(.resize(width: size.width, height: size.height))
        _ = state.update(.tick(now: seconds(), date: Date()))
        backend.draw(state.render())
        while true {
            // Tick a few times a second while something moves; otherwise sleep until
            // a key, a resize or the uploader wakes us.
            let moving = state.uploads.contains { $0.session.state.isActive } || state.loadingDirectory
            let timeout: Int32 = moving ? 250 : -1
            var fds = [
                pollfd(fd: backend.inputDescriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, timeout)
            inbox.drainWakeups()

            // The clock first, so that what follows is measured against now.
            var messages: [Message] = [.tick(now: seconds(), date: Date())]
            messages += backend.readEvents().map {
                switch $0 {
                case .key(let key): .key(key)
                case .resize(let width, let height): .resize(width: width, height: height)
                }
            }
            var exitNow = false
            for item in inbox.take() {
                switch item {
                case .app(let message): messages.append(message)
                case .terminate: messages.append(.terminate)
                case .paused: exitNow = true
                case .terminateNow: return .interrupted
                case .wake: break
                }
            }
            for message in messages {
                perform(state.update(message), backend: backend)
            }
            backend.draw(state.render())
            folderWatch.watchFiles(
                state.filesOnScreen.filter { $0.problem == nil && !$0.factsPending }.map {
                    FolderWatch.SeenFile(path: $0.path, size: $0.size, modified: $0.modified)
                })
            if exitNow { return .quit }
        }
    }

    /// How many rows are judged before the rest: more than any screen shows.
    private static let firstJudged = 256

    /// Asks the uploader for something it may refuse (the row is another process's),
    /// and shows the refusal on the screen.
    private func refusable(_ request: @escaping @Sendable (Uploader) async throws -> Void) {
        Task { [uploader, inbox] in
            do { try await request(uploader) } catch { inbox.post(.app(.failed("\(error)"))) }
        }
    }

    /// Reads a folder off the UI loop and posts its listing, then its files' verdicts.
    private func startListing(_ directory: String, showHidden: Bool) {
        // Named here, in the order folders are opened; its look is taken just before it
        // is read, off this loop, so that no change is missed.
        folderWatch.watch(directory)
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            folderWatch.listingStarts(directory)
            // A folder opened anew shows its first rows before the rest are stat'ed; one
            // listed again (a change on disk, hidden files shown) has verdicts to keep,
            // which need each file's size and time, so it is stat'ed whole.
            let showsFirstRowsFirst = !judgementMemory.remembers(directory)
            var listing = DirectoryLoader.list(directory, showHidden: showHidden, statingFirst: showsFirstRowsFirst ? Self.firstJudged : nil)
            judgementMemory.recall(into: &listing)
            inbox.post(.app(.listed(listing)))
            // Types and verdicts need each file's first bytes: a second pass, after the
            // rows are on screen. The first rows by name (what a screen shows first) are
            // judged and sent before the rest, which are stat'ed first if need be.
            let first = listing.entries.prefix(Self.firstJudged)
            if !first.isEmpty { judge(first, of: listing, in: directory) }
            if showsFirstRowsFirst {
                let facts = DirectoryLoader.completeFacts(of: &listing)
                if !facts.isEmpty { inbox.post(.app(.statted(directory: directory, facts: facts))) }
            }
            let rest = listing.entries.dropFirst(Self.firstJudged)
            if !rest.isEmpty { judge(rest, of: listing, in: directory) }
        }
    }

    private func judge(_ entries: ArraySlice<FileEntry>, of listing: DirectoryListing, in directory: String) {
        let judgements = DirectoryLoader.judge(entries)
        judgementMemory.remember(judgements, of: listing)
        inbox.post(.app(.judged(directory: directory, judgements: judgements)))
    }

    /// Carries out effects: disk and network work on other threads, results back
    /// through the inbox.
    private func perform(_ effects: [Effect], backend: any TerminalBackend) {
        for effect in effects {
            switch effect {
            case .list(let directory, let showHidden):
                startListing(directory, showHidden: showHidden)
            case .upload(let paths, let route):
                Task { [uploader, inbox] in
                    var alreadySent: [String] = []
                    var failed: [String] = []
                    for path in paths {
                        do {
                            switch try await uploader.add(path: path, route: route) {
                            case .alreadyDone, .reused: alreadySent.append(FilePaths.fileName(path))
                            case .queued: break
                            }
                        } catch {
                            failed.append("\(FilePaths.fileName(path)): \(error.message)")
                        }
                    }
                    if !alreadySent.isEmpty || !failed.isEmpty { inbox.post(.app(.queueAnswered(alreadySent: alreadySent, failed: failed))) }
                }
            case .export(let folder):
                Task { [uploader, inbox] in
                    let sessions = await uploader.currentSnapshots().map(\.session)
                    // In the task, off the loop: the disk may be slow or full.
                    do {
                        let text = MediaExport.text(of: sessions, format: .csv, now: Date())
                        let path = try MediaExport.writeNewFile(text, in: folder, at: Date(), format: .csv)
                        let count = sessions.filter { $0.state == .done }.count
                        inbox.post(.app(.notice("exported \(count) upload\(count == 1 ? "" : "s") to \(path)")))
                    } catch {
                        inbox.post(.app(.failed("export: \(error.message)")))
                    }
                }
            case .lookUpMedia(let id):
                Task { [uploader, inbox] in
                    do throws(APIFailure) {
                        inbox.post(.app(.mediaLookedUp(id: id, .found(try await uploader.lookUpMedia(id: id)))))
                    } catch {
                        inbox.post(.app(.mediaLookedUp(id: id, .failed(error.description))))
                    }
                }
            case .deleteMedia(let id):
                Task { [uploader, inbox] in
                    do throws(APIFailure) {
                        let warning = try await uploader.deleteRemoteMedia(id: id)
                        inbox.post(.app(warning.map { .failed($0) } ?? .notice("deleted on the server")))
                    } catch {
                        inbox.post(.app(.failed("not deleted: \(error.description)")))
                    }
                }
            case .pause(let id): refusable { try await $0.pause(id: id) }
            case .resume(let id): Task { [uploader] in await uploader.resume(id: id) }
            case .retry(let id): refusable { try await $0.retry(id: id) }
            case .cancel(let id): refusable { try await $0.cancel(id: id) }
            case .pauseAll: Task { [uploader] in await uploader.pauseAll() }
            case .resumeAll: Task { [uploader] in await uploader.resumeAll() }
            case .forgetDone: Task { [uploader] in await uploader.forgetDone() }
            case .fix(let path, let route):
                // Registered under the lock, which the run takes to remove itself: a run
                // that ends at once cannot leave its entry behind.
                fixes.withLock { running in
                    running[path] = Task { [self, inbox] in
                        let outcome: String
                        switch FFmpegLocator.locate(explicit: ffmpeg, environment: ProcessInfo.processInfo.environment) {
                        case .failure(let missing): outcome = "cannot fix \(FilePaths.fileName(path)): \(missing.message)"
                        case .success(let executable):
                            outcome = await MediaFixer.fix(path: path, route: route, ffmpeg: executable).textLine(file: FilePaths.fileName(path))
                        }
                        fixes.withLock { _ = $0.removeValue(forKey: path) }
                        inbox.post(.app(.fixFinished(path: path, outcome: outcome)))
                    }
                }
            case .copy(let text):
                backend.writeRaw("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}")
            case .quit:
                Task { [uploader, inbox] in
                    await uploader.pauseAllAndWait()
                    inbox.post(.paused)
                }
            }
        }
    }
}
