import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct TextManifestTests {
    @Test func headerNamesTheTicketAndItsDependencies() {
        let list = tickets(lines("a:", "b: a", "c : a  b"))
        #expect(list.map(\.id) == ["a", "b", "c"])
        #expect(list.map { $0.dependencies.map(\.id) } == [[], ["a"], ["a", "b"]])
        #expect(list.map(\.recipe) == [.none, .none, .none])
    }

    @Test func indentedBodyIsOneShellScriptWithCommonIndentationRemoved() {
        let ticket = tickets(lines(
            "build:",
            "    set -e",
            "    for f in a b; do",
            "        echo $f",
            "    done",
            "",
            "    echo end",
            "",
            "",
            "next:"
        )).first
        #expect(ticket?.recipe == .shell("set -e\nfor f in a b; do\n    echo $f\ndone\n\necho end"))
    }

    @Test func tabsIndentToo() {
        #expect(tickets("a:\n\tmake\n\tmake install\n").first?.recipe == .shell("make\nmake install"))
    }

    @Test func promptLinesStartWithGreaterThan() {
        let ticket = tickets(lines("ask:", "    > Write a parser", "    >", "    >  keep two spaces", "    >no space")).first
        #expect(ticket?.recipe == .prompt("Write a parser\n\n keep two spaces\nno space"))
    }

    @Test func attributesSetTicketFields() throws {
        let ticket = try #require(tickets(lines(
            "pool git = 1",
            "a:",
            "b:",
            "t: a b",
            "    @title Build the thing",
            "    @priority -1",
            "    @timeout 90s",
            "    @retries 2",
            "    @pool git",
            "    @cwd sub/dir",
            "    @env MODE=fast",
            "    @env EMPTY=",
            "    @model opus",
            "    @review",
            "    make"
        )).last)
        #expect(ticket.title == "Build the thing")
        #expect(ticket.priority == -1)
        #expect(ticket.timeoutSeconds == 90)
        #expect(ticket.retries == 2)
        #expect(ticket.pool == "git")
        #expect(ticket.workingDirectory == "sub/dir")
        #expect(ticket.environment == [.init(name: "MODE", value: "fast"), .init(name: "EMPTY", value: "")])
        #expect(ticket.field("model")?.stringValue == "opus", "other attributes are kept as fields")
        if case .bool(true)? = ticket.field("review")?.kind {} else { Issue.record("@review alone should be true") }
        #expect(ticket.recipe == .shell("make"))
    }

    @Test func statusDoneMarksATicketDone() {
        #expect(tickets(lines("a:", "    @status done")).first?.isDone == true)
    }

    @Test func settingsAreKeyEqualsValueLines() throws {
        let manifest = try #require(readManifest(lines(
            "jobs = auto",
            "shell = /bin/bash -euo pipefail -c",
            "claude=claude -p --output-format stream-json",
            "pool git = 1",
            "pool claude = 3",
            "a:"
        )).manifest)
        #expect(manifest.format == .text)
        #expect(manifest.settings.jobs == .auto)
        #expect(manifest.settings.shell == ["/bin/bash", "-euo", "pipefail", "-c"])
        #expect(manifest.settings.claude == ["claude", "-p", "--output-format", "stream-json"])
        #expect(manifest.settings.pools == [PoolLimit(name: "git", limit: 1, span: manifest.settings.pools[0].span), PoolLimit(name: "claude", limit: 3, span: manifest.settings.pools[1].span)])
    }

    @Test func anEmptyWordAfterTheProgramIsAnArgument() throws {
        let manifest = try #require(readManifest(lines("shell = /bin/sh -c '' -ec", "a:")).manifest)
        #expect(manifest.settings.shell == ["/bin/sh", "-c", "", "-ec"])
    }

    @Test func commentsAreIgnoredEverywhere() {
        let list = tickets(lines(
            "# a comment",
            "  # an indented comment outside a ticket",
            "a: # trailing comment on a header",
            "    # a comment in a body",
            "    echo hi",
            "# between body lines",
            "    echo there",
            "b: a # c d"
        ))
        #expect(list.map(\.recipe) == [.shell("echo hi\necho there"), .none])
        #expect(list.last?.dependencies.map(\.id) == ["a"])
    }

    @Test func trailingBackslashContinuesHeadersSettingsAndAttributes() throws {
        let result = check(lines(
            "shell = /bin/bash \\",
            "        -c",
            "a:",
            "b:",
            "c: a \\",
            "   b \\",
            "   zz",
            "    @title A long \\",
            "       title",
            "    echo one \\",
            "      two"
        ))
        // The unknown id on the third physical line of the header is located there.
        #expect(result.problems == ["7:4: error: ticket 'c' depends on 'zz', which is not a ticket in this manifest"])
        let manifest = try #require(readManifest(lines("shell = /bin/bash \\", "  -c", "a:", "    @title A long \\", "       title", "    echo one \\", "      two")).manifest)
        #expect(manifest.settings.shell == ["/bin/bash", "-c"])
        #expect(manifest.tickets.first?.title == "A long title")
        #expect(manifest.tickets.first?.recipe == .shell("echo one \\\n  two"), "recipe lines go to the shell unchanged")
    }

    @Test func windowsLineEndingsAreAccepted() {
        let list = tickets("jobs = 2\r\na:\r\n    echo a\r\nb: a\r\n")
        #expect(list.map(\.id) == ["a", "b"])
        #expect(list.first?.recipe == .shell("echo a"))
    }

    @Test(arguments: [
        (lines("  echo hi", "a:"), ["1:3: error: indented line outside a ticket"]),
        (lines("we$ird: a"), ["1:3: error: '$' cannot appear in a ticket id"]),
        (lines("build it: a"), ["1:7: error: expected `:` after the ticket id"]),
        (lines("build"), ["1:6: error: expected `:` after the ticket id"]),
        (lines("-x: a"), ["1:1: error: '-' cannot appear in a ticket id"]),
        (lines("jobs ="), ["1:1: error: setting `jobs` has no value"]),
        (lines("jobs = lots"), ["1:8: error: unknown jobs value 'lots'"]),
        (lines("pool = 1"), ["1:6: error: pool setting without a name"]),
        (lines("pool git"), ["1:1: error: setting `pool git` has no value"]),
        (lines("pool git = 0"), ["1:12: error: `pool git` must be at least 1, found 0"]),
        (lines("jbos = 2"), ["1:1: warning: unknown setting `jbos` is ignored"]),
        (lines("jobs = 2", "jobs = 3"), ["2:1: error: setting `jobs` is set twice"]),
        (lines("pool git = 1", "pool git = 2"), ["2:6: error: setting `pool git` is set twice"]),
        (lines("a:", "    @ x"), ["2:5: error: `@` without an attribute name"]),
        (lines("a:", "    @title x", "    @title y"), ["3:5: error: ticket 'a' sets `@title` twice"]),
        (lines("a:", "    @verify true", "    verify:", "        false"), ["3:5: error: ticket 'a' sets `verify` twice"]),
        (lines("a:", "    @id b"), ["2:5: error: `@id` cannot be an attribute: ticket 'a' takes its id from its header"]),
        (lines("a:", "b:", "    @dependsOn a"), ["3:5: error: `@dependsOn` cannot be an attribute: ticket 'b' takes its dependencies from its header"]),
        (lines("a:", "    @timeout soon"), ["2:14: error: timeout 'soon' of ticket 'a' is not a duration"]),
        (lines("a:", "    @priority urgent"), ["2:15: error: `priority` of ticket 'a' must be a whole number, `high`, `medium`, `low`, `background` or `P0` to `P4`, found 'urgent'"]),
        (lines("a:", "    @env NOVALUE"), ["2:10: error: `@env` needs NAME=value"]),
        (lines("a:", "    @env 1A=2"), ["2:10: error: '1A' is not a valid environment variable name of ticket 'a': a shell could not use it"]),
        (lines("a:", "    @env MY VAR=2"), ["2:10: error: 'MY VAR' is not a valid environment variable name of ticket 'a': a shell could not use it"]),
        (lines("a:", "    echo hi", "    > and a prompt"), ["3:5: error: ticket 'a' mixes shell lines and `>` prompt lines"]),
        (lines("a: b/c"), ["1:4: error: 'b/c' is not a valid ticket id"]),
        (lines("a:", "a:"), ["2:1: error: ticket id 'a' is used twice"]),
        (lines("shell = ''", "a:"), ["1:9: error: `shell` starts with an empty word, so it names no program"]),
        (lines("claude = \"\" -p", "a:"), ["1:10: error: `claude` starts with an empty word, so it names no program"]),
        (lines("launcher = ''", "a:"), ["1:12: error: `launcher` starts with an empty word, so it names no program"]),
        ("", ["1:1: error: the manifest is empty"]),
        (lines("", "  \t", ""), ["1:1: error: the manifest is empty"]),
    ])
    func reportsErrorsAtTheirExactPlace(text: String, expected: [String]) {
        #expect(check(text).problems == expected)
    }

    @Test func unknownSettingHelpNamesEverySettingTheReaderAccepts() throws {
        let warning = try #require(readManifest(lines("verbosity = 3", "a:")).diagnostics.diagnostics.first)
        #expect(warning.message == "unknown setting `verbosity` is ignored")
        #expect(warning.help == "the settings are `jobs`, `shell`, `claude`, `codex`, `pool NAME`, `launcher`, `isolate`, `worktreeSetup`, `price MODEL` and `on EVENT`")
        let everySetting = lines(
            "jobs = 2", "shell = /bin/sh -ec", "claude = claude -p", "codex = codex exec --json", "pool git = 1",
            "launcher = local", "isolate = none", "worktreeSetup = true", "price m = input 1, output 2", "on end = true", "a:")
        #expect(readManifest(everySetting).diagnostics.diagnostics.isEmpty, "each listed setting is read, not warned about")
    }

    /// The JSON parser's "key appears twice in this object" would mean nothing in a Parrunfile.
    @Test func repeatsAreNamedInTheTextFormatsOwnWords() throws {
        let text = lines("jobs = 1", "jobs = 2", "pool git = 1", "pool git = 1", "a:", "    @id c", "    @pool git", "    @pool git", "a:")
        let problems = check(text).problems
        #expect(problems.count == 5, "\(problems)")
        #expect(!problems.contains { $0.contains("object") || $0.contains("key") }, "\(problems)")
        let note = try #require(readManifest(text).diagnostics.diagnostics.first?.notes.first)
        #expect(note.message == "first set here" && note.span?.offset == 0)
    }

    @Test func formatComesFromContentNotFileName() {
        #expect(ManifestReader.read(SourceFile(name: "Parrunfile", text: "  \n [{\"id\": \"a\"}]")).manifest?.format == .json)
        #expect(ManifestReader.read(SourceFile(name: "tickets.json", text: "# text\na:\n")).manifest?.format == .text)
    }

    @Test func bothFormatsDescribeTheSameTicketsTheSameWay() throws {
        let json = try #require(readManifest(#"""
            {"jobs": 3, "pools": {"io": 1}, "tickets": [
              {"id": "a", "title": "First", "run": "echo a", "timeout": "30s", "pool": "io"},
              {"id": "b", "dependsOn": ["a"], "prompt": "Do b", "priority": 2, "retries": 1, "env": {"X": "1"}}
            ]}
            """#).manifest)
        let text = try #require(readManifest(lines(
            "jobs = 3", "pool io = 1",
            "a:", "    @title First", "    @timeout 30s", "    @pool io", "    echo a",
            "b: a", "    @priority 2", "    @retries 1", "    @env X=1", "    > Do b"
        )).manifest)
        #expect(json.settings.jobs == text.settings.jobs)
        #expect(json.settings.pools.map(\.name) == text.settings.pools.map(\.name))
        for (left, right) in zip(json.tickets, text.tickets) {
            #expect(left.id == right.id)
            #expect(left.title == right.title)
            #expect(left.recipe == right.recipe)
            #expect(left.dependencies.map(\.id) == right.dependencies.map(\.id))
            #expect(left.priority == right.priority)
            #expect(left.timeoutSeconds == right.timeoutSeconds)
            #expect(left.retries == right.retries)
            #expect(left.pool == right.pool)
            #expect(left.environment == right.environment)
        }
    }
}
