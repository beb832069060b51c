import Foundation

/// A smoothed transfer rate: an exponentially weighted average of bytes per second,
/// so that speed and ETA do not flicker between samples.
public struct RateMeter: Sendable {
    /// How fast older samples fade, in seconds.
    public var halfLife: Double
    private var lastBytes: Int64?
    private var lastTime: Double?
    /// Bytes per second; 0 until two samples came.
    public private(set) var bytesPerSecond: Double = 0

    public init(halfLife: Double = 2) { self.halfLife = halfLife }

    /// Adds a sample: `bytes` transferred in total at `time` (seconds, any epoch).
    public mutating func record(bytes: Int64, at time: Double) {
        defer { lastBytes = bytes; lastTime = time }
        guard let lastBytes, let lastTime else { return }
        let elapsed = time - lastTime
        guard elapsed > 0 else { return }
        if bytes < lastBytes {
            // Restarted from a lower offset: forget the old rate.
            bytesPerSecond = 0
            return
        }
        let instant = Double(bytes - lastBytes) / elapsed
        let weight = 1 - pow(0.5, elapsed / halfLife)
        bytesPerSecond = bytesPerSecond == 0 ? instant : bytesPerSecond + (instant - bytesPerSecond) * weight
    }

    /// Seconds left for `remaining` bytes at the smoothed rate, or nil when unknown.
    public func secondsLeft(remaining: Int64) -> Double? {
        bytesPerSecond > 1 ? Double(remaining) / bytesPerSecond : nil
    }

    /// "1:05" or "1:02:03".
    public static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }
}
