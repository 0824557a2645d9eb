import Testing
@testable import ParrunCore
@testable import ParrunModel

@Suite struct JSONManifestTests {
    @Test func readsEveryTicketField() throws {
        let ticket = try #require(tickets(#"""
            {"tickets": [{
              "id": "build", "title": "Build it", "description": "All of it",
              "dependsOn": ["a", "b"], "priority": -2, "run": "make",
              "timeout": "1h30m", "retries": 3, "pool": "git", "cwd": "sub",
              "env": {"A": "1", "PORT": 8080, "DEBUG": true}, "status": "open",
              "model": "opus", "labels": ["x"]
            }, {"id": "a"}, {"id": "b"}]}
            """#).first)
        #expect(ticket.id == "build")
        #expect(ticket.title == "Build it")
        #expect(ticket.description == "All of it")
        #expect(ticket.dependencies.map(\.id) == ["a", "b"])
        #expect(ticket.priority == -2)
        #expect(ticket.recipe == .shell("make"))
        #expect(ticket.timeoutSeconds == 5400)
        #expect(ticket.retries == 3)
        #expect(ticket.pool == "git")
        #expect(ticket.workingDirectory == "sub")
        #expect(ticket.environment == [.init(name: "A", value: "1"), .init(name: "PORT", value: "8080"), .init(name: "DEBUG", value: "true")])
        #expect(ticket.status == "open" && !ticket.isDone)
        #expect(ticket.fields.map(\.key) == ["model", "labels"], "unknown keys are kept as fields")
        #expect(ticket.field("model")?.stringValue == "opus")
        #expect(ticket.claudeOptions.model == "opus", "and typed as the claude option")
    }

    @Test func acceptsTasksABareArrayAndDependenciesAsSynonyms() {
        #expect(tickets(#"{"tasks": [{"id": "a"}, {"id": "b", "dependencies": ["a"]}]}"#).last?.dependencies.map(\.id) == ["a"])
        #expect(tickets(#"[{"id": "a"}, {"id": "b", "dependsOn": "a"}]"#).last?.dependencies.map(\.id) == ["a"])
    }

    @Test func runMayBeAnArrayOfLinesAndPromptMakesAPromptRecipe() {
        let list = tickets(#"[{"id": "a", "run": ["set -x", "make"]}, {"id": "b", "prompt": "Fix it"}, {"id": "c"}]"#)
        #expect(list.map(\.recipe) == [.shell("set -x\nmake"), .prompt("Fix it"), .none])
    }

    @Test(arguments: ["done", "DONE", "completed", "Closed"])
    func doneStatusesInAnyCaseMarkATicketDone(status: String) {
        #expect(tickets(#"[{"id": "a", "status": "\#(status)"}]"#).first?.isDone == true)
        #expect(tickets(#"[{"id": "a", "state": "\#(status)"}]"#).first?.isDone == true)
    }

    @Test func otherStatusesRun() {
        #expect(tickets(#"[{"id": "a", "status": "open"}, {"id": "b", "state": "in_progress"}]"#).map(\.isDone) == [false, false])
    }

    @Test func readsTopLevelSettings() throws {
        let manifest = try #require(readManifest(#"""
            {"jobs": "auto", "shell": "/bin/bash -euo pipefail -c", "claude": ["claude", "-p"],
             "pools": {"git": 1, "claude": 3}, "version": 2, "tickets": []}
            """#).manifest)
        #expect(manifest.format == .json)
        #expect(manifest.settings.jobs == .auto)
        #expect(manifest.settings.shell == ["/bin/bash", "-euo", "pipefail", "-c"])
        #expect(manifest.settings.claude == ["claude", "-p"])
        #expect(manifest.settings.pools.map(\.name) == ["git", "claude"])
        #expect(manifest.settings.poolLimit("claude") == 3)
        #expect(manifest.settings.extra.map(\.key) == ["version"], "other tools' keys are kept, not errors")
        #expect(readManifest(#"{"jobs": 4, "tickets": []}"#).manifest?.settings.jobs == .count(4))
    }

    @Test func ticketsInheritDefaultsTheyDoNotSet() {
        let list = tickets(#"""
            {"defaults": {"prompt": "Do {{title}}", "timeout": "5m", "pool": "claude"},
             "pools": {"claude": 2},
             "tickets": [{"id": "a", "title": "the thing"}, {"id": "b", "run": "make", "timeout": "1m"}]}
            """#)
        #expect(list.map(\.recipe) == [.prompt("Do the thing"), .shell("make")], "a run of its own replaces the default prompt")
        #expect(list.map(\.timeoutSeconds) == [300, 60])
        #expect(list.map(\.pool) == ["claude", "claude"])
    }

    @Test func nullMeansNotGiven() {
        let ticket = tickets(#"[{"id": "a", "title": null, "timeout": null, "run": "x"}]"#).first
        #expect(ticket?.title == nil && ticket?.timeoutSeconds == nil)
    }

    @Test(arguments: [
        (#"[{"id": "a", "timeout": "-5s"}]"#, "1:25: error: timeout '-5s' of ticket 'a' is negative"),
        (#"[{"id": "a", "timeout": "5x"}]"#, "1:25: error: timeout '5x' of ticket 'a' is not a duration"),
        (#"[{"id": "a", "timeout": "0s"}]"#, "1:25: error: timeout '0s' of ticket 'a' is zero"),
        (#"[{"id": "a", "timeout": true}]"#, "1:25: error: `timeout` of ticket 'a' must be a duration such as \"90s\", found true/false"),
        (#"[{"id": "a", "priority": "urgent"}]"#, "1:26: error: `priority` of ticket 'a' must be a whole number, `high`, `medium`, `low`, `background` or `P0` to `P4`, found 'urgent'"),
        (#"[{"id": "a", "priority": 1.5}]"#, "1:26: error: `priority` of ticket 'a' must be a whole number, found '1.5'"),
        (#"[{"id": "a", "retries": -1}]"#, "1:25: error: `retries` of ticket 'a' must be at least 0, found -1"),
        (#"[{"id": 7}]"#, "1:9: error: `id` must be a string, found a number"),
        (#"[{"title": "x"}]"#, "1:2: error: ticket has no `id`"),
        (#"[{"id": "bad id"}]"#, "1:9: error: 'bad id' is not a valid ticket id"),
        (#"[{"id": "-a"}]"#, "1:9: error: '-a' is not a valid ticket id"),
        (#"[{"id": "a", "run": "x", "prompt": "y"}]"#, "1:26: error: ticket 'a' has both `run` and `prompt`"),
        (#"[{"id": "a", "dependsOn": [], "dependencies": []}]"#, "1:31: error: both `dependsOn` and `dependencies` are given"),
        (#"[{"id": "a", "dependsOn": [1]}]"#, "1:28: error: `dependsOn` of ticket 'a' must be a list of ticket ids (strings), found a number"),
        (#"[{"id": "a", "env": {"A": [1]}}]"#, "1:27: error: `env` of ticket 'a' must be an object of NAME: value with string values, found an array"),
        (#"[{"id": "a", "env": {"A=B": "x"}}]"#, "1:22: error: environment variable name 'A=B' of ticket 'a' contains `=`, which would end the name"),
        (#"[{"id": "a", "env": {"": "x"}}]"#, "1:22: error: an environment variable of ticket 'a' has an empty name"),
        (#"[{"id": "a", "env": {"A\u0000B": "x"}}]"#, "1:22: error: an environment variable name of ticket 'a' contains a NUL character"),
        (#"[{"id": "a", "env": {"1A": "x"}}]"#, "1:22: error: '1A' is not a valid environment variable name of ticket 'a': a shell could not use it"),
        (#"[{"id": "a", "env": {"MY-VAR": "x"}}]"#, "1:22: error: 'MY-VAR' is not a valid environment variable name of ticket 'a': a shell could not use it"),
        (#"[{"id": "a", "env": {"A": "x\u0000"}}]"#, "1:27: error: `env` of ticket 'a' contains a NUL character"),
        (#"[{"id": "a", "run": 5}]"#, "1:21: error: `run` of ticket 'a' must be a string or an array of strings, found a number"),
        (#"[{"id": "a", "title": 5}]"#, "1:23: error: `title` of ticket 'a' must be a string, found a number"),
        (#"[7]"#, "1:2: error: `tickets` must be a list of ticket objects, found a number"),
        (#"{"jobs": "many", "tickets": []}"#, "1:10: error: unknown jobs value 'many'"),
        (#"{"jobs": -1, "tickets": []}"#, "1:10: error: unknown jobs value '-1'"),
        (#"{"shell": "'/bin/sh", "tickets": []}"#, "1:11: error: `shell` has a quote that is not closed"),
        (#"{"shell": "", "tickets": []}"#, "1:11: error: `shell` is empty"),
        (#"{"shell": [""], "tickets": []}"#, "1:11: error: `shell` starts with an empty word, so it names no program"),
        (#"{"claude": [], "tickets": []}"#, "1:12: error: `claude` is empty"),
        (#"{"launcher": "''", "tickets": []}"#, "1:14: error: `launcher` starts with an empty word, so it names no program"),
        (#"{"pools": {"git": 0}, "tickets": []}"#, "1:19: error: `pool git` must be at least 1, found 0"),
        (#"{"tickets": {}}"#, "1:13: error: `tickets` must be an array of tickets, found an object"),
        (#"{"jobs": 2}"#, "1:1: error: the manifest has no `tickets` array"),
        (#"{"tickets": [], "tasks": []}"#, "1:17: error: both `tickets` and `tasks` are given"),
        (#"{"defaults": {"id": "x"}, "tickets": []}"#, "1:15: error: `id` cannot be a default"),
    ])
    func reportsBadValuesAtTheirExactPlace(text: String, expected: String) {
        #expect(check(text).problems == [expected])
    }

    @Test func reportsEveryProblemNotJustTheFirst() {
        let problems = check(#"""
            [
              {"id": "a", "timeout": "soon"},
              {"id": "b", "priority": "x", "retries": -2},
              {"id": "c", "dependsOn": ["zz"]}
            ]
            """#).problems
        #expect(problems == [
            "2:26: error: timeout 'soon' of ticket 'a' is not a duration",
            "3:27: error: `priority` of ticket 'b' must be a whole number, `high`, `medium`, `low`, `background` or `P0` to `P4`, found 'x'",
            "3:43: error: `retries` of ticket 'b' must be at least 0, found -2",
            "4:29: error: ticket 'c' depends on 'zz', which is not a ticket in this manifest",
        ])
    }

    @Test func warnsAboutPoolsWithoutALimitSuggestingADeclaredOne() {
        #expect(check(#"{"pools": {"git": 1}, "tickets": [{"id": "a", "pool": "gti"}]}"#).problems
            == ["1:55: warning: ticket 'a' names pool 'gti', which has no limit"])
    }

    @Test func skipsAByteOrderMark() {
        #expect(tickets("\u{FEFF}[{\"id\": \"a\"}]").count == 1)
    }
}
