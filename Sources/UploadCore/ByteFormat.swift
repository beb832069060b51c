import Foundation

/// Human-readable byte counts: "240 KB", "14.2 MB", "2.1 GB" (powers of 1024).
public enum ByteFormat {
    public static func string(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let number = value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
        return "\(number) \(units[unit])"
    }
}
