/// Where a key binding applies.
public enum KeyContext: String, Sendable, CaseIterable {
    case everywhere
    /// Either pane's list: cursor movement.
    case lists
    case files = "Files"
    case uploads = "Uploads"
    /// While typing a filter after `/`.
    case filter = "typing a filter"
}
