/// Session ids in the order they became queued, each at most once. Reading moves a
/// head index instead of shifting the array, and an id whose row has left the queued
/// state is skipped when reached, so scheduling costs the same with 2,000 rows as with 2.
struct UploadQueue {
    private var ids: [String] = []
    private var head = 0
    private var members: Set<String> = []

    /// The id at the front, if any.
    var first: String? { head < ids.count ? ids[head] : nil }

    /// Puts `id` at the back, unless it is already waiting.
    mutating func append(_ id: String) {
        guard members.insert(id).inserted else { return }
        ids.append(id)
    }

    /// Drops the id at the front.
    mutating func removeFirst() {
        guard head < ids.count else { return }
        members.remove(ids[head])
        head += 1
        // Compacts once the read part is both large and most of the array.
        if head > 1024 && head * 2 > ids.count {
            ids.removeFirst(head)
            head = 0
        }
    }
}
