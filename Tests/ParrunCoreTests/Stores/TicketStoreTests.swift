import Foundation
import Testing
@testable import ParrunCLI
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Other tools' ticket files read directly: beads, task files, ticket indexes.
@Suite struct TicketStoresTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/beads-issues.jsonl")

    private func plan(_ text: String) throws -> (Plan, [String?]) {
        let graph = try validGraph(text)
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2))
        return (plan, HeldBack.reasons(graph))
    }

    private func runs(_ plan: Plan) -> [String] {
        plan.graph.tickets.indices.filter { plan.runs[$0] }.map { plan.graph.tickets[$0].id }
    }

    @Test func beadsStatusesTypesAndDependencies() throws {
        let store = """
            {"id": "bd-1", "title": "Open work", "status": "open", "priority": 2, "issue_type": "task", "acceptance_criteria": "tests pass"}
            {"id": "bd-2", "title": "Done", "status": "closed", "priority": 1, "issue_type": "task"}
            {"id": "bd-3", "title": "Blocked", "status": "blocked", "priority": 0, "issue_type": "bug"}
            {"id": "bd-4", "title": "After 1 and 2", "status": "open", "priority": 0, "issue_type": "task", "dependencies": [{"issue_id": "bd-4", "depends_on_id": "bd-1", "type": "blocks"}, {"issue_id": "bd-4", "depends_on_id": "bd-2", "type": "waits-for"}, {"issue_id": "bd-4", "depends_on_id": "bd-9", "type": "related"}]}
            {"id": "bd-5", "title": "After the blocked one", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "bd-5", "depends_on_id": "bd-3", "type": "conditional-blocks"}]}
            {"id": "bd-6", "title": "An epic", "status": "open", "issue_type": "epic"}
            {"id": "bd-7", "title": "Child of a held epic", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "bd-7", "depends_on_id": "bd-8", "type": "parent-child"}]}
            {"id": "bd-8", "title": "Held epic", "status": "deferred", "issue_type": "epic"}
            {"id": "bd-10", "title": "Dangling", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "bd-10", "depends_on_id": "bd-gone", "type": "blocks"}, {"issue_id": "bd-10", "depends_on_id": "bd-6", "type": "parent-child"}]}

            """
        let (checked, problems) = check(store)
        #expect(problems == [
            "9:134: warning: 'bd-10' depends on 'bd-gone', which is not in this store; the dependency is ignored",
        ])
        let graph = try #require(checked)
        let (plan, held) = try plan(store)
        #expect(runs(plan) == ["bd-1", "bd-4", "bd-6", "bd-10"])
        #expect(held == [nil, nil, "status blocked", nil, "depends on bd-3 (status blocked)", nil, "parent bd-8 (status deferred)", "status deferred", nil])
        #expect(graph.tickets[3].dependencies.map(\.id) == ["bd-1", "bd-2"], "related never orders work")
        #expect(graph.tickets[0].priority == 2)
        #expect(graph.tickets[5].isGroup && graph.tickets[5].recipe == .none, "an epic only groups")
        #expect(graph.tickets[0].field("acceptance_criteria")?.stringValue == "tests pass")
        let text = PlanPrinter(plan: plan, manifestName: "issues.jsonl").dryRun()
        #expect(text.contains("held back, not run (4):\n  bd-3   status blocked\n  bd-5   depends on bd-3 (status blocked)\n"), "\(text)")
        #expect(text.contains("tickets 9 (4 to run, 1 done, 4 held back)"), "\(text)")
    }

    @Test func aPromptTemplateGivesBeadsTicketsTheirPromptButNotEpics() throws {
        let source = SourceFile(name: "issues.jsonl", text: """
            [{"id": "bd-1", "title": "Fix it", "status": "open", "issue_type": "bug", "acceptance_criteria": "a test"},
             {"id": "bd-2", "title": "Epic", "status": "open", "issue_type": "epic"}]
            """)
        let checked = ValidatedManifest(source, promptTemplate: (name: "t", text: "{{id}}: {{title}}. Done when {{acceptance_criteria}}."))
        let graph = try #require(checked.graph)
        #expect(graph.tickets.map(\.recipe) == [.prompt("bd-1: Fix it. Done when a test."), .none])
    }

    @Test func aDamagedLineOfAStoreIsAnErrorAtItsPlace() {
        let (_, problems) = check("""
            {"id": "bd-1", "status": "open", "issue_type": "task"}
            {"id": "bd-2", "status": "open", "issue_type": "task"
            """)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("2:") == true, "\(problems)")
    }

    @Test func theRealBeadsStoreLoadsAsItsStatusesSay() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        let (graph, problems) = check(text)
        #expect(problems.allSatisfy { $0.contains("warning: ") }, "\(problems.filter { !$0.contains("warning") })")
        let records = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let graphValue = try #require(graph)
        #expect(graphValue.count == records.count)
        // Independently of parrun: which records are held back, directly or through the store's links.
        let status = Dictionary(uniqueKeysWithValues: records.map { ($0["id"] as! String, $0["status"] as! String) })
        var heldIDs = Set(status.filter { ["in_progress", "blocked", "deferred", "hooked", "pinned"].contains($0.value) }.keys)
        var changed = true
        while changed {
            changed = false
            for record in records {
                let id = record["id"] as! String
                guard !heldIDs.contains(id), status[id] != "closed" else { continue }
                for link in record["dependencies"] as? [[String: Any]] ?? [] {
                    let target = link["depends_on_id"] as! String
                    let type = link["type"] as! String
                    if heldIDs.contains(target) && ["blocks", "conditional-blocks", "waits-for", "parent-child"].contains(type) && status[target] != "closed" {
                        heldIDs.insert(id)
                        changed = true
                        break
                    }
                }
            }
        }
        let (plan, held) = try plan(text)
        #expect(Set(held.indices.filter { held[$0] != nil }.map { graphValue.tickets[$0].id }) == heldIDs)
        let expectedRuns = records.filter { $0["status"] as! String != "closed" && !heldIDs.contains($0["id"] as! String) }.count
        #expect(plan.ticketsToRun == expectedRuns)
        let done = records.filter { $0["status"] as! String == "closed" }.count
        #expect(plan.graph.tickets.filter(\.isDone).count == done)
        #expect(PlanPrinter(plan: plan, manifestName: "s").summary().hasPrefix("tickets \(records.count) (\(expectedRuns) to run, \(done) done, \(heldIDs.count) held back)"))
        // One warning per link that orders work (or holds a child back) and points outside the store.
        let ids = Set(status.keys)
        let dangling = records.flatMap { $0["dependencies"] as? [[String: Any]] ?? [] }.filter { link in
            ["blocks", "conditional-blocks", "waits-for", "parent-child"].contains(link["type"] as! String) && !ids.contains(link["depends_on_id"] as! String)
        }
        #expect(dangling.count > 0, "the fixture should keep some links to issues outside it")
        #expect(problems.count == min(dangling.count, DiagnosticList.defaultLimit), "\(problems)")
        #expect(problems.allSatisfy { $0.contains("which is not in this store; the dependency is ignored") })
    }

    @Test func taskFilesAndTicketIndexesUseTheirOwnWords() throws {
        let tasks = #"""
            {"tasks": [
              {"id": "t1", "status": "completed", "priority": "high"},
              {"id": "t2", "status": "pending", "priority": "background", "dependsOn": ["t1"], "run": "true"},
              {"id": "t3", "status": "in-progress", "priority": "medium", "run": "true"},
              {"id": "t4", "status": "failed", "priority": "low", "run": "true"}
            ]}
            """#
        let taskTickets = tickets(tasks)
        #expect(taskTickets.map(\.priority) == [0, 3, 1, 2])
        #expect(taskTickets.map(\.isDone) == [true, false, false, false])
        let index = #"""
            {"version": 1, "tickets": [
              {"id": "T-1", "title": "First", "state": "COMPLETED", "priority": "P0"},
              {"id": "T-2", "title": "Second", "state": "UNPROCESSED", "priority": "P3", "dependencies": ["T-1"]},
              {"id": "T-3", "title": "Later", "state": "DEFERRED", "priority": "p1"}
            ]}
            """#
        let indexTickets = tickets(index)
        #expect(indexTickets.map(\.priority) == [0, 3, 1])
        #expect(indexTickets.map(\.isDone) == [true, false, false])
        #expect(indexTickets[1].dependencies.map(\.id) == ["T-1"])
    }

    @Test func storesAreFoundWithoutNamingThemAndStateStaysInTheProject() throws {
        let text = try String(contentsOf: Self.fixture, encoding: .utf8)
        let directory = try CLITests.directory([".beads/issues.jsonl": text])
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITests.run(["-n", "--summary"], in: directory)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.hasPrefix("tickets 250 ("), "\(plan.stdout)")
        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("has a recipe, so they succeed without doing anything"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/journal.jsonl").path))
        #expect(RunCommand.manifestDirectory(for: ".beads/issues.jsonl") == ".")
        #expect(RunCommand.manifestDirectory(for: "/p/.sage/tickets/index.json") == "/p")
        #expect(RunCommand.manifestDirectory(for: "x/.specs/tasks/tasks.json") == "x")
        #expect(RunCommand.manifestDirectory(for: "x/tickets.json") == "x")
    }
}
