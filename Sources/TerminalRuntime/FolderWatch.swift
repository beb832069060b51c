import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Notices that the listed folder changed (its modification time moves when an entry is
/// added, removed or renamed), or that a file on screen was rewritten in place (which
/// does not move it), by looking once a second, off the UI loop: a few dozen `stat`s a
/// second cost nothing, and work on every file system and platform.
final class FolderWatch: Sendable {
    /// A file on screen as its listing saw it.
    struct SeenFile: Sendable, Equatable {
        var path: String
        var size: Int64
        var modified: Double
    }

    private struct Stamp: Equatable {
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt64
    }

    /// The folder watched and how it looked when its listing began (`looked` is false
    /// until then), and the files on screen (set by the UI loop after each frame);
    /// shared with the timer's handler.
    private final class Watched: Sendable {
        let folder = Mutex<(path: String, stamp: Stamp?, looked: Bool)?>(nil)
        let files = Mutex<[SeenFile]>([])
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
            if let changed { return onChange(changed) }
            // Seen files are the listing's: once one differs, the next listing (which the
            // change brings) replaces them, so one rewrite is reported once.
            let seen = watched.files.withLock { $0 }
            guard let folder = watched.folder.withLock({ $0?.looked == true ? $0?.path : nil }),
                seen.contains(where: { Self.differs($0) })
            else { return }
            watched.files.withLock { $0 = [] }
            onChange(folder)
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

    /// The files the screen shows now, as listed. Touches no disk: the UI loop calls it.
    func watchFiles(_ files: [SeenFile]) {
        watched.files.withLock { if $0 != files { $0 = files } }
    }

    /// Whether the file is not as its listing saw it (a file gone counts as changed).
    private static func differs(_ file: SeenFile) -> Bool {
        var info = stat()
        guard stat(file.path, &info) == 0 else { return true }
        return Int64(info.st_size) != file.size || DirectoryLoader.modifiedSeconds(info) != file.modified
    }

    func stop() {
        timer.withLock {
            $0?.cancel(); $0 = nil
        }
    }

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
