import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("90s", 90.0), ("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("1.5h", 5400),
        ("500ms", 0.5), ("2d", 172_800), ("45", 45), (" 10s ", 10), ("1m30s", 90), ("2.5", 2.5),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(DurationText.seconds(from: text) == .success(seconds))
    }

    @Test(arguments: [
        ("-5s", DurationText.Problem.negative), ("-1", .negative), ("0", .zero), ("0s", .zero),
        ("", .malformed), ("5x", .malformed), ("s", .malformed), ("1h 30m", .malformed), ("ten", .malformed),
        ("1e999", .malformed), ("nan", .malformed),
    ])
    func rejectsBadDurations(text: String, problem: DurationText.Problem) {
        #expect(DurationText.seconds(from: text) == .failure(problem))
    }

    @Test func formatsShortHumanDurations() {
        #expect(DurationText.format(seconds: 0.25) == "250ms")
        #expect(DurationText.format(seconds: 3.2) == "3.2s")
        #expect(DurationText.format(seconds: 12) == "12s")
        #expect(DurationText.format(seconds: 245) == "4m05s")
        #expect(DurationText.format(seconds: 7800) == "2h10m")
    }
}

@Suite struct ShellWordsTests {
    @Test func splitsLikeAShellWithoutExpanding() {
        #expect(ShellWords.split("/bin/bash -euo pipefail -c") == .success(["/bin/bash", "-euo", "pipefail", "-c"]))
        #expect(ShellWords.split(#"claude --append-system-prompt "be brief" 'a b' c\ d $HOME"#)
            == .success(["claude", "--append-system-prompt", "be brief", "a b", "c d", "$HOME"]))
        #expect(ShellWords.split(#"x "" y"#) == .success(["x", "", "y"]))
    }

    @Test func rejectsUnclosedQuotesAndEmptyCommands() {
        #expect(ShellWords.split("sh 'oops") == .failure(.unterminatedQuote))
        #expect(ShellWords.split("   ") == .failure(.empty))
    }
}

@Suite struct SpellingSuggestionTests {
    @Test func suggestsCloseNamesOnly() {
        #expect(SpellingSuggestion.closest(to: "biuld", among: ["test", "build", "deploy"]) == "build")
        #expect(SpellingSuggestion.closest(to: "setp", among: ["setup", "step-2"]) == "setup")
        #expect(SpellingSuggestion.closest(to: "xyz", among: ["build", "test"]) == nil)
        #expect(SpellingSuggestion.closest(to: "--dryrun", among: ["--dry-run", "--jobs"]) == "--dry-run")
        #expect(SpellingSuggestion.closest(to: "a", among: ["b", "a"]) == "a")
    }
}

@Suite struct UTF8ValidationTests {
    private func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalidOffset(in: $0) }
    }

    @Test func acceptsWellFormedText() {
        #expect(firstInvalid(Array("héllo ✓ 😀 \u{10FFFF}".utf8)) == nil)
    }

    @Test(arguments: [
        ([0x61, 0xFF], 1), ([0xC0, 0x80], 0), ([0xE0, 0x80, 0x80], 0), ([0xED, 0xA0, 0x80], 0),
        ([0xF4, 0x90, 0x80, 0x80], 0), ([0x61, 0x62, 0xE2, 0x82], 2), ([0x80], 0), ([0xC3, 0x28], 0),
    ])
    func findsTheFirstMalformedSequence(bytes: [UInt8], offset: Int) {
        #expect(firstInvalid(bytes) == offset)
    }
}

@Suite struct HostileInputTests {
    @Test func absurdTimeoutsAreRejectedAndFormattingNeverTraps() {
        #expect(DurationText.seconds(from: "1e300") == .failure(.tooLong))
        #expect(DurationText.format(seconds: 1e300) == "876000h00m")
        #expect(DurationText.format(seconds: .infinity) == "?")
        #expect(check(#"[{"id": "a", "timeout": 1e300}]"#).problems == ["1:25: error: timeout '1e300' of ticket 'a' is longer than 100 years"])
    }

    @Test func nulCharactersNeverReachAProgram() {
        #expect(check(#"[{"id": "a", "run": "echo a\u0000rm -rf x"}]"#).problems == ["1:21: error: `run` of ticket 'a' contains a NUL character"])
        #expect(check(#"[{"id": "a", "env": {"X": "a\u0000"}}]"#).problems == ["1:27: error: `env` of ticket 'a' contains a NUL character"])
        #expect(check("a:\n    echo a\0b\n").problems == ["2:5: error: `run` of ticket 'a' contains a NUL character"])
        #expect(check(#"{"shell": ["sh", "-c\u0000"], "tickets": []}"#).problems == ["1:18: error: `shell` contains a NUL character"])
    }

    @Test func aBareJSONStringIsNotTakenForTheTextFormat() {
        #expect(check("\"x\"").problems == ["1:1: error: the manifest must be a JSON object or array, not a string"])
    }

    /// Inputs that once took quadratic time; each must finish quickly (the test
    /// would take minutes otherwise).
    @Test func largeObjectsAndManyAttributesStayLinear() {
        let keys = (0..<50_000).map { "\"k\($0)\": 1" }.joined(separator: ",")
        // Unknown keys, so warnings (a bounded number of them), and nothing else.
        #expect(check("[{\"id\": \"a\", \(keys)}]").problems.allSatisfy { $0.contains(": warning: unknown key") })
        let attributes = (0..<50_000).map { "    @a\($0) x" }.joined(separator: "\n")
        #expect(check("a:\n" + attributes + "\n").problems.allSatisfy { $0.contains(": warning: unknown attribute") })
        let pools = (0..<20_000).map { "pool p\($0) = 1" }.joined(separator: "\n")
        let tickets = (0..<20_000).map { "t\($0):\n    @pool q\($0)" }.joined(separator: "\n")
        #expect(check(pools + "\n" + tickets + "\n").problems.count == DiagnosticList.defaultLimit)
    }

    @Test func suggestionsForLongNearlyEqualIDsAreCheap() {
        let long = String(repeating: "x", count: 100_000)
        #expect(SpellingSuggestion.closest(to: long + "a", among: [long + "b"]) == long + "b")
        #expect(SpellingSuggestion.editDistance(Array("kitten".utf8), Array("sitting".utf8), atMost: 3) == 3)
        #expect(SpellingSuggestion.editDistance(Array("kitten".utf8), Array("sitting".utf8), atMost: 2) == nil)
        #expect(SpellingSuggestion.editDistance(Array("ab".utf8), Array("ba".utf8), atMost: 1) == 1)
        #expect(SpellingSuggestion.editDistance(Array("".utf8), Array("ab".utf8), atMost: 2) == 2)
    }
}

@Suite struct EditDistanceTests {
    /// Plain full-table Damerau (optimal string alignment) distance, as a reference.
    private func reference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }

    @Test func bandedDistanceAgreesWithTheFullTable() {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<3_000 {
            let a = (0..<Int.random(in: 0...7, using: &generator)).map { _ in UInt8.random(in: 97...99, using: &generator) }
            let b = (0..<Int.random(in: 0...7, using: &generator)).map { _ in UInt8.random(in: 97...99, using: &generator) }
            let bound = Int.random(in: 0...4, using: &generator)
            let expected = reference(a, b)
            #expect(SpellingSuggestion.editDistance(a, b, atMost: bound) == (expected <= bound ? expected : nil), "\(a) \(b) \(bound)")
        }
    }
}
