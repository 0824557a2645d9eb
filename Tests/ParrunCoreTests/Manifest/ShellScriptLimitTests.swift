import Testing
@testable import ParrunCore

/// A shell script is one argument of the shell, so the kernel's MAX_ARG_STRLEN
/// (131072 bytes with the NUL) bounds it; reading the manifest says so.
@Suite struct ShellScriptLimitTests {
    static let longest = String(repeating: "x", count: 131_071)
    static let tooLong = longest + "x"

    @Test func aRecipeUpToTheLimitIsRead() {
        #expect(tickets(#"[{"id": "a", "run": "\#(Self.longest)"}]"#).first?.recipe == .shell(Self.longest))
    }

    @Test func aLongerRecipeIsAnErrorAtItsPlaceInBothFormats() throws {
        #expect(check(#"[{"id": "a", "run": "\#(Self.tooLong)"}]"#).problems
            == ["1:21: error: the shell recipe of ticket 'a' is 131072 bytes, too long to run: the system limits a script to 131071 bytes"])
        // Many short lines add up, after the common indentation is removed.
        let body = Array(repeating: "    echo " + String(repeating: "y", count: 90), count: 1_400)
        let problems = check(textManifest(["a:"] + body)).problems
        #expect(problems == ["2:5: error: the shell recipe of ticket 'a' is 134399 bytes, too long to run: the system limits a script to 131071 bytes"])
        let error = try #require(readManifest(textManifest(["a:"] + body)).diagnostics.diagnostics.first)
        #expect(error.help?.contains("move it into a file, e.g. scripts/a.sh") == true, "\(error.help ?? "")")
    }

    @Test func aTemplateIsCheckedFilledInAtTheTicketThatMadeItLong() {
        let problems = check(#"{"defaults": {"run": "echo {{title}}"}, "tickets": [{"id": "short", "title": "hi"}, {"id": "long", "title": "\#(Self.longest)"}]}"#).problems
        #expect(problems == ["1:92: error: the shell recipe of ticket 'long' is 131078 bytes, too long to run: the system limits a script to 131071 bytes"])
    }

    @Test func verifyAndWorktreeSetupAreScriptsToo() {
        #expect(check(#"[{"id": "a", "verify": "\#(Self.tooLong)"}]"#).problems
            == ["1:24: error: `verify` of ticket 'a' is 131072 bytes, too long to run: the system limits a script to 131071 bytes"])
        #expect(check(lines("worktreeSetup = \(Self.tooLong)", "a:")).problems
            == ["1:17: error: `worktreeSetup` is 131072 bytes, too long to run: the system limits a script to 131071 bytes"])
    }

    @Test func promptsAreNotLimitedTheyGoOnStandardInput() {
        #expect(tickets(#"[{"id": "a", "prompt": "\#(Self.tooLong)"}]"#).first?.recipe == .prompt(Self.tooLong))
    }
}

private func textManifest(_ list: [String]) -> String {
    list.joined(separator: "\n") + "\n"
}
