import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends lines to one file (`mediaup.log` in the state
/// directory). Nothing that reaches it carries the API key: the engine never logs
/// request headers.
public struct FileLogHandler: LogHandler {
    /// The open log file, shared by every logger of the process.
    public final class Sink: Sendable {
        private let handle: Mutex<FileHandle?>

        /// Opens `path` for appending (mode 0600). A log that has grown past
        /// `rotatingAbove` bytes is first moved to `path.1` (replacing the one before), so
        /// that years of uploads keep at most two logs' worth.
        public init(path: String, rotatingAbove limit: Int64 = 8 << 20) {
            var info = stat()
            if stat(path, &info) == 0, Int64(info.st_size) > limit {
                _ = rename(path, path + ".1")
            }
            // O_APPEND: every write lands at the end as it is then, so processes sharing
            // the log never write over each other's lines.
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            // A log made by an older version may be readable by others: it holds paths.
            if fd >= 0 { fchmod(fd, 0o600) }
            self.handle = Mutex(fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil)
        }

        func write(_ line: String) {
            handle.withLock { handle in
                // A full disk must not take the upload down with the log.
                try? handle?.write(contentsOf: Data(line.utf8))
            }
        }
    }

    private let label: String
    private let sink: Sink
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]

    public init(label: String, sink: Sink, level: Logger.Level) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let time = UTCText.string(Date(), separator: "T", suffix: "Z")
        let extra = metadata.merging(event.metadata ?? [:]) { $1 }
        let context = extra.isEmpty ? "" : " " + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        sink.write("\(time) \(event.level) \(label): \(event.message)\(context)\n")
    }
}
