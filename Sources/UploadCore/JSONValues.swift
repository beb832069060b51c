import Foundation

/// Lenient readers for JSON values that servers send as numbers or as strings.
enum JSONValues {
    /// A JSON number that is not `true`/`false` (on Linux, NSNumber(0) also casts to Bool).
    private static func number(_ value: Any?) -> NSNumber? {
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
        return number
    }

    static func int(_ value: Any?) -> Int? {
        if let number = number(value) { return number.intValue }
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    static func int64(_ value: Any?) -> Int64? {
        if let number = number(value) { return number.int64Value }
        if let text = value as? String { return Int64(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    /// A number member of the top-level object in `body` as the server wrote it: an id
    /// such as 12345678901234567890 read through a number loses digits. Nil when the
    /// member is missing or not a number. `body` must already be known to be valid JSON.
    static func numberText(forKey key: String, in body: [UInt8]) -> String? {
        var index = 0
        func skipSpace() { while index < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[index]) { index += 1 } }
        /// Skips a string whose opening quote is at `index`; returns its raw bytes.
        func string() -> ArraySlice<UInt8> {
            let start = index + 1
            index = start
            while index < body.count && body[index] != UInt8(ascii: "\"") { index += body[index] == UInt8(ascii: "\\") ? 2 : 1 }
            defer { index += 1 }
            return body[start..<min(index, body.count)]
        }
        /// Skips one value, nested or not.
        func value() {
            var depth = 0
            repeat {
                guard index < body.count else { return }
                switch body[index] {
                case UInt8(ascii: "\""): _ = string(); continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: ","): if depth == 0 { return }
                default: break
                }
                if depth < 0 { return }
                index += 1
            } while depth > 0 || (index < body.count && ![UInt8(ascii: ","), UInt8(ascii: "}")].contains(body[index]))
        }
        skipSpace()
        guard index < body.count, body[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        var found: String?
        while true {
            skipSpace()
            guard index < body.count, body[index] == UInt8(ascii: "\"") else { return found }
            let name = string()
            skipSpace()
            guard index < body.count, body[index] == UInt8(ascii: ":") else { return found }
            index += 1
            skipSpace()
            let start = index
            value()
            if name.elementsEqual(key.utf8) {
                // The last member of a name wins, as in JSONSerialization.
                let text = String(decoding: body[start..<index], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                found = text.first.map { $0 == "-" || $0.isASCII && $0.isNumber } == true ? text : nil
            }
            skipSpace()
            guard index < body.count, body[index] == UInt8(ascii: ",") else { return found }
            index += 1
        }
    }

    /// A short rendering of a reply for an error message.
    static func excerpt(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return data.count > 200 ? text + "…" : text
    }

    static func object(_ body: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}
