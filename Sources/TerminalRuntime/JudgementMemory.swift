import Synchronization
import TerminalUI

/// What was judged in the folder listed last, so that listing it again (a refresh, hidden
/// files shown) reads again only the files that changed: judging a folder of 100,000
/// files takes seconds. One folder at a time; used off the UI loop.
public final class JudgementMemory: Sendable {
    private let remembered = Mutex<(directory: String, byName: [String: FileEntry])>(("", [:]))

    public init() {}

    /// Whether verdicts from `directory` are held: it was listed and judged before.
    public func remembers(_ directory: String) -> Bool {
        remembered.withLock { $0.directory == directory && !$0.byName.isEmpty }
    }

    /// Gives the entries of `listing` that are unchanged since they were judged (same
    /// size and modification time) their verdicts again.
    public func recall(into listing: inout DirectoryListing) {
        remembered.withLock { memory in
            guard memory.directory == listing.path, !memory.byName.isEmpty else { return }
            for index in listing.entries.indices {
                let entry = listing.entries[index]
                guard !entry.isDirectory, entry.problem == nil, let known = memory.byName[entry.name],
                    known.size == entry.size, known.modified == entry.modified
                else { continue }
                listing.entries[index].verdicts = known.verdicts
                listing.entries[index].mime = known.mime
                listing.entries[index].inspection = known.inspection
            }
        }
    }

    /// Keeps `judgements` of `listing`'s entries; judgements of another folder replace
    /// whatever was kept.
    public func remember(_ judgements: [FileJudgement], of listing: DirectoryListing) {
        remembered.withLock { memory in
            if memory.directory != listing.path { memory = (listing.path, [:]) }
            for judgement in judgements where listing.entries.indices.contains(judgement.position) {
                var entry = listing.entries[judgement.position]
                entry.verdicts = judgement.verdicts
                entry.mime = judgement.mime
                entry.inspection = judgement.inspection
                memory.byName[judgement.name] = entry
            }
        }
    }
}
