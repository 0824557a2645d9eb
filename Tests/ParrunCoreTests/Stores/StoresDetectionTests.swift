import Testing
@testable import ParrunCore
@testable import ParrunModel

/// Which reader a store goes to is decided by its content, never its file name.
@Suite struct StoresDetectionTests {
    private func read(_ text: String, name: String) -> ManifestReader.Result {
        readManifest(text, name: name)
    }

    @Test func jsonLinesOfBeadsIssuesAreABeadsStoreWhateverTheFileIsCalled() throws {
        let store = [beadsIssue("a", status: "blocked"), beadsIssue("b", links: [("a", "blocks")])].joined(separator: "\n")
        for name in [".beads/issues.jsonl", "tickets.json", "Parrunfile", "-"] {
            let result = read(store, name: name)
            #expect(!result.diagnostics.hasErrors, "\(name)")
            let manifest = try #require(result.manifest)
            #expect(manifest.tickets.map(\.hold) == ["status blocked", nil], "\(name)")
            #expect(manifest.tickets[1].dependencies.map(\.id) == ["a"], "\(name)")
        }
    }

    @Test func aStoreOfOneIssueIsOneObject() throws {
        let manifest = try #require(read(beadsIssue("only", status: "pinned") + "\n", name: "issues.jsonl").manifest)
        #expect(manifest.tickets.map(\.id) == ["only"])
        #expect(manifest.tickets[0].hold == "status pinned")
    }

    @Test func theArrayBdListPrintsIsABeadsStore() throws {
        let printed = "[\n  " + [beadsIssue("a", type: "epic"), beadsIssue("b", status: "hooked", links: [("a", "parent-child")])].joined(separator: ",\n  ") + "\n]\n"
        let manifest = try #require(read(printed, name: "<stdin>").manifest)
        #expect(manifest.tickets.map(\.isGroup) == [true, false])
        #expect(manifest.tickets.map(\.hold) == [nil, "status hooked"])
    }

    @Test func beadsLinksAloneMarkABeadsStore() throws {
        // No `issue_type`, but `{issue_id, depends_on_id}` links: beads all the same.
        let store = """
            {"id": "a", "status": "in_progress"}
            {"id": "b", "dependencies": [{"issue_id": "b", "depends_on_id": "a", "type": "blocks"}]}
            """
        let manifest = try #require(read(store, name: "x").manifest)
        #expect(manifest.tickets.map(\.hold) == ["status in_progress", nil])
        #expect(manifest.tickets[1].dependencies.map(\.id) == ["a"])
    }

    @Test func dependenciesAsBdShowWritesThemAreRead() throws {
        let printed = """
            [{"id": "a", "status": "open", "issue_type": "task"},
             {"id": "b", "status": "open", "issue_type": "task", "dependencies": [{"id": "a", "title": "A", "status": "open", "dependency_type": "blocks"}]}]
            """
        let manifest = try #require(read(printed, name: "x").manifest)
        #expect(manifest.tickets[1].dependencies.map(\.id) == ["a"])
    }

    @Test func anArrayOfOrdinaryTicketsIsStillAManifest() throws {
        let manifest = try #require(read(#"[{"id": "a", "run": "true"}, {"id": "b", "dependsOn": ["a"], "status": "blocked", "run": "true"}]"#, name: "issues.jsonl").manifest)
        #expect(manifest.tickets.map(\.recipe) == [.shell("true"), .shell("true")])
        #expect(manifest.tickets.allSatisfy { $0.hold == nil }, "only beads statuses hold tickets back")
    }

    @Test func jsonLinesOfOrdinaryObjectsAreAnErrorAtTheSecondValue() {
        let (graph, problems) = check("{\"id\": \"a\", \"run\": \"true\"}\n{\"id\": \"b\", \"run\": \"true\"}\n")
        #expect(graph == nil)
        #expect(problems == ["2:1: error: unexpected content after the end of the JSON value"])
    }

    @Test func aTasksFileTakesItsStatusesAndWordPriorities() throws {
        let tasks = #"""
            {"tasks": [
              {"id": "setup", "status": "completed", "priority": "high"},
              {"id": "api", "status": "pending", "priority": "medium", "dependsOn": ["setup"]},
              {"id": "docs", "status": "in-progress", "priority": "low", "dependsOn": ["api"]},
              {"id": "polish", "status": "failed", "priority": "background"},
              {"id": "old-style", "priority": 7},
              {"id": "shouted", "priority": "HIGH"}
            ]}
            """#
        let (plan, held) = try storePlan(tasks)
        #expect(plan.graph.tickets.map(\.priority) == [0, 1, 2, 3, 7, 0])
        #expect(idsToRun(plan) == ["api", "docs", "polish", "old-style", "shouted"], "only `completed` is done")
        #expect(held.allSatisfy { $0 == nil })
    }

    @Test func aTicketIndexTakesItsStatesAndPriorities() throws {
        let index = #"""
            {"version": 2, "tickets": [
              {"id": "T-1", "title": "Schema", "state": "COMPLETED", "priority": "P0"},
              {"id": "T-2", "title": "API", "state": "UNPROCESSED", "priority": "P2", "dependencies": ["T-1"]},
              {"id": "T-3", "title": "UI", "state": "IN_PROGRESS", "priority": "P1", "dependencies": ["T-2"]},
              {"id": "T-4", "title": "Later", "state": "DEFERRED", "priority": "P3"}
            ]}
            """#
        let (plan, _) = try storePlan(index)
        #expect(plan.graph.tickets.map(\.priority) == [0, 2, 1, 3])
        #expect(idsToRun(plan) == ["T-2", "T-3", "T-4"])
        #expect(plan.graph.tickets[0].field("version") == nil, "`version` is the index's, not a ticket's")
    }

    @Test func anUnknownPriorityWordIsAnErrorThatListsTheWords() {
        let (_, problems) = check(#"{"tasks": [{"id": "a", "priority": "urgent"}]}"#)
        #expect(problems == ["1:36: error: `priority` of ticket 'a' must be a whole number, `high`, `medium`, `low`, `background` or `P0` to `P4`, found 'urgent'"])
    }
}
