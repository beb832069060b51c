import Foundation

/// Reads a file's headers at chosen offsets, and never more than `budget` bytes in all:
/// a malformed file can make a parser ask for anything, so what it may get is bounded here.
public final class BoundedReader {
    /// What one inspection may read by default: headers and box tables, never the media.
    public static let defaultBudget = 1 << 20

    /// The file's size in bytes.
    public let size: Int64
    /// The most bytes all reads together may return.
    public let budget: Int
    /// The bytes read so far.
    public private(set) var bytesRead = 0

    private enum Source {
        case descriptor(Int32)
        case bytes([UInt8])
    }

    private let source: Source

    /// A reader over bytes in memory.
    public init(bytes: [UInt8], budget: Int = defaultBudget) {
        source = .bytes(bytes)
        size = Int64(bytes.count)
        self.budget = budget
    }

    /// A reader over the file at `path`, opened for reading until the reader goes. Opened
    /// without waiting (a FIFO put in the file's place would block `open`), and only a
    /// regular file is taken.
    public init(path: String, budget: Int = defaultBudget) throws(FileProblem) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileProblem("\(path): \(FileIdentity.errorText(errno))") }
        var info = stat()
        let status = fstat(descriptor, &info) == 0 ? nil : FileIdentity.errorText(errno)
        guard status == nil, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw FileProblem("\(path): \(status ?? "not a regular file")")
        }
        source = .descriptor(descriptor)
        size = Int64(info.st_size)
        self.budget = budget
    }

    deinit {
        if case .descriptor(let descriptor) = source { close(descriptor) }
    }

    /// Exactly `count` bytes at `offset`; throws when the file ends first or the budget would be passed.
    public func read(_ count: Int, at offset: Int64, what: String) throws(MediaReadError) -> [UInt8] {
        let bytes = try read(upTo: count, at: offset)
        guard bytes.count == count else { throw MediaReadError("the file ends inside the \(what)") }
        return bytes
    }

    /// Up to `count` bytes at `offset`: fewer where the file ends.
    public func read(upTo count: Int, at offset: Int64) throws(MediaReadError) -> [UInt8] {
        guard count >= 0, offset >= 0 else { throw MediaReadError("a header points before the start of the file") }
        let wanted = Int(min(Int64(count), max(0, size - offset)))
        guard wanted <= budget - bytesRead else {
            throw MediaReadError("the headers need more than \(ByteFormat.string(Int64(budget))) to read")
        }
        guard wanted > 0 else { return [] }
        let bytes: [UInt8]
        switch source {
        case .bytes(let all):
            bytes = Array(all[Int(offset)..<Int(offset) + wanted])
        case .descriptor(let descriptor):
            var buffer = [UInt8](repeating: 0, count: wanted)
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, off_t(offset)) }
            guard got >= 0 else { throw MediaReadError(FileIdentity.errorText(errno)) }
            bytes = Array(buffer.prefix(got))
        }
        bytesRead += bytes.count
        return bytes
    }
}
