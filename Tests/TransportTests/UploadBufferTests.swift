import Testing

@testable import Transport

/// The upload buffer follows the core's L2 cache: the sizes the bench measured fastest.
@Suite struct UploadBufferTests {
    @Test("512 KiB where the core has 1 MiB of L2 or more, curl's 64 KiB with less or when unknown")
    func followsTheLevel2Cache() {
        #expect(CurlTransport.uploadBufferSize(level2CacheBytes: 2 << 20) == 512 << 10)
        #expect(CurlTransport.uploadBufferSize(level2CacheBytes: 1 << 20) == 512 << 10)
        #expect(CurlTransport.uploadBufferSize(level2CacheBytes: 512 << 10) == 64 << 10)
        #expect(CurlTransport.uploadBufferSize(level2CacheBytes: 256 << 10) == 64 << 10)
        #expect(CurlTransport.uploadBufferSize(level2CacheBytes: 0) == 64 << 10)
        #expect(CurlTransport.level2CacheBytes() >= 0)
        #expect([64 << 10, 512 << 10].contains(CurlTransport.uploadBufferSize))
    }
}
