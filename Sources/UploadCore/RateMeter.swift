import Foundation

/// A smoothed transfer rate: bytes moved over the last few seconds, so that speed and
/// ETA neither flicker between samples nor remember an early burst for long.
public struct RateMeter: Sendable {
    /// How many seconds of samples the rate covers.
    public var window: Double
    private var samples: [(time: Double, bytes: Int64)] = []

    public init(window: Double = 3) { self.window = window }

    /// Bytes per second over the window; 0 until it spans at least half a second.
    public var bytesPerSecond: Double {
        guard let first = samples.first, let last = samples.last, last.time - first.time >= 0.5 else { return 0 }
        return Double(last.bytes - first.bytes) / (last.time - first.time)
    }

    /// Adds a sample: `bytes` transferred in total at `time` (seconds, any epoch).
    public mutating func record(bytes: Int64, at time: Double) {
        if let last = samples.last {
            // Restarted from a lower offset: the old samples say nothing about now.
            if bytes < last.bytes {
                samples.removeAll()
            }
            // Same instant: keep the newer count only.
            else if time <= last.time {
                samples.removeLast()
            }
        }
        samples.append((time, bytes))
        // Keep one sample older than the window, so the rate always spans it.
        while samples.count > 2 && samples[1].time <= time - window { samples.removeFirst() }
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
