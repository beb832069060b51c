import Foundation
import Testing

@testable import UploadCore

@Suite("JSON lines")
struct JSONLineTests {
    @Test("keys in the order given; strings, numbers, booleans and null")
    func object() throws {
        let line = JSONLine.object(["b": .string("x"), "a": .number(-3), "z": .bool(true), "n": .string(nil), "m": .number(nil), "f": .bool(false)])
        #expect(line == #"{"b":"x","a":-3,"z":true,"n":null,"m":null,"f":false}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
    }

    @Test("flags that may be unknown, and arrays of strings")
    func optionalFlagsAndArrays() {
        let line = JSONLine.object(["u": .optionalBool(nil), "t": .optionalBool(true), "e": .strings([]), "s": .strings(["a\"b", "c"])])
        #expect(line == #"{"u":null,"t":true,"e":[],"s":["a\"b","c"]}"#)
    }

    @Test("quotes, backslashes and control characters are escaped; slashes and non-ASCII text are not")
    func escaping() throws {
        #expect(JSONLine.quote(#"say "hi""#) == #""say \"hi\"""#)
        #expect(JSONLine.quote(#"C:\dir"#) == #""C:\\dir""#)
        #expect(JSONLine.quote("a\nb\tc\r") == #""a\nb\tc\r""#)
        #expect(JSONLine.quote("bell\u{07}unit\u{1F}") == #""bell\u0007unit\u001f""#)
        #expect(JSONLine.quote("/data/Größe 写真 🎞.mp4") == "\"/data/Größe 写真 🎞.mp4\"")
        #expect(JSONLine.quote("") == #""""#)
        let text = "q\"\\\n\u{01}é/"
        let decoded = try JSONSerialization.jsonObject(with: Data(JSONLine.object(["k": .string(text)]).utf8)) as? [String: String]
        #expect(decoded == ["k": text])
    }
}
