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

/// Reads folders and judges files. Runs off the UI loop: listing touches the disk.
public enum DirectoryLoader {
    /// Lists `path` with sizes and times (following symlinks; a dangling link or a
    /// loop shows as a problem). Hidden entries only when `showHidden`.
    ///
    /// With `statingFirst`, only that many rows from the top, and names whose kind the
    /// folder does not tell (links and the like), are stat'ed: the others come with
    /// `factsPending`, for ``completeFacts(of:)``. Stat'ing was two thirds of listing a
    /// big folder, and a screen shows only its first rows at first.
    ///
    /// Built for a folder of 100,000 files (bench/RESULTS.md, 5): reading the folder is
    /// one thread's work, so it only copies the raw names; then each core stats, names,
    /// keys and sorts a slice, the slices are merged, and `FileEntry`s are made once,
    /// already in order.
    public static func list(_ path: String, showHidden: Bool, statingFirst: Int? = nil) -> DirectoryListing {
        guard let directory = opendir(path) else {
            return DirectoryListing(path: path, nameOrdered: [], error: "cannot open \(path): \(FileIdentity.errorText(errno))")
        }
        defer { closedir(directory) }
        // Each name as the folder holds it, NUL-terminated, for fstatat.
        var rawNames: [CChar] = []
        var starts: [Int] = []
        // What the folder says each name is (DT_REG, DT_DIR, …): enough to sort by.
        var kinds: [UInt8] = []
        let nameOffset = MemoryLayout<dirent>.offset(of: \.d_name)!
        while true {
            // readdir says end and failure alike with nil; only errno tells them apart
            // (a folder one may open but not read, such as another user's /proc entries).
            errno = 0
            guard let record = readdir(directory) else {
                guard errno == 0 else {
                    return DirectoryListing(path: path, nameOrdered: [], error: "cannot read \(path): \(FileIdentity.errorText(errno))")
                }
                break
            }
            let name = UnsafeRawPointer(record).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let length = strlen(name)
            if name[0] == CChar(UInt8(ascii: ".")) && (!showHidden || length == 1 || (length == 2 && name[1] == name[0])) {
                continue
            }
            starts.append(rawNames.count)
            kinds.append(statingFirst == nil ? UInt8(DT_UNKNOWN) : record.pointee.d_type)
            rawNames.append(contentsOf: UnsafeBufferPointer(start: name, count: length + 1))
        }
        let folder = dirfd(directory)
        let done = Mutex([(index: Int, slice: FolderSlice)]())
        rawNames.withUnsafeBufferPointer { names in
            // Read only, and alive until every slice is done.
            nonisolated(unsafe) let names = names
            onEachCore(count: starts.count) { [starts, kinds] index, range in
                let slice = FolderSlice(names: names, starts: starts[range], kinds: kinds[range], folder: folder)
                done.withLock { $0.append((index, slice)) }
            }
        }
        let slices = done.withLock { $0.sorted { $0.index < $1.index }.map(\.slice) }
        let prefix = path == "/" ? "/" : path + "/"
        let merged = NameOrder.merge(slices.map { ($0.order, $0.sortedPositions) })
        // The rows a screen shows first get their facts now, while the folder is open.
        for item in merged.prefix(statingFirst ?? 0) {
            slices[item.run].stat(at: item.position, names: rawNames, in: folder)
        }
        let entries = [FileEntry](unsafeUninitializedCapacity: merged.count) { buffer, initialized in
            // Each core fills only its own range.
            nonisolated(unsafe) let buffer = buffer
            onEachCore(count: merged.count) { _, range in
                for index in range {
                    let item = merged[index]
                    (buffer.baseAddress! + index).initialize(to: slices[item.run].entry(at: item.position, pathPrefix: prefix))
                }
            }
            initialized = merged.count
        }
        return DirectoryListing(path: path, nameOrdered: entries)
    }

    /// Runs `body` on every core at once, each with its share of `0..<count` (all on
    /// this thread below `splittingFrom`, where threads would cost more than they save).
    private static func onEachCore(
        count: Int, splittingFrom: Int = 2_000, _ body: @Sendable (_ index: Int, _ range: Range<Int>) -> Void
    ) {
        let slices = count < splittingFrom ? 1 : max(1, ProcessInfo.processInfo.activeProcessorCount)
        DispatchQueue.concurrentPerform(iterations: slices) { index in
            body(index, (count * index / slices)..<(count * (index + 1) / slices))
        }
    }

    /// The stat facts of `listing`'s rows that came with `factsPending`, read on every
    /// core; `listing` takes them too. Each row's path is stat'ed anew: a file gone
    /// since the folder was read shows as the problem it now is.
    public static func completeFacts(of listing: inout DirectoryListing) -> [FileFacts] {
        let pending = listing.entries.indices.filter { listing.entries[$0].factsPending }
        let done = Mutex([(index: Int, facts: [FileFacts])]())
        let entries = listing.entries
        onEachCore(count: pending.count) { index, range in
            let facts = pending[range].map { position in
                let listed = entries[position]
                let found = Self.facts(ofPath: listed.path)
                // Not a link: a name that went since the folder was read.
                let entry =
                    found.kind == .failed && found.error == ENOENT
                    ? FileEntry(name: listed.name, path: listed.path, isDirectory: false, problem: "no longer in the folder")
                    : found.entry(name: listed.name, path: listed.path)
                return FileFacts(position: position, entry: entry)
            }
            done.withLock { $0.append((index, facts)) }
        }
        let facts = done.withLock { $0.sorted { $0.index < $1.index }.flatMap(\.facts) }
        for fact in facts { listing.entries[fact.position] = fact.entry }
        return facts
    }

    /// One core's share of a folder: its names stat'ed (those the folder does not tell
    /// apart, or all), decoded, keyed and sorted. A class: making 100,000 entries from a
    /// few slices must not copy a slice each time.
    private final class FolderSlice: @unchecked Sendable {
        let order: NameOrder
        /// Written only by `stat(at:…)`, before any entry is made and on one thread.
        private var facts: [StatFacts]
        let validNames: [Bool]
        let sortedPositions: [Int]
        /// Where each name's raw bytes start in the folder's name buffer.
        private let starts: [Int]

        init(names: UnsafeBufferPointer<CChar>, starts: ArraySlice<Int>, kinds: ArraySlice<UInt8>, folder: Int32) {
            var order = NameOrder(capacity: starts.count)
            var facts: [StatFacts] = []
            var validNames: [Bool] = []
            facts.reserveCapacity(starts.count)
            validNames.reserveCapacity(starts.count)
            for (start, kind) in zip(starts, kinds) {
                let raw = names.baseAddress! + start
                let utf8 = UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
                let decoded = String(validating: utf8, as: UTF8.self)
                // Stat'ed by its raw bytes even when it is not UTF-8: such a file cannot be
                // uploaded, but its row still shows its real size and time.
                let fact =
                    switch Int(kind) {
                    case Int(DT_REG) where decoded != nil: StatFacts(kind: .regular, pending: true)
                    case Int(DT_DIR) where decoded != nil: StatFacts(kind: .directory, pending: true)
                    default: DirectoryLoader.facts(of: raw, in: folder)
                    }
                order.append(decoded ?? DirectoryLoader.escaped(utf8), utf8: utf8, isDirectory: fact.kind == .directory)
                facts.append(fact)
                validNames.append(decoded != nil)
            }
            sortedPositions = order.sortedPositions()
            self.order = order
            self.facts = facts
            self.validNames = validNames
            self.starts = Array(starts)
        }

        /// Stats the name at `position` if it was left for later.
        func stat(at position: Int, names: [CChar], in folder: Int32) {
            guard facts[position].pending else { return }
            facts[position] = names.withUnsafeBufferPointer { DirectoryLoader.facts(of: $0.baseAddress! + starts[position], in: folder) }
        }

        func entry(at position: Int, pathPrefix: String) -> FileEntry {
            let name = order.name(at: position)
            guard validNames[position] else {
                let fact = facts[position]
                return FileEntry(
                    name: name, path: pathPrefix + name, isDirectory: false, size: fact.size, modified: fact.modified,
                    problem: "the name is not valid UTF-8; rename the file to upload it")
            }
            return facts[position].entry(name: name, path: pathPrefix + name)
        }
    }

    /// A name that is not UTF-8, shown with its odd bytes as `\xNN`.
    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        bytes.map { $0 < 0x80 && $0 >= 0x20 ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16, uppercase: true) }.joined()
    }

    /// What `stat` said of one entry: plain values, cheap to make on many threads.
    private struct StatFacts: Sendable {
        enum Kind { case directory, regular, other, failed }
        var kind = Kind.failed
        var size: Int64 = 0
        var modified: Double = 0
        var error: Int32 = 0
        /// Not stat'ed yet: `kind` is what the folder said.
        var pending = false

        func entry(name: String, path: String) -> FileEntry {
            var entry = statted(name: name, path: path)
            entry.factsPending = pending
            return entry
        }

        private func statted(name: String, path: String) -> FileEntry {
            switch kind {
            case .failed:
                let reason = error == ELOOP ? "a symbolic link loop" : error == ENOENT ? "a symbolic link to nothing" : FileIdentity.errorText(error)
                return FileEntry(name: name, path: path, isDirectory: false, problem: reason)
            case .directory:
                return FileEntry(name: name, path: path, isDirectory: true, modified: modified)
            case .regular, .other:
                return FileEntry(
                    name: name, path: path, isDirectory: false, size: size, modified: modified,
                    problem: kind == .other ? "not a regular file" : nil)
            }
        }
    }

    /// A `stat`'s modification time as `FileEntry.modified` holds it: seconds since the
    /// epoch. The folder watch compares with it, so both read it here.
    static func modifiedSeconds(_ info: stat) -> Double {
        #if canImport(Glibc)
        Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #else
        Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #endif
    }

    /// Stats a name relative to the open folder: the kernel need not walk the whole
    /// path again for each of a big folder's entries.
    private static func facts(of name: UnsafePointer<CChar>, in folder: Int32) -> StatFacts {
        var info = stat()
        guard fstatat(folder, name, &info, 0) == 0 else { return StatFacts(error: errno) }
        return facts(info)
    }

    private static func facts(ofPath path: String) -> StatFacts {
        var info = stat()
        guard stat(path, &info) == 0 else { return StatFacts(error: errno) }
        return facts(info)
    }

    private static func facts(_ info: stat) -> StatFacts {
        let modified = modifiedSeconds(info)
        let kind = info.st_mode & S_IFMT
        return StatFacts(
            kind: kind == S_IFDIR ? .directory : kind == S_IFREG ? .regular : .other,
            size: Int64(info.st_size), modified: modified)
    }

    /// Reads each file's first bytes (once) and judges it for both modes, then reads inside
    /// the media files (codecs, tracks, bit depth: headers only, within the inspector's
    /// budget); entries that have verdicts already are left alone. `entries` is a slice of
    /// a listing's entries; its indices are their positions there. Files are read on every
    /// core: each is a few small reads, and a folder of videos has many.
    public static func judge(_ entries: ArraySlice<FileEntry>) -> [FileJudgement] {
        let pending = zip(entries.indices, entries).filter { !$1.isDirectory && $1.problem == nil && $1.verdicts == nil && !$1.factsPending }
        let done = Mutex([(index: Int, judgements: [FileJudgement])]())
        onEachCore(count: pending.count, splittingFrom: 32) { index, range in
            let judgements = pending[range].map { judge($1, position: $0) }
            done.withLock { $0.append((index, judgements)) }
        }
        return done.withLock { $0.sorted { $0.index < $1.index }.flatMap(\.judgements) }
    }

    private static func judge(_ entry: FileEntry, position: Int) -> FileJudgement {
        guard let head = try? FileIdentity.readHead(path: entry.path, count: MediaRules.sniffLength) else {
            let verdict = MediaRules.verdict(forFileAt: entry.path, route: .media)
            return FileJudgement(position: position, name: entry.name, mime: nil, verdicts: [.media: verdict, .resumable: verdict])
        }
        var verdicts: [UploadRoute: MediaVerdict] = [:]
        for route in UploadRoute.allCases {
            verdicts[route] = MediaRules.verdict(head: head, fileName: entry.name, size: entry.size, route: route)
        }
        let type = MediaRules.detect(head: head, fileName: entry.name)
        // An empty file has nothing inside to read; the verdicts already refuse it.
        let inspection = type.kind == nil || head.isEmpty ? nil : MediaInspector.inspect(path: entry.path, type: type)
        return FileJudgement(position: position, name: entry.name, mime: type.mime, verdicts: verdicts, inspection: inspection)
    }
}
