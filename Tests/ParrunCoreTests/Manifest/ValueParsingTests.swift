import Testing
@testable import ParrunCore

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
