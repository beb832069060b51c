import Foundation

/// A push parser for multipart/form-data (RFC 7578) that keeps only a small
/// window of bytes: a part's content is handed out as it arrives, except the
/// last `delimiter.count - 1` bytes, which could be the start of a boundary
/// that straddles two buffers.
struct MultipartStreamParser {
    private enum State { case preamble, afterBoundary, headers, body, done }

    private let delimiter: [UInt8]  // "\r\n--" + boundary
    private var pending: [UInt8]
    private var state: State = .preamble
    private let maxHeaderBytes = 16 * 1024

    /// Whether the closing boundary has been seen.
    var isFinished: Bool { state == .done }

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary has no CRLF before it; pretend it had one so every
        // boundary is matched the same way.
        pending = [13, 10]
    }

    /// The boundary parameter of a `multipart/form-data` content type.
    static func boundary(fromContentType contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let kind = pieces.first, kind.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() {
            let kv = piece.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2, kv[0].lowercased() == "boundary" {
                var value = kv[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                    value = String(value.dropFirst().dropLast())
                }
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// Feeds the next bytes of the body; `handler` gets the events they complete.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handler: (MultipartEvent) throws -> Void) throws {
        if state == .done { return }  // epilogue: ignored
        pending.append(contentsOf: bytes)
        var start = 0
        defer { pending.removeFirst(start) }
        let delimiter = self.delimiter
        while true {
            switch state {
            case .done:
                start = pending.count
                return
            case .preamble, .body:
                if let at = Self.find(delimiter, in: pending, from: start) {
                    if state == .body {
                        try pending.withUnsafeBytes { try handler(.data(UnsafeRawBufferPointer(rebasing: $0[start..<at]))) }
                        try handler(.partEnd)
                    }
                    start = at + delimiter.count
                    state = .afterBoundary
                } else {
                    let keep = min(delimiter.count - 1, pending.count - start)
                    let end = pending.count - keep
                    if state == .body, end > start {
                        try pending.withUnsafeBytes { try handler(.data(UnsafeRawBufferPointer(rebasing: $0[start..<end]))) }
                    }
                    start = end
                    return
                }
            case .afterBoundary:
                guard pending.count - start >= 2 else { return }
                let a = pending[start], b = pending[start + 1]
                if a == UInt8(ascii: "-") && b == UInt8(ascii: "-") {
                    state = .done
                } else if a == 13 && b == 10 {
                    start += 2
                    state = .headers
                } else {
                    throw MultipartError.malformed("unexpected bytes after boundary")
                }
            case .headers:
                guard let at = Self.find([13, 10, 13, 10], in: pending, from: start) else {
                    if pending.count - start > maxHeaderBytes { throw MultipartError.headersTooLarge }
                    return
                }
                let text = String(decoding: pending[start..<at], as: UTF8.self)
                var headers: [String: String] = [:]
                for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
                    guard let colon = line.firstIndex(of: ":") else {
                        throw MultipartError.malformed("header line without colon")
                    }
                    let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                    headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                start = at + 4
                state = .body
                try handler(.partStart(headers: headers))
            }
        }
    }

    /// Index of the first occurrence of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        let n = needle.count
        guard n > 0, haystack.count - from >= n else { return nil }
        return haystack.withUnsafeBytes { hay -> Int? in
            needle.withUnsafeBytes { ndl -> Int? in
                let base = hay.baseAddress!
                let first = ndl[0]
                var i = from
                let last = hay.count - n
                while i <= last {
                    guard let p = memchr(base + i, Int32(first), last - i + 1) else { return nil }
                    let at = base.distance(to: UnsafeRawPointer(p))
                    if memcmp(base + at, ndl.baseAddress!, n) == 0 { return at }
                    i = at + 1
                }
                return nil
            }
        }
    }
}

/// Parameters of a `Content-Disposition: form-data; name="…"; filename="…"` header.
func dispositionParameters(_ value: String) -> [String: String] {
    var result: [String: String] = [:]
    // Split on ';' outside quotes.
    var pieces: [String] = []
    var current = ""
    var inQuotes = false
    for ch in value {
        if ch == "\"" { inQuotes.toggle() }
        if ch == ";" && !inQuotes {
            pieces.append(current)
            current = ""
        } else {
            current.append(ch)
        }
    }
    pieces.append(current)
    for piece in pieces.dropFirst() {
        let kv = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2 else { continue }
        var v = kv[1]
        if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
        result[kv[0].lowercased()] = v
    }
    return result
}
