import Testing

@testable import UploadCore

@Suite("SentBytesDigest")
struct SentBytesDigestTests {
    private let bytes: [UInt8] = (0..<100).map { UInt8($0) }

    private func feed(_ digest: SentBytesDigest, _ range: Range<Int>) {
        bytes[range].withUnsafeBytes { digest.feed($0, at: Int64(range.lowerBound)) }
    }

    @Test("bytes fed in order give the digest of the whole, only once every byte is in")
    func inOrder() {
        let digest = SentBytesDigest()
        feed(digest, 0..<40)
        feed(digest, 40..<100)
        #expect(digest.position == 100)
        #expect(digest.hexDigest(ifLength: 100) == SHA256Digest.hex(of: bytes))
        let partial = SentBytesDigest()
        feed(partial, 0..<99)
        #expect(partial.hexDigest(ifLength: 100) == nil)
    }

    @Test("a feed out of order restarts it instead of corrupting it")
    func outOfOrder() {
        let digest = SentBytesDigest()
        feed(digest, 0..<50)
        feed(digest, 30..<60)  // as after a rewind
        #expect(digest.position == 0)
        feed(digest, 70..<100)  // a gap
        #expect(digest.position == 0)
        #expect(digest.hexDigest(ifLength: 100) == nil)
        feed(digest, 0..<100)
        #expect(digest.hexDigest(ifLength: 100) == SHA256Digest.hex(of: bytes))
    }

    @Test("a catch-up reads what is missing in bounded pieces, and stops when asked")
    func catchUp() {
        let digest = SentBytesDigest()
        feed(digest, 0..<10)
        var reads: [Int64] = []
        let result = digest.catchUp(
            to: 100,
            read: { buffer, at in
                reads.append(at)
                let count = min(buffer.count, 7, bytes.count - Int(at))
                buffer.copyBytes(from: bytes[Int(at)..<Int(at) + count])
                return count
            }, shouldStop: { false })
        #expect(result == .reached)
        #expect(reads.first == 10)
        #expect(digest.hexDigest(ifLength: 100) == SHA256Digest.hex(of: bytes))
        let stopped = SentBytesDigest()
        #expect(stopped.catchUp(to: 100, read: { _, _ in 1 }, shouldStop: { true }) == .stopped)
        #expect(stopped.position == 0)
        #expect(SentBytesDigest().catchUp(to: 100, read: { _, _ in 0 }, shouldStop: { false }) == .endedEarly)
    }
}
