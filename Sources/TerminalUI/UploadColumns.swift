/// Which columns an Uploads row has at the pane's width, and how wide the name is.
struct UploadColumns: Equatable {
    var name: Int
    var showsSize: Bool
    /// The progress bar's cells; 0: no bar.
    var bar: Int
    var showsPercent: Bool

    /// The columns besides the name's and the words': icon, gaps, size, bar, percentage.
    var otherColumns: Int { 3 + 1 + (showsSize ? 9 : 0) + (bar > 0 ? bar + 1 : 0) + (showsPercent ? 6 : 0) }
}
