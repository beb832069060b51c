/// Bad usage or configuration: one line on stderr, exit code 2.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
