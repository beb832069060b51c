import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A JSON value small enough for the sandbox's answers.
enum JSONValue: Sendable {
    case string(String)
    case number(Int64)
}

/// A JSON object response (keys sorted, so answers are stable).
func jsonResponse(_ status: HTTPResponse.Status, _ object: [String: JSONValue], headers: HTTPFields = [:]) -> Response {
    var text = "{"
    for (index, key) in object.keys.sorted().enumerated() {
        if index > 0 { text += "," }
        text += jsonString(key) + ":"
        switch object[key]! {
        case .string(let s): text += jsonString(s)
        case .number(let n): text += String(n)
        }
    }
    text += "}"
    var fields = headers
    fields[.contentType] = "application/json"
    return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
}

func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
