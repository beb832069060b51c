import CCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming SHA-256 over OpenSSL, which uses the CPU's SHA extensions where present.
/// Feed it with `update`, then read `bytes()` or `hexDigest()` once. Not for sharing
/// between threads.
public final class SHA256Digest {
    private let context: OpaquePointer

    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds bytes to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, bytes.count > 0 { EVP_DigestUpdate(context, base, bytes.count) }
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32 digest bytes. Ends the digest.
    public func bytes() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Array(out.prefix(Int(length)))
    }

    /// The digest as lower-case hex. Ends the digest.
    public func hexDigest() -> String {
        bytes().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// SHA-256 of the file at `path`, read in 1 MiB pieces (memory stays flat).
    public static func ofFile(at path: String) throws(FileProblem) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileProblem("\(path): \(FileIdentity.errorText(errno))") }
        defer { close(fd) }
        let digest = SHA256Digest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = read(fd, buffer.baseAddress, buffer.count)
            if got < 0 {
                if errno == EINTR { continue }
                throw FileProblem("\(path): \(FileIdentity.errorText(errno))")
            }
            if got == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<got]))
        }
        return digest.hexDigest()
    }

    /// SHA-256 of some bytes, as hex.
    public static func hex(of bytes: [UInt8]) -> String {
        let digest = SHA256Digest()
        digest.update(bytes)
        return digest.hexDigest()
    }
}
