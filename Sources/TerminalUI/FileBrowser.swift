import Foundation
import Synchronization
import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line of the Files pane.
public struct FileEntry: Sendable, Equatable {
    /// The name as shown: escaped (`\xNN`) where it is not valid UTF-8.
    public var name: String { didSet { nameKey = NameOrder.key(name) } }
    /// What sorts by name quickly (see `NameOrder`); made once, by the loader's thread.
    private(set) var nameKey: [UInt8]?
    public var path: String
    public var isDirectory: Bool
    public var size: Int64
    /// Modification time, seconds since the epoch.
    public var modified: Double
    /// Why this entry cannot be uploaded whatever the mode (unreadable, not a regular
    /// file, a name that is not UTF-8), if anything.
    public var problem: String?
    /// What WhatsApp thinks of the file in each mode; nil until its head was read.
    public var verdicts: [UploadRoute: MediaVerdict]?
    /// The type found in the file's first bytes, once read.
    public var mime: String?

    public init(name: String, path: String, isDirectory: Bool, size: Int64 = 0, modified: Double = 0,
                problem: String? = nil, verdicts: [UploadRoute: MediaVerdict]? = nil) {
        self.name = name
        self.nameKey = NameOrder.key(name)
        self.path = path
        self.isDirectory = isDirectory
        self.size = size
        self.modified = modified
        self.problem = problem
        self.verdicts = verdicts
    }

    /// The verdict for a mode, once known.
    public func verdict(for route: UploadRoute) -> MediaVerdict? {
        if let problem { return .rejected(reason: problem) }
        return verdicts?[route]
    }
}

/// A folder's contents as the loader found them.
public struct DirectoryListing: Sendable, Equatable {
    public var path: String
    /// Sorted by name (off the UI loop), so that sorting them there again is quick.
    public var entries: [FileEntry]
    /// Set when the folder could not be read; `entries` is then empty.
    public var error: String?

    public init(path: String, entries: [FileEntry], error: String? = nil) {
        self.path = path
        self.entries = entries
        self.error = error
    }
}

/// Reads folders and judges files. Runs off the UI loop: listing touches the disk.
public enum DirectoryLoader {
    /// Lists `path` with sizes and times (following symlinks; a dangling link or a
    /// loop shows as a problem). Hidden entries only when `showHidden`.
    public static func list(_ path: String, showHidden: Bool) -> DirectoryListing {
        guard let directory = opendir(path) else {
            return DirectoryListing(path: path, entries: [], error: "cannot open \(path): \(FileIdentity.errorText(errno))")
        }
        defer { closedir(directory) }
        var names: [(name: String, valid: Bool)] = []
        while let record = readdir(directory) {
            let rawName = withUnsafeBytes(of: record.pointee.d_name) { buffer in
                Array(buffer.prefix(while: { $0 != 0 }))
            }
            let decoded = String(validating: rawName, as: UTF8.self)
            let name = decoded ?? rawName.map { $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true) }.joined()
            if name == "." || name == ".." { continue }
            if !showHidden && name.hasPrefix(".") { continue }
            names.append((name, decoded != nil))
        }
        // Stat in parallel, one slice per core: for a folder of 100,000 files the stat
        // calls are most of the wait before the first frame (bench/RESULTS.md, 5).
        let folder = dirfd(directory)
        let slices = names.count < 2_000 ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        let parts = Mutex([[FileEntry]](repeating: [], count: slices))
        DispatchQueue.concurrentPerform(iterations: slices) { [names] slice in
            let range = (names.count * slice / slices)..<(names.count * (slice + 1) / slices)
            let part = names[range].map { item in
                let full = path == "/" ? "/" + item.name : path + "/" + item.name
                guard item.valid else {
                    return FileEntry(name: item.name, path: full, isDirectory: false, problem: "the name is not valid UTF-8; rename the file to upload it")
                }
                return entry(name: item.name, path: full, in: folder)
            }
            parts.withLock { $0[slice] = part }
        }
        let entries = Array(parts.withLock { $0 }.joined())
        return DirectoryListing(path: path, entries: SortOrder.name.sorted(entries))
    }

    /// Stats `name` relative to the open folder: the kernel need not walk the whole
    /// path again for each of a big folder's entries.
    private static func entry(name: String, path: String, in folder: Int32) -> FileEntry {
        var info = stat()
        guard fstatat(folder, name, &info, 0) == 0 else {
            let err = errno
            let reason = err == ELOOP ? "a symbolic link loop" : err == ENOENT ? "a symbolic link to nothing" : FileIdentity.errorText(err)
            return FileEntry(name: name, path: path, isDirectory: false, problem: reason)
        }
        #if canImport(Glibc)
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #else
        let modified = Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #endif
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR {
            return FileEntry(name: name, path: path, isDirectory: true, modified: modified)
        }
        var entry = FileEntry(name: name, path: path, isDirectory: false, size: Int64(info.st_size), modified: modified)
        if kind != S_IFREG { entry.problem = "not a regular file" }
        return entry
    }

    /// What reading a file's first bytes tells: its type and both modes' verdicts.
    public struct Judgement: Sendable, Equatable {
        public var mime: String?
        public var verdicts: [UploadRoute: MediaVerdict]
    }

    /// Reads each file's first bytes (once) and judges it for both modes.
    public static func judge(_ entries: [FileEntry]) -> [String: Judgement] {
        var judgements: [String: Judgement] = [:]
        for entry in entries where !entry.isDirectory && entry.problem == nil {
            guard let head = try? FileIdentity.readHead(path: entry.path, count: MediaRules.sniffLength) else {
                let verdict = MediaRules.verdict(forFileAt: entry.path, route: .media)
                judgements[entry.path] = Judgement(mime: nil, verdicts: [.media: verdict, .resumable: verdict])
                continue
            }
            var verdicts: [UploadRoute: MediaVerdict] = [:]
            for route in UploadRoute.allCases {
                verdicts[route] = MediaRules.verdict(head: head, fileName: entry.name, size: entry.size, route: route)
            }
            judgements[entry.path] = Judgement(mime: MediaRules.detect(head: head, fileName: entry.name).mime, verdicts: verdicts)
        }
        return judgements
    }
}

/// How the Files pane orders entries (folders always first).
public enum SortOrder: String, Sendable, CaseIterable {
    case name, size, time

    /// The next order, for `s`.
    public var next: SortOrder {
        let all = SortOrder.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// `entries` in this order, folders first. Positions are sorted, not entries: an
    /// entry holds several references, and moving 100,000 of them around a merge sort
    /// cost more retains and releases than the comparisons (bench/RESULTS.md, 5).
    public func sorted(_ entries: [FileEntry]) -> [FileEntry] {
        entries.withUnsafeBufferPointer { all in
            let precedes = { (i: Int, j: Int) -> Bool in
                if all[i].isDirectory != all[j].isDirectory { return all[i].isDirectory }
                switch self {
                case .name: return NameOrder.precedes(all[i].name, all[i].nameKey, all[j].name, all[j].nameKey)
                case .size: return all[i].size != all[j].size ? all[i].size > all[j].size : all[i].name < all[j].name
                case .time: return all[i].modified != all[j].modified ? all[i].modified > all[j].modified : all[i].name < all[j].name
                }
            }
            // A listing comes sorted by name from the loader: a look costs less than a sort.
            if all.indices.dropFirst().allSatisfy({ !precedes($0, $0 - 1) }) { return entries }
            return all.indices.sorted(by: precedes).map { all[$0] }
        }
    }
}
