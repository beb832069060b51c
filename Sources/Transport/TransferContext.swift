import CCurl
import UploadCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one transfer, shared with libcurl's C callbacks through an unmanaged
/// pointer. It lives on the transfer's own thread only and is never shared, so it needs
/// no lock (and is deliberately not Sendable).
final class TransferContext {
    // MARK: Request body

    /// One body part, with its file already open.
    enum Source {
        case bytes([UInt8])
        case file(OpenedFile, offset: Int64, length: Int64, digest: SentBytesDigest?)

        var length: Int64 {
            switch self {
            case .bytes(let bytes): Int64(bytes.count)
            case .file(_, _, let length, _): length
            }
        }
    }

    private var sources: [Source] = []
    /// Index of the part being sent and how far into it we are.
    private var partIndex = 0
    private var partPosition: Int64 = 0
    /// Body bytes handed to curl so far; once any have gone, the body cannot be resent.
    private var bodyBytesRead: Int64 = 0
    /// When the body's files were last checked for a change.
    private var lastFileCheck: Double = 0
    /// How often, in seconds, the files are checked during the transfer.
    static let fileCheckInterval = 0.25

    // MARK: Limits and reporting

    let limits: TransferLimits
    let control: TransferControl
    let taskCancelled: CancelFlag
    let progress: @Sendable (Int64) -> Void
    /// The connection's socket: set when curl opens one, or carried over from the
    /// handle's previous transfer when curl reuses its connection.
    var socket: curl_socket_t = -1

    private var lastUploaded: Int64 = 0
    private var lastDownloaded: Int64 = 0
    private var lastMove: Double
    private var lastReport: Double = 0
    private var lastReported: Int64 = -1
    /// When the final (non-1xx) status line arrived. From then on the reply must end
    /// within the stall timeout: replies are small, and one that trickles a byte now
    /// and then never counts as stalled by the rule above, so it would never end.
    private var replyStarted: Double?

    // MARK: Response

    private(set) var body: [UInt8] = []
    private(set) var headers: [String: String] = [:]
    /// The status of the last status line so far (0 before one arrived).
    private var status = 0
    /// Where a 2xx body goes instead of `body` (`HTTPRequest.responseSink`).
    let sink: ResponseSink?

    /// Whether the body now arriving goes to the sink: only a 2xx one does, so an error
    /// reply stays in memory, capped, where it can be read.
    private var bodyGoesToSink: Bool { sink != nil && (200..<300).contains(status) }

    /// Why a callback stopped the transfer; takes precedence over curl's own code.
    private(set) var failure: TransportError?

    /// Buffer for CURLOPT_ERRORBUFFER, valid for the lifetime of the context.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(
        limits: TransferLimits,
        control: TransferControl,
        taskCancelled: CancelFlag,
        sink: ResponseSink? = nil,
        progress: @escaping @Sendable (Int64) -> Void
    ) {
        self.sink = sink
        self.limits = limits
        self.control = control
        self.taskCancelled = taskCancelled
        self.progress = progress
        self.lastMove = monotonicSeconds()
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        for source in sources {
            if case .file(let file, _, _, _) = source { close(file.fd) }
        }
        errorBuffer.deallocate()
    }

    /// Opens every file of the body up front, so an unreadable file, or one that is not
    /// the version expected, fails before any network traffic. A digest is caught up to
    /// its part's offset here too, from the descriptor the part is then sent from.
    func openBody(_ parts: [BodyPart]) throws(TransportError) {
        for part in parts {
            switch part {
            case .bytes(let bytes):
                sources.append(.bytes(bytes))
            case .file(let path, let offset, let length, let version, let digest):
                guard offset >= 0, length >= 0 else {
                    throw .fileUnreadable(path: path, reason: "negative offset or length")
                }
                let file = try OpenedFile(path: path, version: version)
                sources.append(.file(file, offset: offset, length: length, digest: digest))
                if let digest { try catchUp(digest, to: offset, in: file) }
            }
        }
    }

    /// Reads the bytes below `offset` that `digest` lacks (a resumed session: an earlier
    /// run sent them) from `file`, so that it covers the whole file in order.
    private func catchUp(_ digest: SentBytesDigest, to offset: Int64, in file: OpenedFile) throws(TransportError) {
        var readError: Int32 = 0
        let result = digest.catchUp(
            to: offset,
            read: { buffer, at in
                while true {
                    let got = pread(file.fd, buffer.baseAddress, buffer.count, off_t(at))
                    if got < 0 && errno == EINTR { continue }
                    if got < 0 { readError = errno }
                    return got
                }
            },
            shouldStop: { isCancelled })
        switch result {
        case .reached: return
        case .stopped: throw .cancelled
        case .readFailed: throw .fileUnreadable(path: file.path, reason: errnoText(readError))
        case .endedEarly: throw .fileShrank(path: file.path)
        }
    }

    /// Fills `buffer` with the next body bytes. Returns the count, 0 at the end, or
    /// CURL_READFUNC_ABORT after recording a failure.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        if isCancelled {
            fail(.cancelled)
            return Int(CURL_READFUNC_ABORT)
        }
        if let changed = changedFile(now: monotonicSeconds()) {
            fail(changed)
            return Int(CURL_READFUNC_ABORT)
        }
        var filled = 0
        filling: while filled < capacity, partIndex < sources.count {
            let source = sources[partIndex]
            let remaining = source.length - partPosition
            if remaining <= 0 {
                partIndex += 1
                partPosition = 0
                continue
            }
            let want = Int(min(Int64(capacity - filled), remaining))
            let destination = buffer + filled
            switch source {
            case .bytes(let bytes):
                bytes.withUnsafeBytes { all in
                    destination.copyMemory(from: all.baseAddress! + Int(partPosition), byteCount: want)
                }
                filled += want
                partPosition += Int64(want)
            case .file(let file, let offset, _, let digest):
                let at = offset + partPosition
                let got = pread(file.fd, destination, want, off_t(at))
                if got < 0 {
                    if errno == EINTR { continue }
                    fail(.fileUnreadable(path: file.path, reason: errnoText(errno)))
                    return Int(CURL_READFUNC_ABORT)
                }
                if got == 0 {
                    fail(.fileShrank(path: file.path))
                    return Int(CURL_READFUNC_ABORT)
                }
                // What goes to curl goes into the digest, from the same read.
                digest?.feed(UnsafeRawBufferPointer(start: destination, count: got), at: at)
                filled += got
                partPosition += Int64(got)
                // A short read is fine: hand curl what we have rather than wait.
                if got < want { break filling }
            }
        }
        bodyBytesRead += Int64(filled)
        return filled
    }

    /// Moves the read position back to the start of the body. curl asks for this when
    /// it wants to resend the body, e.g. when a reused connection turns out to be dead.
    /// It is allowed only while no body byte has gone out: once some have, the server
    /// may hold part of them, and only a `GET` of its offset can say where to go on
    /// (docs/api.md, "Interrupted transfers"), so the transfer fails and the engine asks.
    func rewind(to offset: Int64) -> Bool {
        guard offset == 0, bodyBytesRead == 0 else { return false }
        partIndex = 0
        partPosition = 0
        return true
    }

    // MARK: Response callbacks

    /// Appends response body bytes, or writes them to the sink; false (after recording
    /// why) if over the cap, if the sink's write failed, or if the transfer was cancelled.
    func append(_ chunk: UnsafeRawBufferPointer) -> Bool {
        if bodyGoesToSink, let sink {
            if isCancelled {
                fail(.cancelled)
                return false
            }
            if let error = sink.write(chunk) {
                fail(.writeFailed(path: sink.label, reason: errnoText(error)))
                return false
            }
            return true
        }
        if body.count + chunk.count > limits.maxResponseBytes {
            fail(.responseTooLarge(limit: limits.maxResponseBytes))
            return false
        }
        body.append(contentsOf: chunk)
        return true
    }

    /// Records one header line. A status line starts a new set (after an interim 1xx).
    func header(_ line: UnsafeRawBufferPointer) {
        var text = String(decoding: line, as: UTF8.self)
        while let last = text.last, last.isNewline { text.removeLast() }
        if text.hasPrefix("HTTP/") {
            headers = [:]
            let code = text.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            status = code
            if !(100..<200).contains(code), replyStarted == nil { replyStarted = monotonicSeconds() }
            return
        }
        guard let colon = text.firstIndex(of: ":") else { return }
        let name = text[..<colon].trimmingSpaces().lowercased()
        guard !name.isEmpty else { return }
        headers[name] = String(text[text.index(after: colon)...].trimmingSpaces())
    }

    // MARK: Progress, stall and cancellation

    var isCancelled: Bool { control.isCancelled || taskCancelled.isSet }

    /// Called by curl at least once a second; false stops the transfer.
    func tick(uploaded: Int64, downloaded: Int64) -> Bool {
        if isCancelled {
            fail(.cancelled)
            return false
        }
        let now = monotonicSeconds()
        if let changed = changedFile(now: now) {
            fail(changed)
            return false
        }
        if uploaded != lastUploaded || downloaded != lastDownloaded {
            lastUploaded = uploaded
            lastDownloaded = downloaded
            lastMove = now
        } else if now - lastMove >= limits.stallTimeout {
            fail(.stalled(seconds: limits.stallTimeout))
            return false
        }
        // A download may take as long as it takes while its bytes move (the rule above).
        if let replyStarted, !bodyGoesToSink, now - replyStarted >= limits.stallTimeout {
            fail(.stalled(seconds: limits.stallTimeout))
            return false
        }
        // A download reports the bytes its sink holds; an upload, what the peer acknowledged.
        let delivered = sink != nil ? (sink?.written ?? 0) : max(lastReported, uploaded - unacknowledgedBytes())
        if delivered != lastReported, now - lastReport >= 0.1 {
            lastReport = now
            lastReported = delivered
            progress(delivered)
        }
        return true
    }

    /// Whether a body file changed since it was opened, checked at most every
    /// `fileCheckInterval` until the transfer ends (curl calls `tick` at least once a
    /// second, `read` whenever it has room), so a change stops the transfer within a
    /// second. Also once the whole body is read: megabytes of it may still sit in the
    /// socket's send queue, and the reset drops them.
    private func changedFile(now: Double) -> TransportError? {
        guard now - lastFileCheck >= Self.fileCheckInterval else { return nil }
        lastFileCheck = now
        for source in sources {
            if case .file(let file, _, _, _) = source, let change = file.change() { return change }
        }
        return nil
    }

    /// Records why the transfer stops and resets its connection: with `SO_LINGER` 0 the
    /// close that follows drops the bytes still queued in the socket, rather than let
    /// megabytes reach the server after the transfer is over.
    private func fail(_ error: TransportError) {
        failure = error
        guard socket >= 0 else { return }
        var reset = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(socket, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
    }

    /// Bytes handed to the kernel that the peer has not acknowledged yet. Progress
    /// leaves them out: send buffers hold megabytes, and counting them would show
    /// 100% seconds before the server has the bytes.
    private func unacknowledgedBytes() -> Int64 {
        guard socket >= 0 else { return 0 }
        return Int64(max(0, mediaup_socket_unacknowledged_bytes(socket)))
    }

    /// The final progress report, whatever the throttle says.
    func finish(uploaded: Int64) {
        let final = sink != nil ? (sink?.written ?? 0) : uploaded
        lastReported = final
        progress(final)
    }
}

// MARK: - C callbacks (no captures; state comes through the context pointer)

private func context(_ pointer: UnsafeMutableRawPointer?) -> TransferContext {
    Unmanaged<TransferContext>.fromOpaque(pointer!).takeUnretainedValue()
}

func curlRead(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let buffer else { return Int(CURL_READFUNC_ABORT) }
    return context(user).read(into: UnsafeMutableRawPointer(buffer), capacity: size * count)
}

func curlSeek(_ user: UnsafeMutableRawPointer?, _ offset: curl_off_t, _ origin: Int32) -> Int32 {
    guard origin == SEEK_SET, offset >= 0 else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
    return context(user).rewind(to: Int64(offset)) ? Int32(CURL_SEEKFUNC_OK) : Int32(CURL_SEEKFUNC_CANTSEEK)
}

func curlSocketOpened(_ user: UnsafeMutableRawPointer?, _ socket: curl_socket_t, _ purpose: curlsocktype) -> Int32 {
    context(user).socket = socket
    return Int32(CURL_SOCKOPT_OK)
}

func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    guard let data else { return 0 }
    // Returning anything other than `total` makes curl fail with CURLE_WRITE_ERROR.
    return context(user).append(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
}

func curlHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    let total = size * count
    if let data { context(user).header(UnsafeRawBufferPointer(start: data, count: total)) }
    return total
}

func curlXferInfo(
    _ user: UnsafeMutableRawPointer?, _ dlTotal: curl_off_t, _ dlNow: curl_off_t,
    _ ulTotal: curl_off_t, _ ulNow: curl_off_t
) -> Int32 {
    context(user).tick(uploaded: Int64(ulNow), downloaded: Int64(dlNow)) ? 0 : 1
}

// MARK: - Helpers

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
