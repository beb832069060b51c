import Foundation

/// UTC times as text, written and read by hand. Foundation's formatters (DateFormatter,
/// `.iso8601`, Calendar) go through ICU, whose locale and time zone data add megabytes
/// of resident memory to a process that only needs digits (bench/RESULTS.md, comparison 3).
enum UTCText {
    /// "2026-11-25 14:36:28.284", or with `separator: "T"` and `suffix: "Z"` the ISO 8601 form.
    static func string(_ date: Date, separator: String = " ", suffix: String = "") -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + "-" + digits(parts.tm_mon + 1, 2) + "-" + digits(parts.tm_mday, 2) + separator
            + digits(parts.tm_hour, 2) + ":" + digits(parts.tm_min, 2) + ":" + digits(parts.tm_sec, 2) + "."
            + digits(Int32(millis % 1000), 3) + suffix
    }

    /// Reads "2026-11-25 14:36:28.284" (the form `string` writes by default).
    static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 23 else { return nil }
        let separators: [(Int, Unicode.Scalar)] = [(4, "-"), (7, "-"), (10, " "), (13, ":"), (16, ":"), (19, ".")]
        for (index, separator) in separators where bytes[index] != UInt8(ascii: separator) { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for index in range {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int32(digit)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), let millis = number(20..<23)
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(millis) / 1000)
    }
}
