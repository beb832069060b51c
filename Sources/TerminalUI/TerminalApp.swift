import Dispatch
import Foundation
import Synchronization
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

    public init(uploader: Uploader) {
        self.uploader = uploader
        folderWatch = FolderWatch { [inbox] folder in inbox.post(.app(.folderChanged(directory: folder))) }
    }

    /// Runs until the user quits. `makeBackend` is called on the UI thread.
    public func run(initial: AppState, makeBackend: @escaping @Sendable () -> any TerminalBackend) async {
        let events = await uploader.events()
        let feeder = Task { [inbox] in
            for await event in events { inbox.post(.app(.uploader(event))) }
        }
        let signals = SignalForwarder(exitOnSecond: false) { [inbox] in inbox.post(.terminate) }
        // A resize only has to wake the loop; the backend measures the new size.
        let resizes = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        resizes.setEventHandler { [inbox] in inbox.post(.wake) }
        resizes.resume()
        defer { resizes.cancel() }
        do {
            let sessions = try await uploader.loadJournal()
            inbox.post(.app(.loaded(sessions)))
        } catch {
            inbox.post(.app(.failed("journal: \(error)")))
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                self.loop(initial: initial, backend: makeBackend())
                done.resume()
            }
            thread.name = "mediaup-ui"
            thread.start()
        }
        feeder.cancel()
        folderWatch.stop()
        withExtendedLifetime(signals) {}
    }

    // MARK: - The UI loop (its own thread)

    private func loop(initial: AppState, backend: any TerminalBackend) {
        defer { backend.restore() }
        var state = initial
        let clock = ContinuousClock()
        let start = clock.now
        func seconds() -> Double {
            let elapsed = clock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
        (state.width, state.height) = backend.size
        _ = state.update(.tick(now: seconds(), date: Date()))
        perform([.list(directory: state.directory, showHidden: state.showHidden)], backend: backend)
        var quitting = false
        backend.draw(state.render())
        while true {
            // Tick a few times a second while something moves; otherwise sleep until
            // a key, a resize or the uploader wakes us.
            let moving = state.uploads.contains { $0.session.state.isActive } || state.loadingDirectory
            let timeout: Int32 = moving ? 250 : -1
            var fds = [pollfd(fd: backend.inputDescriptor, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: inbox.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
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
                case .terminate:
                    if !quitting {
                        quitting = true
                        state.message = "pausing uploads…"
                        perform([.quit], backend: backend)
                    }
                case .paused: exitNow = true
                case .wake: break
                }
            }
            for message in messages {
                let effects = state.update(message)
                if effects.contains(.quit) { quitting = true }
                perform(effects, backend: backend)
            }
            backend.draw(state.render())
            if exitNow { return }
        }
    }

    /// How many rows are judged before the rest: more than any screen shows.
    private static let firstJudged = 256

    /// Carries out effects: disk and network work on other threads, results back
    /// through the inbox.
    private func perform(_ effects: [Effect], backend: any TerminalBackend) {
        for effect in effects {
            switch effect {
            case .list(let directory, let showHidden):
                // Named here, in the order folders are opened; its look is taken just
                // before it is read, off this loop, so that no change is missed.
                folderWatch.watch(directory)
                DispatchQueue.global(qos: .userInitiated).async { [inbox, judgementMemory, folderWatch] in
                    folderWatch.listingStarts(directory)
                    var listing = DirectoryLoader.list(directory, showHidden: showHidden)
                    judgementMemory.recall(into: &listing)
                    inbox.post(.app(.listed(listing)))
                    // Types and verdicts need each file's first bytes: a second pass, after
                    // the rows are on screen. The first rows by name (what a screen shows
                    // first) are judged and sent before the rest.
                    let entries = listing.entries
                    for batch in [entries.prefix(Self.firstJudged), entries.dropFirst(Self.firstJudged)] where !batch.isEmpty {
                        let judgements = DirectoryLoader.judge(batch)
                        judgementMemory.remember(judgements, of: listing)
                        inbox.post(.app(.judged(directory: directory, judgements: judgements)))
                    }
                }
            case .upload(let paths, let route):
                Task { [uploader, inbox] in
                    var alreadySent: [String] = []
                    var failed: [String] = []
                    for path in paths {
                        do {
                            if case .alreadyDone = try await uploader.add(path: path, route: route) { alreadySent.append(FilePaths.fileName(path)) }
                        } catch {
                            failed.append("\(FilePaths.fileName(path)): \(error)")
                        }
                    }
                    if !alreadySent.isEmpty || !failed.isEmpty { inbox.post(.app(.queueAnswered(alreadySent: alreadySent, failed: failed))) }
                }
            case .pause(let id): Task { [uploader] in await uploader.pause(id: id) }
            case .resume(let id): Task { [uploader] in await uploader.resume(id: id) }
            case .retry(let id): Task { [uploader] in await uploader.retry(id: id) }
            case .cancel(let id): Task { [uploader] in await uploader.cancel(id: id) }
            case .pauseAll: Task { [uploader] in await uploader.pauseAll() }
            case .resumeAll: Task { [uploader] in await uploader.resumeAll() }
            case .forgetDone: Task { [uploader] in await uploader.forgetDone() }
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

/// Notices that the listed folder changed (its modification time moves when an entry is
/// added, removed or renamed) by looking once a second, off the UI loop: a `stat` a
/// second costs nothing, and works on every file system and platform.
final class FolderWatch: Sendable {
    private struct Stamp: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt64
    }

    /// The folder watched and how it looked when its listing began (`looked` is false
    /// until then); shared with the timer's handler.
    private final class Watched: Sendable {
        let folder = Mutex<(path: String, stamp: Stamp?, looked: Bool)?>(nil)
    }

    private let watched = Watched()
    private let timer: Mutex<(any DispatchSourceTimer)?>

    init(onChange: @escaping @Sendable (String) -> Void) {
        let source = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        source.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(250))
        source.setEventHandler { [watched] in
            let changed = watched.folder.withLock { current -> String? in
                guard let path = current?.path, current?.looked == true else { return nil }
                let now = Self.stamp(of: path)
                guard now != current?.stamp else { return nil }
                current?.stamp = now
                return path
            }
            if let changed { onChange(changed) }
        }
        source.resume()
        timer = Mutex(source)
    }

    deinit { stop() }

    /// Watches `path` from now on, instead of what was watched before. Touches no disk:
    /// the UI loop calls it.
    func watch(_ path: String) {
        watched.folder.withLock { $0 = (path, nil, false) }
    }

    /// Takes `path`'s look just before it is listed, if it is still the folder watched
    /// (a folder left meanwhile is not).
    func listingStarts(_ path: String) {
        let stamp = Self.stamp(of: path)
        watched.folder.withLock { current in
            if current?.path == path { current = (path, stamp, true) }
        }
    }

    func stop() { timer.withLock { $0?.cancel(); $0 = nil } }

    private static func stamp(of path: String) -> Stamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Glibc)
        return Stamp(seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, inode: UInt64(info.st_ino))
        #else
        return Stamp(seconds: info.st_mtimespec.tv_sec, nanoseconds: info.st_mtimespec.tv_nsec, inode: UInt64(info.st_ino))
        #endif
    }
}

/// What reaches the UI thread from elsewhere.
enum InboxItem: Sendable {
    case app(Message)
    /// Ctrl-C, SIGTERM or SIGHUP: pause cleanly and quit.
    case terminate
    /// Every transfer has stopped after a quit; the loop may end.
    case paused
    /// Nothing to apply: look at the terminal again (a resize).
    case wake
}

/// A thread-safe queue into the UI loop, with a pipe that wakes its `poll`.
final class Inbox: Sendable {
    private let items = Mutex<[InboxItem]>([])
    private let pipeEnds: (read: Int32, write: Int32)

    init() {
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        pipeEnds = (ends[0], ends[1])
    }

    deinit {
        close(pipeEnds.read)
        close(pipeEnds.write)
    }

    var wakeDescriptor: Int32 { pipeEnds.read }

    func post(_ item: InboxItem) {
        items.withLock { $0.append(item) }
        var byte: UInt8 = 1
        _ = write(pipeEnds.write, &byte, 1)
    }

    func take() -> [InboxItem] { items.withLock { items in defer { items = [] }; return items } }

    func drainWakeups() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(pipeEnds.read, &buffer, buffer.count) > 0 {}
    }
}

/// Turns SIGINT, SIGTERM and SIGHUP into a clean stop (uploads paused, the journal
/// up to date) instead of a dead process; optionally a second signal exits at once.
public final class SignalForwarder: Sendable {
    private let sources: Mutex<[any DispatchSourceSignal]>

    public init(exitOnSecond: Bool, _ handler: @escaping @Sendable () -> Void) {
        let count = Mutex(0)
        let made = [SIGINT, SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let seen = count.withLock { value in defer { value += 1 }; return value }
                if seen == 0 { handler() } else if exitOnSecond { exit(130) }
            }
            source.resume()
            return source
        }
        sources = Mutex(made)
    }

    deinit { sources.withLock { for source in $0 { source.cancel() } } }
}
