import Foundation
import Synchronization

/// Prints config-file warnings once per process, however often the file is read.
enum ConfigWarnings {
    private static let printed = Mutex(false)

    static func printOnce(_ warnings: [String]) {
        guard !warnings.isEmpty,
            printed.withLock({ done in
                defer { done = true }; return !done
            })
        else { return }
        // A lost warning is remembered by the writer: the exit code says so.
        for warning in warnings { try? ConsoleWriter.standardError.displayLine("mediaup: warning: \(warning)") }
    }
}
