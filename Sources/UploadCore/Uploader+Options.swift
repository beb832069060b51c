import Foundation

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
        /// Whether each file is read inside (codecs, tracks, bit depth) before it is sent,
        /// and refused when WhatsApp would not deliver it. Off, only the type and size
        /// rules apply: for a user who knows better than the rules.
        public var checksMedia: Bool
        /// Whether a file is reported instead of sent when an earlier upload covers it: the
        /// same file finished within the day (either route), or, by `/media`, the same bytes
        /// (size and SHA-256) whose media id is live for at least `reuseMargin` more.
        public var reusesEarlierUploads: Bool
        /// Whether each `/media` upload is checked with `GET /<media id>`: the server's
        /// SHA-256 and size must be the bytes sent, or the file fails.
        public var verifiesMedia: Bool

        /// How long a reused media id must still live: one about to expire is no use to
        /// the message the user is about to send.
        public static let reuseMargin: TimeInterval = 86_400

        public init(
            parallel: Int = 4, retry: RetryPolicy = RetryPolicy(), chunkSize: Int64? = nil, takeOverPollInterval: Double = 1,
            computesSHA256: Bool = false, enforcesSizeLimits: Bool = true, checksMedia: Bool = true, reusesEarlierUploads: Bool = true,
            verifiesMedia: Bool = false
        ) {
            self.parallel = max(1, parallel)
            self.retry = retry
            self.chunkSize = chunkSize
            self.takeOverPollInterval = takeOverPollInterval
            self.computesSHA256 = computesSHA256
            self.enforcesSizeLimits = enforcesSizeLimits
            self.checksMedia = checksMedia
            self.reusesEarlierUploads = reusesEarlierUploads
            self.verifiesMedia = verifiesMedia
        }

        /// Descriptors one transfer may hold at once: its socket, libcurl's wakeup pair,
        /// the file, its lock file, with room to spare.
        public static let descriptorsPerTransfer = 6
        /// Descriptors kept for the rest of the process: stdio, the journal with its WAL
        /// and shared memory, the log, the salt, the folder watch, libcurl's own.
        public static let reservedDescriptors = 32

        /// The smallest open-file limit under which one transfer fits.
        public static var smallestOpenFileLimit: Int { reservedDescriptors + descriptorsPerTransfer }

        /// How many of `parallel` transfers fit in `openFileLimit` descriptors (at least one).
        public static func parallel(_ parallel: Int, fittingOpenFileLimit openFileLimit: Int) -> Int {
            min(parallel, max(1, (openFileLimit - reservedDescriptors) / descriptorsPerTransfer))
        }

        /// The process's limit on open descriptors (`ulimit -n`, RLIMIT_NOFILE's soft
        /// limit), or nil when it cannot be read.
        public static var openFileLimit: Int? {
            var limit = rlimit()
            guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
            return Int(clamping: limit.rlim_cur)
        }
    }
}
