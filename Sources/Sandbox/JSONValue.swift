import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A JSON value small enough for the sandbox's answers.
enum JSONValue: Sendable {
    case string(String)
    case number(Int64)
    case bool(Bool)
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
        case .bool(let flag): text += flag ? "true" : "false"
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

/// Meta's error object for `error`, with a fresh `fbtrace_id`.
func metaErrorResponse(_ error: APIError) -> Response {
    let meta = error.meta ?? APIError.Meta(type: "OAuthException", code: 1, subcode: nil)
    var fields = [
        "\"message\":" + jsonString(error.message), "\"type\":" + jsonString(meta.type), "\"code\":\(meta.code)",
    ]
    if let subcode = meta.subcode { fields.append("\"error_subcode\":\(subcode)") }
    fields.append("\"fbtrace_id\":" + jsonString("A" + base64URL(randomBytes(15))))
    var headers = error.headers
    headers[.contentType] = "application/json"
    let text = "{\"error\":{" + fields.joined(separator: ",") + "}}"
    return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
}
