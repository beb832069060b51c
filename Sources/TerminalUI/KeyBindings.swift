/// The one table of keys, lazygit-style: the reducer dispatches through it, and the key
/// line, the help overlay and the README's key table (checked by a test) are made from
/// it. A new key is a new row. The order is the key line's and the help's.
public enum KeyBindings {
    public static let all: [KeyBinding] = [
        KeyBinding([.tab, .backTab], .everywhere, "switch pane", label: "pane", .switchPane),

        KeyBinding([.up, .character("k")], .lists, "move", .moveUp),
        KeyBinding([.down, .character("j")], .lists, "move", .moveDown),
        KeyBinding([.pageUp], .lists, "move", .pageUp),
        KeyBinding([.pageDown], .lists, "move", .pageDown),
        KeyBinding([.home, .character("g")], .lists, "move", .moveToFirst),
        KeyBinding([.end, .character("G")], .lists, "move", .moveToLast),

        KeyBinding([.enter], .files, "open a folder; on a file: queue it", label: "open/queue", .openOrQueue),
        KeyBinding([.right, .character("l")], .files, "open a folder", .openFolder),
        KeyBinding([.backspace, .left, .character("h")], .files, "parent folder", .parentFolder),
        KeyBinding([.character(" ")], .files, "mark / unmark a file", label: "mark", .toggleMark),
        KeyBinding([.character("a")], .files, "mark / unmark every file shown", .toggleMarkAll),
        KeyBinding([.character("u")], .files, "upload the marked files (or the one under the cursor)", label: "upload", .upload),
        KeyBinding([.character("m")], .everywhere, "mode: resumable session (handle) ↔ /media (media id)", label: "mode", .switchMode),
        KeyBinding([.character("i")], .files, "details: what is inside, what is wrong, the fix", label: "inside", .showFileDetails),
        KeyBinding([.character("f")], .files, "fix: convert with ffmpeg into NAME.whatsapp.EXT", .fixFile),
        KeyBinding([.character("/")], .files, "filter names", label: "filter", .startFilter),
        KeyBinding([.escape], .files, "clear the filter", .clearFilter),
        KeyBinding([.character(".")], .files, "show / hide hidden files", label: "hidden", .toggleHidden),
        KeyBinding([.character("s")], .files, "sort by name, size, time", label: "sort", .cycleSort),
        KeyBinding([.ctrl("r")], .files, "read the folder again", .listAgain),

        KeyBinding([.character("p")], .uploads, "pause the selected upload", label: "pause", .pause),
        KeyBinding([.character("r")], .uploads, "resume the selected upload", label: "resume", .resume),
        KeyBinding([.character("R")], .uploads, "retry a failed, expired or stalled upload", label: "retry", .retry),
        KeyBinding([.character("P")], .uploads, "pause all", label: "all", .pauseAll),
        KeyBinding([.character("A")], .uploads, "resume all", label: "all", .resumeAll),
        KeyBinding([.character("x"), .delete], .uploads, "cancel and forget the selected upload", label: "cancel", .cancel),
        KeyBinding([.character("C")], .uploads, "forget every done upload", .forgetDone),
        KeyBinding([.character("c")], .uploads, "copy the handle or media id", label: "copy", .copy),
        KeyBinding([.character("t")], .uploads, "copy the handle as a template's header example", .copyTemplate),
        KeyBinding([.character("i")], .uploads, "what the server holds under the media id", .showRemoteMedia),
        KeyBinding([.character("D")], .uploads, "delete a media id on the server (asks first)", .deleteRemoteMedia),
        KeyBinding([.character("e")], .uploads, "export the finished uploads (CSV) into the open folder", .export),
        KeyBinding([.enter], .uploads, "details", label: "details", .showDetails),

        KeyBinding([.enter], .filter, "keep the filter", label: "keep", .keepFilter),
        KeyBinding([.escape], .filter, "clear the filter", label: "clear", .dropFilter),
        KeyBinding([.backspace], .filter, "erase a character", .eraseFilterCharacter),

        KeyBinding([.character("?")], .everywhere, "this help", label: "help", .showHelp),
        KeyBinding([.character("q")], .everywhere, "quit (running uploads are paused, resumable)", label: "quit", .quit),
    ]

    /// The first binding of `key` in any of `contexts`.
    public static func binding(for key: Key, in contexts: [KeyContext]) -> KeyBinding? {
        all.first { contexts.contains($0.context) && $0.keys.contains(key) }
    }

    /// The bindings of `contexts`, in table order.
    public static func bindings(in contexts: [KeyContext]) -> [KeyBinding] {
        all.filter { contexts.contains($0.context) }
    }

    /// The key line's labels, most useful first: where the line is short, hints go from
    /// the end of this list. Help and quit are never dropped.
    static let keyLineImportance = [
        "upload", "pane", "mark", "open/queue", "pause", "resume", "retry", "inside", "details", "copy", "cancel", "mode",
        "filter", "all", "sort", "hidden", "keep", "clear",
    ]

    /// The key line for `contexts` in `width` columns: "Tab pane · Enter open/queue · …", each
    /// binding by its first key, neighbours with the same label as one ("P/A all"), in table
    /// order. What does not fit goes whole, the least useful first (`keyLineImportance`),
    /// but help and quit always stay: with them a user can find the rest.
    public static func keyLine(for contexts: [KeyContext], width: Int = .max) -> String {
        var entries: [KeyLineEntry] = []
        for binding in bindings(in: contexts) {
            guard let label = binding.label, let key = binding.keys.first else { continue }
            if entries.last?.label == label {
                entries[entries.count - 1].keys.append(key.name)
            } else {
                entries.append(KeyLineEntry(keys: [key.name], label: label, alwaysShown: binding.action == .showHelp || binding.action == .quit))
            }
        }
        func rank(_ entry: KeyLineEntry) -> Int { keyLineImportance.firstIndex(of: entry.label) ?? keyLineImportance.count }
        while DisplayWidth.of(KeyLineEntry.line(entries)) > width,
            let least = entries.indices.filter({ !entries[$0].alwaysShown }).max(by: { rank(entries[$0]) < rank(entries[$1]) })
        {
            entries.remove(at: least)
        }
        return KeyLineEntry.line(entries)
    }

    /// The help's lines for `contexts`: keys, then what they do; neighbours with the same
    /// summary share a line ("↑, k / ↓, j / …   move").
    public static func helpLines(for contexts: [KeyContext]) -> [String] {
        var entries: [(keys: [String], summary: String)] = []
        for binding in bindings(in: contexts) {
            if entries.last?.summary == binding.summary {
                entries[entries.count - 1].keys.append(binding.keysText)
            } else {
                entries.append(([binding.keysText], binding.summary))
            }
        }
        return entries.map { entry in
            let keys = entry.keys.joined(separator: " / ")
            return keys + String(repeating: " ", count: max(3, helpKeyColumn - DisplayWidth.of(keys))) + entry.summary
        }
    }

    /// Where the help's summaries start, unless the keys are longer.
    private static let helpKeyColumn = 18
}
