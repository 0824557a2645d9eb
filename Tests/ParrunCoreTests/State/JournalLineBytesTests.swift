import Testing
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// The journal's lines are built as bytes (`JSONBytes`): the same text the
/// string-built lines had, escapes included, so every reader and older
/// journal agrees with them.
@Suite struct JournalLineBytesTests {
    private func quoted(_ text: String) -> String {
        var out = JSONBytes(capacity: 0)
        out.quoted(text)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    private func integer(_ value: Int) -> String {
        var out = JSONBytes(capacity: 0)
        out.integer(value)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test func quotedTextIsEscapedExactlyAsJSONTextQuotesIt() {
        let samples = ["", "plain", "a\"b", "back\\slash", "tab\there", "line\nbreak\r\n", "\u{1}\u{1f}\u{7f}", "ésumé ✓ 😀", "\"\\\"", "end\u{0}"]
        for sample in samples {
            #expect(quoted(sample) == JSONText.quoted(sample), "\(sample.debugDescription)")
        }
        var random = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let scalars = (0..<Int.random(in: 0...12, using: &random)).map { _ in
                Unicode.Scalar(UInt32.random(in: 0...0x7f, using: &random)) ?? "x"
            }
            let sample = String(String.UnicodeScalarView(scalars))
            #expect(quoted(sample) == JSONText.quoted(sample), "\(sample.debugDescription)")
        }
    }

    @Test func integersAndNumbersAreWrittenAsStringDoes() {
        for value in [0, 7, 10, -1, -10, 1_796_313_459, Int.max, Int.min] {
            #expect(integer(value) == String(value))
        }
        for value in [0.0, 1.0, -3.0, 0.25, 1_796_313_459.123456, 1e15, -2.5e-7] {
            var out = JSONBytes(capacity: 0)
            out.number(value)
            #expect(String(decoding: out.bytes, as: UTF8.self) == JSONText.number(value), "\(value)")
        }
    }

    @Test func aStartAndAnEndRecordAreTheLinesTheJournalHasAlwaysHeld() {
        let owner = ProcessIdentity(pid: 4242, startTicks: 123456, host: "build-1")
        let start = JournalRecord.start(.init(
            run: "r1", id: "say \"hi\"", attempt: 2, recipe: "abc", process: ProcessIdentity(pid: 77, startTicks: 9, host: "build-1"),
            owner: owner, worker: 1, time: 1_796_313_459.5, session: "s-1", log: "say_hi"))
        #expect(start.line == #"{"v":1,"type":"start","run":"r1","id":"say \"hi\"","attempt":2,"recipe":"abc","process":{"pid":77,"start":9,"host":"build-1"},"owner":{"pid":4242,"start":123456,"host":"build-1"},"worker":1,"time":1796313459.5,"session":"s-1","log":"say_hi"}"# + "\n")
        let end = JournalRecord.end(.init(run: "r1", id: "t", attempt: 1, status: "failed", exitCode: -3, signal: nil, seconds: 2, time: 10, owner: owner, detail: "exit\t3"))
        #expect(end.line == #"{"v":1,"type":"end","run":"r1","id":"t","attempt":1,"status":"failed","exitCode":-3,"signal":null,"seconds":2,"time":10,"retry":false,"owner":{"pid":4242,"start":123456,"host":"build-1"},"detail":"exit\t3"}"# + "\n")
    }
}
