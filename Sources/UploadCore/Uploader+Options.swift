extension Uploader {
    /// How the uploader runs transfers.
    public struct Options: Sendable {
        /// Transfers running at once.
        public var parallel: Int
        /// How failures are retried.
        public var retry: RetryPolicy
        /// Bytes per POST of a resumable session; nil sends the rest in one request.
        public var chunkSize: Int64?
        /// Seconds between looks at a session another process holds.
        public var takeOverPollInterval: Double
        /// Whether each file's SHA-256 is computed from the bytes as its transfer sends
        /// them (`sha256` of the session). Off by default: on a machine whose cores are busy (a local server,
        /// several transfers) the hash's second of CPU per GB slows the uploads that
        /// users compare with curl (bench/RESULTS.md).
        public var computesSHA256: Bool
        /// Whether files over WhatsApp's size limits are refused. Only a local sandbox
        /// takes bigger ones; benchmarks use it to send a GiB.
        public var enforcesSizeLimits: Bool

        public init(
            parallel: Int = 4, retry: RetryPolicy = RetryPolicy(), chunkSize: Int64? = nil, takeOverPollInterval: Double = 1,
            computesSHA256: Bool = false, enforcesSizeLimits: Bool = true
        ) {
            self.parallel = max(1, parallel)
            self.retry = retry
            self.chunkSize = chunkSize
            self.takeOverPollInterval = takeOverPollInterval
            self.computesSHA256 = computesSHA256
            self.enforcesSizeLimits = enforcesSizeLimits
        }
    }
}
