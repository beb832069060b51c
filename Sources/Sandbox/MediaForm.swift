import Foundation
import UploadCore

/// The form of one `POST /media` as its multipart events arrive: the `file` part goes
/// straight to its data file (hashed on the way), the other fields are kept, small.
struct MediaForm {
    private enum PartTarget {
        case none
        case field(String)
        case file
    }

    /// The media id the upload gets if it is accepted.
    let id: String
    /// Where the file part's bytes go.
    let path: String
    private var target = PartTarget.none
    private var fields: [String: [UInt8]] = [:]
    private var sink: FileSink?
    private let hasher = SHA256Digest()
    private var fileName: String?
    private var fileContentType: String?
    private var length: Int64 = 0
    private let fieldLimit = 64 * 1024

    init(id: String, path: String) {
        self.id = id
        self.path = path
    }

    /// Takes one event of the multipart parser.
    mutating func handle(_ event: MultipartEvent) throws {
        switch event {
        case .partStart(let headers):
            let disposition = dispositionParameters(headers["content-disposition"] ?? "")
            guard let name = disposition["name"] else {
                throw APIError(.badRequest, "multipart part without a name")
            }
            if name == "file" {
                guard sink == nil else { throw APIError(.badRequest, "more than one file part") }
                guard let filename = disposition["filename"], !filename.isEmpty else {
                    throw APIError(.badRequest, "file part without a filename")
                }
                fileName = filename
                fileContentType = headers["content-type"]
                sink = try FileSink(path: path, truncate: true)
                target = .file
            } else {
                fields[name] = []
                target = .field(name)
            }
        case .data(let bytes):
            switch target {
            case .file:
                try sink?.write(bytes)
                hasher.update(bytes)
                length += Int64(bytes.count)
            case .field(let name):
                if (fields[name]?.count ?? 0) + bytes.count > fieldLimit {
                    throw APIError(.badRequest, "form field \(name) too large")
                }
                fields[name, default: []].append(contentsOf: bytes)
            case .none:
                break
            }
        case .partEnd:
            target = .none
        }
    }

    /// The accepted upload once the whole body was handled, or the reason it is refused.
    func finish() throws -> SandboxMedia {
        sink?.close()
        guard let product = fields["messaging_product"].map({ String(decoding: $0, as: UTF8.self) }) else {
            throw APIError(.badRequest, "missing form field messaging_product")
        }
        guard product == "whatsapp" else {
            throw APIError(.badRequest, "messaging_product must be 'whatsapp'")
        }
        guard sink != nil, let fileName else {
            throw APIError(.badRequest, "missing form field file")
        }
        let type =
            fields["type"].map { String(decoding: $0, as: UTF8.self) }
            ?? fileContentType ?? "application/octet-stream"
        return SandboxMedia(
            id: id, fileName: fileName, type: type, length: length,
            sha256: hasher.hexDigest(), messagingProduct: product, path: path, uploadedAt: Date())
    }

    /// Closes and removes the data file of a refused or broken upload.
    func discard() {
        sink?.close()
        if sink != nil { try? FileManager.default.removeItem(atPath: path) }
    }
}
