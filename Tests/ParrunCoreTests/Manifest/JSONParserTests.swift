import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct JSONParserTests {
    private func parse(_ text: String) throws(ManifestError) -> JSONValue {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(ManifestError) in try JSONParser.parse(buffer) }
    }

    /// The error's message and line:column, for exact-location checks.
    private func failure(_ text: String) -> String {
        do {
            _ = try parse(text)
            return "no error"
        } catch {
            let diagnostic = error.diagnostic
            let place = diagnostic.span.map { "\(SourceMap(SourceFile(name: "x", text: text)).lineColumn(of: $0.offset))" } ?? "-"
            return "\(place) \(diagnostic.message)"
        }
    }

    @Test func parsesScalarsArraysAndObjectsKeepingMemberOrder() throws {
        let value = try parse(#"{"b": [1, -2.5e3, true, false, null], "a": "x"}"#)
        guard case .object(let members) = value.kind else { Issue.record("not an object"); return }
        #expect(members.map(\.key) == ["b", "a"])
        guard case .array(let elements) = members[0].value.kind else { Issue.record("not an array"); return }
        #expect(elements.map(\.typeDescription) == ["a number", "a number", "true/false", "true/false", "null"])
        #expect(elements[1].scalarText == "-2.5e3")
        #expect(members[1].value.stringValue == "x")
    }

    @Test func keepsTheSpanOfEveryValue() throws {
        let text = "{\n  \"id\": \"build\"\n}"
        let value = try parse(text)
        guard case .object(let members) = value.kind else { Issue.record("not an object"); return }
        let map = SourceMap(SourceFile(name: "x", text: text))
        #expect(map.lineColumn(of: members[0].keySpan.offset) == LineColumn(line: 2, column: 3))
        #expect(map.lineColumn(of: members[0].value.span.offset) == LineColumn(line: 2, column: 9))
        #expect(members[0].value.span.length == 7)
    }

    @Test func decodesEveryEscapeIncludingSurrogatePairs() throws {
        let value = try parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0000""#)
        #expect(value.stringValue == "q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀 \u{0}")
    }

    @Test func keepsUTF8TextAsIs() throws {
        #expect(try parse(#""héllo wörld ✓ 😀""#).stringValue == "héllo wörld ✓ 😀")
    }

    @Test(arguments: [
        ("{\"a\": 1,}", "1:8 trailing comma"),
        ("[1, 2,]", "1:6 trailing comma"),
        ("{\"a\" 1}", "1:6 expected `:` after the key, found '1'"),
        ("{\"a\": 1 \"b\": 2}", "1:9 expected `,` or `}` after the value, found '\"'"),
        ("[1 2]", "1:4 expected `,` or `]` after the array element, found '2'"),
        ("{a: 1}", "1:2 expected a key in double quotes, found 'a'"),
        ("[tru]", "1:2 expected a value (string, number, object, array, true, false or null), found 't'"),
        ("[\"abc", "1:2 this string is not closed"),
        ("[\"ab\ncd\"]", "1:2 this string is not closed"),
        ("[\"a\tb\"]", "1:4 a control character cannot appear inside a JSON string"),
        ("[\"\\x\"]", "1:3 unknown escape sequence in a string"),
        ("[\"\\u12\"]", "1:3 invalid \\u escape: expected four hex digits"),
        ("[\"\\ud800\"]", "1:3 invalid \\u escape: a high surrogate must be followed by a low one"),
        ("[\"\\udc00\"]", "1:3 invalid \\u escape: a low surrogate without a high one"),
        ("[01]", "1:2 malformed number"),
        ("[1.]", "1:2 malformed number"),
        ("[-]", "1:2 malformed number"),
        ("[1e]", "1:2 malformed number"),
        ("[1x]", "1:2 malformed number"),
        ("{\"a\": 1} x", "1:10 unexpected content after the end of the JSON value"),
        ("{\"a\": 1, \"a\": 2}", "1:10 key \"a\" appears twice in this object"),
        ("{\n  \"a\": [\n", "3:1 the manifest ends where a value was expected"),
        ("   ", "1:1 the manifest is empty"),
        ("[1, é]", "1:5 expected a value (string, number, object, array, true, false or null), found 'é'"),
        ("[\u{7}]", "1:2 expected a value (string, number, object, array, true, false or null), found U+0007"),
    ])
    func reportsSyntaxErrorsAtTheirExactPlace(text: String, expected: String) {
        #expect(failure(text) == expected)
    }

    @Test func boundsNestingInsteadOfOverflowingTheStack() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(failure(deep) == "1:\(JSONParser.maximumDepth + 1) arrays and objects are nested more than \(JSONParser.maximumDepth) deep")
        let deepObjects = String(repeating: "{\"a\":", count: 100_000)
        #expect(failure(deepObjects).contains("nested more than"))
        let fine = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(failure(fine) == "no error")
    }

    /// Random documents must parse to what Foundation's parser sees.
    @Test func agreesWithJSONSerializationOnRandomDocuments() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<300 {
            let text = randomJSON(depth: 0, &generator)
            let ours = try parse(text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(same(ours, theirs), "\(text)")
        }
    }

    private func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours.kind {
        case .null: return theirs is NSNull
        case .bool(let flag): return (theirs as? Bool) == flag
        case .number(let text): return (theirs as? NSNumber).map { $0.doubleValue == Double(text)! } ?? false
        case .string(let text): return (theirs as? String) == text
        case .array(let elements):
            guard let array = theirs as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let object = theirs as? [String: Any], object.count == members.count else { return false }
            return members.allSatisfy { member in object[member.key].map { same(member.value, $0) } ?? false }
        }
    }

    private func randomJSON(depth: Int, _ generator: inout SeededGenerator) -> String {
        let choice = depth > 4 ? Int.random(in: 0..<4, using: &generator) : Int.random(in: 0..<6, using: &generator)
        let space = [" ", "", "\n", "\t"].randomElement(using: &generator)!
        switch choice {
        case 0: return ["true", "false", "null"].randomElement(using: &generator)!
        case 1: return ["0", "-1", "42", "3.25", "-0.5e-3", "1E+2", "123456789"].randomElement(using: &generator)!
        case 2, 3: return randomString(&generator)
        case 4:
            let count = Int.random(in: 0..<4, using: &generator)
            return "[" + space + (0..<count).map { _ in randomJSON(depth: depth + 1, &generator) }.joined(separator: "," + space) + "]"
        default:
            let count = Int.random(in: 0..<4, using: &generator)
            let members = (0..<count).map { index in "\"k\(index)\"" + space + ":" + randomJSON(depth: depth + 1, &generator) }
            return "{" + members.joined(separator: ",") + space + "}"
        }
    }

    private func randomString(_ generator: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", " ", "\\n", "\\\"", "\\\\", "\\/", "\\t", "\\u00e9", "\\ud83d\\ude00", "é", "✓", "😀", "\\u0001"]
        let count = Int.random(in: 0..<6, using: &generator)
        return "\"" + (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined() + "\""
    }
}

/// A small deterministic generator (SplitMix64) so random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
