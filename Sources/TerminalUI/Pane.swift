/// The two panes.
public enum Pane: Sendable, Equatable {
    case files, uploads
}
