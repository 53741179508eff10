import Testing

@testable import Base

@Suite struct JSONValueTests {
    @Test func parsesAllKinds() throws {
        let value = try JSONValue.parse(
            #" { "a": [1, -2, 3.5, 1e3, true, false, null], "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", "o": {} } "#)
        #expect(
            value["a"]
                == .array([.integer(1), .integer(-2), .number(3.5), .number(1000), .bool(true), .bool(false), .null]))
        #expect(value["s"]?.stringValue == "x\"\\/\u{08}\u{0C}\n\r\té😀")
        #expect(value["o"] == .object([:]))
    }

    @Test func aSinglePrecisionSettingIsWrittenAsItsShortestDecimal() {
        #expect(JSONValue.decimal(0.1).serialized() == "0.1")
        #expect(JSONValue.decimal(1.5) == .number(1.5))
    }

    @Test func integersAreExact() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .integer(Int.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .integer(Int.min))
        #expect(try JSONValue.parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("-0") == .integer(0))
        #expect(try JSONValue.parse("2.0") == .number(2))
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "1e", "+1", "tru", "nul", "\"abc", "\"\u{01}\"",
        "\"\\x\"", "\"\\u12G4\"", "\"\\ud800\"", "\"\\udc00\"", "{\"a\" 1}", "{1:2}", "[1 2]", "1 2",
        "{\"a\":1,\"a\":2}",
        "NaN", "Infinity", "1e400", "'a'",
    ])
    func rejectsInvalidText(_ text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xC3, 0x22]) }  // truncated sequence
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }  // encoded surrogate
        #expect(throws: JSONError.self) { try JSONValue.parse([0x22, 0xC0, 0x80, 0x22]) }  // overlong
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
    }

    @Test func serializationRoundTrips() throws {
        let value: JSONValue = .object([
            "name": .string("run \"1\"\n\u{01}é"), "lr": .number(0.001), "steps": .integer(-42),
            "flags": .array([.bool(true), .null]),
            "nested": .object(["b": .number(1e-5), "a": .number(2)]),
        ])
        for pretty in [false, true] {
            let text = value.serialized(pretty: pretty)
            #expect(try JSONValue.parse(text) == value)
        }
        #expect(value.serialized().hasPrefix(#"{"flags":[true,null],"lr":0.001,"name":"#))
        #expect(JSONValue.number(.nan).serialized() == "null")
    }

    @Test func literalsBuildValues() throws {
        let value: JSONValue = ["name": "mlp", "epochs": 3, "lr": 0.001, "tags": ["a", nil, true]]
        #expect(value["epochs"]?.integerValue == 3)
        #expect(value["lr"]?.doubleValue == 0.001)
        #expect(value["tags"]?.arrayValue == [.string("a"), .null, .bool(true)])
        #expect(try JSONValue.parse(value.serialized(pretty: true)) == value)
    }
}
