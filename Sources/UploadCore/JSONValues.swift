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
