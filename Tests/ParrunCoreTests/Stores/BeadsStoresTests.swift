import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel

/// Beads issues: what each status and each link type means to a run.
@Suite struct BeadsStoresTests {
    @Test(arguments: ["in_progress", "blocked", "deferred", "hooked", "pinned"])
    func aHeldStatusHoldsBackTheIssueAndEverythingWaitingForIt(status: String) throws {
        let store = [
            beadsIssue("a", status: status),
            beadsIssue("b", links: [("a", "blocks")]),
            beadsIssue("c", links: [("b", "blocks")]),
            beadsIssue("d"),
        ].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan) == ["d"])
        #expect(heldByID(plan, held) == [
            "a": "status \(status)",
            "b": "depends on a (status \(status))",
            "c": "depends on b, held back by a (status \(status))",
        ])
    }

    @Test func openRunsClosedIsDoneAndStatusesIgnoreCase() throws {
        let store = [
            beadsIssue("open1"),
            beadsIssue("closed1", status: "closed"),
            beadsIssue("shouted", status: "BLOCKED"),
            beadsIssue("after-closed", links: [("closed1", "blocks")]),
        ].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan) == ["open1", "after-closed"])
        #expect(plan.graph.tickets.map(\.isDone) == [false, true, false, false])
        #expect(heldByID(plan, held) == ["shouted": "status blocked"])
    }

    @Test func aTombstoneIsADeletedIssueThatIsDoneAndNeverRuns() throws {
        let store = [
            beadsIssue("deleted", status: "tombstone"),
            beadsIssue("live"),
            beadsIssue("after", links: [("deleted", "blocks")]),
        ].joined(separator: "\n")
        let (checked, problems) = check(store)
        #expect(problems.isEmpty, "\(problems)")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan) == ["live", "after"])
        #expect(try #require(checked).tickets.map(\.isDone) == [true, false, false])
        #expect(heldByID(plan, held).isEmpty)
        #expect(PlanPrinter(plan: plan, manifestName: "s").summary().hasPrefix("tickets 3 (2 to run, 1 done)"))
    }

    @Test func reviewIsABeadsStatusThatHoldsBack() throws {
        let (plan, held) = try storePlan([beadsIssue("a", status: "review"), beadsIssue("b")].joined(separator: "\n"))
        #expect(idsToRun(plan) == ["b"])
        #expect(heldByID(plan, held) == ["a": "status review"])
    }

    @Test func anUnknownStatusIsAWarningAtItsPlaceAndHoldsTheIssueBack() throws {
        let store = [
            beadsIssue("odd", status: "wontfix"),
            beadsIssue("after", links: [("odd", "blocks")]),
            beadsIssue("free"),
        ].joined(separator: "\n")
        let (_, problems) = check(store)
        #expect(problems == ["1:47: warning: 'odd' has status 'wontfix', which parrun does not know; it is held back, not run, with everything that waits for it"])
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan) == ["free"])
        #expect(heldByID(plan, held) == ["odd": "unknown status wontfix", "after": "depends on odd (unknown status wontfix)"])
    }

    @Test func graphsCountAndDrawHeldBackIssuesApartFromDoneOnes() throws {
        let store = [
            beadsIssue("done", status: "closed"),
            beadsIssue("held", status: "blocked"),
            beadsIssue("after", links: [("held", "blocks")]),
            beadsIssue("free"),
        ].joined(separator: "\n")
        let (plan, _) = try storePlan(store)
        #expect(plan.counts.done == 1)
        #expect(plan.counts.heldBack == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(GraphFormat.json.render(plan, manifestName: "s").utf8)) as? [String: Any])
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(counts["toRun"] == 1 && counts["done"] == 1 && counts["heldBack"] == 2, "\(counts)")
        let tickets = try #require(json["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["heldBack"] as? String } == [nil, "status blocked", "depends on held (status blocked)", nil])
        let dot = GraphFormat.dot.render(plan, manifestName: "s")
        #expect(dot.contains("\"done\" [label=\"done\\nIssue done\", style=\"rounded,dashed\", color=gray50, fontcolor=gray50];"), "\(dot)")
        #expect(dot.contains("\"held\" [label=\"held\\nIssue held\", style=\"rounded,dotted\", color=darkorange3, fontcolor=darkorange3];"), "\(dot)")
        let mermaid = GraphFormat.mermaid.render(plan, manifestName: "s")
        #expect(mermaid.contains("  class t0 done\n"), "\(mermaid)")
        #expect(mermaid.contains("  class t1,t2 held\n"), "\(mermaid)")
    }

    @Test func aClosedIssueIsDoneEvenWhenItWaitsForAHeldOne() throws {
        let store = [beadsIssue("a", status: "blocked"), beadsIssue("b", status: "closed", links: [("a", "blocks")])].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan).isEmpty)
        #expect(heldByID(plan, held) == ["a": "status blocked"])
    }

    @Test(arguments: ["blocks", "conditional-blocks", "waits-for"])
    func anOrderingLinkMakesTheIssueWait(type: String) throws {
        let store = [beadsIssue("first"), beadsIssue("second", links: [("first", type)])].joined(separator: "\n")
        let (plan, _) = try storePlan(store)
        #expect(plan.graph.tickets[1].dependencies.map(\.id) == ["first"])
        #expect(plan.waves.waves.map { $0.map { plan.graph.tickets[$0].id } } == [["first"], ["second"]])
    }

    @Test(arguments: ["related", "discovered-from", "relates-to", "duplicates", "supersedes", "tracks"])
    func aLinkThatIsNotAnOrderNeverOrdersWorkNorHoldsBack(type: String) throws {
        let store = [beadsIssue("held", status: "blocked"), beadsIssue("free", links: [("held", type)])].joined(separator: "\n")
        let (checked, problems) = check(store)
        #expect(problems.isEmpty, "\(problems)")
        let (plan, held) = try storePlan(store)
        #expect(try #require(checked).tickets[1].dependencies.isEmpty)
        #expect(idsToRun(plan) == ["free"])
        #expect(heldByID(plan, held) == ["held": "status blocked"])
    }

    @Test func aLinkWithoutATypeBlocksAndAnUnknownTypeIsAWarning() throws {
        let store = """
            {"id": "a", "status": "open", "issue_type": "task"}
            {"id": "b", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "b", "depends_on_id": "a"}]}
            {"id": "c", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "c", "depends_on_id": "a", "type": "block"}]}
            """
        let (graph, problems) = check(store)
        #expect(problems == ["3:118: warning: 'c' has a link of unknown type 'block'; it does not order work"])
        #expect(try #require(graph).tickets.map { $0.dependencies.map(\.id) } == [[], ["a"], []])
    }

    @Test func aChildRunsFreelyUnderAnOpenParent() throws {
        let store = [beadsIssue("epic", type: "epic"), beadsIssue("child", links: [("epic", "parent-child")])].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(plan.graph.tickets[1].dependencies.isEmpty, "parent-child orders nothing")
        #expect(plan.waves.waves.count == 1)
        #expect(held == [nil, nil])
    }

    @Test func aChildIsHeldBackWithItsParentHoweverTheParentIsHeld() throws {
        let store = [
            beadsIssue("blocker", status: "blocked"),
            beadsIssue("held-epic", status: "deferred", type: "epic"),
            beadsIssue("waiting-epic", type: "epic", links: [("blocker", "blocks")]),
            beadsIssue("child1", links: [("held-epic", "parent-child")]),
            beadsIssue("child2", links: [("waiting-epic", "parent-child")]),
            beadsIssue("grandchild", links: [("child1", "parent-child")]),
            beadsIssue("after-child", links: [("child1", "blocks")]),
            beadsIssue("done-child", status: "closed", links: [("held-epic", "parent-child")]),
        ].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan).isEmpty)
        #expect(heldByID(plan, held) == [
            "blocker": "status blocked",
            "held-epic": "status deferred",
            "waiting-epic": "depends on blocker (status blocked)",
            "child1": "parent held-epic (status deferred)",
            "child2": "parent waiting-epic, held back by blocker (status blocked)",
            "grandchild": "parent child1 (parent held-epic (status deferred))",
            "after-child": "depends on child1 (parent held-epic (status deferred))",
        ])
    }

    @Test func theDryRunListsHeldBackIssuesWithTheirReasons() throws {
        let store = [
            beadsIssue("bd-1", status: "closed", priority: 1),
            beadsIssue("bd-2", priority: 1, links: [("bd-1", "blocks")]),
            beadsIssue("bd-3", status: "blocked", type: "bug", priority: 0),
            beadsIssue("bd-4", links: [("bd-3", "blocks")]),
            beadsIssue("bd-5", links: [("bd-4", "blocks")]),
        ].joined(separator: "\n")
        let (plan, _) = try storePlan(store)
        let text = PlanPrinter(plan: plan, manifestName: "issues.jsonl").dryRun()
        let expected = """
            Plan for issues.jsonl: 1 of 5 tickets to run

            wave 1 (1 ticket)
              bd-2  none    prio 1   after bd-1  # Issue bd-2

            already done (1): bd-1

            held back, not run (3):
              bd-3  status blocked
              bd-4  depends on bd-3 (status blocked)
              bd-5  depends on bd-4, held back by bd-3 (status blocked)

            critical path (1 ticket): bd-2
            tickets 5 (1 to run, 1 done, 3 held back)  edges 3  waves 1  widest wave 1 (wave 1)  critical path 1

            """
        #expect(text.hasPrefix(expected), "\(text)")
        #expect(PlanPrinter(plan: plan, manifestName: "s").summary().hasPrefix("tickets 5 (1 to run, 1 done, 3 held back)"))
    }

    @Test func aStoreWithNothingHeldBackPrintsNoHeldBackSection() throws {
        let (plan, _) = try storePlan([beadsIssue("a"), beadsIssue("b", status: "closed")].joined(separator: "\n"))
        let text = PlanPrinter(plan: plan, manifestName: "s").dryRun()
        #expect(!text.contains("held back"), "\(text)")
        #expect(text.contains("tickets 2 (1 to run, 1 done)  edges"), "\(text)")
    }

    @Test func priorityZeroRunsFirstWithinAWave() throws {
        let store = [beadsIssue("low", priority: 4), beadsIssue("urgent", priority: 0), beadsIssue("normal", priority: 2)].joined(separator: "\n")
        let (plan, _) = try storePlan(store)
        #expect(plan.graph.tickets.map(\.priority) == [4, 0, 2])
        let text = PlanPrinter(plan: plan, manifestName: "s").dryRun()
        let order = ["urgent", "normal", "low"].map { id in text.range(of: "  \(id) ")!.lowerBound }
        #expect(order == order.sorted(), "\(text)")
    }

    @Test func anEpicIsAGroupThatIsNeverRunAndThePlanSaysSo() throws {
        let store = [beadsIssue("epic", type: "epic"), beadsIssue("task", links: [("epic", "parent-child")])].joined(separator: "\n")
        let (plan, _) = try storePlan(store)
        #expect(plan.graph.tickets.map(\.isGroup) == [true, false])
        let text = PlanPrinter(plan: plan, manifestName: "s").dryRun()
        #expect(text.contains("  epic  group   prio 2"), "\(text)")
        #expect(text.contains("  task  none    prio 2"), "\(text)")
    }

    @Test func everyFieldOfAnIssueIsKeptForTemplates() throws {
        let store = #"{"id": "bd-1", "title": "T", "description": "D", "acceptance_criteria": "A", "issue_type": "bug", "status": "open", "labels": ["x"], "design": "G"}"#
        let ticket = try #require(tickets(store).first)
        #expect(ticket.title == "T" && ticket.description == "D" && ticket.status == "open")
        #expect(ticket.recipe == .none, "beads issues have no recipe of their own")
        #expect(ticket.field("acceptance_criteria")?.stringValue == "A")
        #expect(ticket.field("issue_type")?.stringValue == "bug")
        #expect(ticket.field("design")?.stringValue == "G")
        #expect(ticket.field("labels")?.arrayValue?.count == 1)
    }

    @Test func aLinkBelongsToTheIssueItsIssueIDNames() throws {
        // Written on "a", but the link says "b" waits for "a".
        let store = """
            {"id": "a", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "b", "depends_on_id": "a", "type": "blocks"}]}
            {"id": "b", "status": "open", "issue_type": "task"}
            """
        let (graph, problems) = check(store)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try #require(graph).tickets.map { $0.dependencies.map(\.id) } == [[], ["a"]])
    }

    @Test func linksToOrFromIssuesOutsideTheStoreAreWarningsAtTheirPlace() throws {
        let store = """
            {"id": "a", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "a", "depends_on_id": "gone", "type": "blocks"}]}
            {"id": "b", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "elsewhere", "depends_on_id": "a", "type": "blocks"}]}
            {"id": "c", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "c", "depends_on_id": "lost-epic", "type": "parent-child"}]}
            """
        let (graph, problems) = check(store)
        #expect(problems == [
            "1:105: warning: 'a' depends on 'gone', which is not in this store; the dependency is ignored",
            "2:83: warning: a link written on 'b' belongs to 'elsewhere', which is not in this store; the link is ignored",
            "3:105: warning: 'c' depends on 'lost-epic', which is not in this store; the dependency is ignored",
        ])
        #expect(try #require(graph).tickets.allSatisfy(\.dependencies.isEmpty))
        let (plan, _) = try storePlan(store)
        #expect(idsToRun(plan) == ["a", "b", "c"], "a missing issue blocks nothing")
    }

    @Test func aCycleOfBlockingLinksIsAnErrorAtTheLink() {
        let store = [beadsIssue("a", links: [("b", "blocks")]), beadsIssue("b", links: [("a", "waits-for")])].joined(separator: "\n")
        let (graph, problems) = check(store)
        #expect(graph == nil)
        #expect(problems.contains { $0.contains("error: ") && $0.contains("cycle") }, "\(problems)")
    }

    @Test func aParentCycleEndsAndHoldsBackOnlyWhatAHeldIssueReaches() throws {
        let store = [
            beadsIssue("x", status: "blocked"),
            beadsIssue("p", links: [("q", "parent-child"), ("x", "parent-child")]),
            beadsIssue("q", links: [("p", "parent-child")]),
            beadsIssue("r", links: [("s", "parent-child")]),
            beadsIssue("s", links: [("r", "parent-child")]),
        ].joined(separator: "\n")
        let (plan, held) = try storePlan(store)
        #expect(idsToRun(plan) == ["r", "s"])
        #expect(heldByID(plan, held) == ["x": "status blocked", "p": "parent x (status blocked)", "q": "parent p (parent x (status blocked))"])
    }

    @Test(arguments: [
        (#"{"id": "a", "issue_type": "task", "dependencies": "b"}"#, "1:51: error:"),
        (#"{"id": "a", "issue_type": "task", "dependencies": [{"issue_id": "a"}]}"#, "1:52: error:"),
        (#"{"id": "a", "issue_type": "task", "dependencies": [{"depends_on_id": 7}]}"#, "1:70: error:"),
        ("{\"id\": \"a\", \"issue_type\": \"task\"}\n[1, 2]", "2:1: error:"),
        ("{\"id\": \"a\", \"issue_type\": \"task\"}\n{\"title\": \"no id\"}", "2:1: error:"),
        ("{\"id\": \"a\", \"issue_type\": \"task\"}\n{\"id\": \"a b\", \"issue_type\": \"task\"}", "2:8: error:"),
        ("{\"id\": \"a\", \"issue_type\": \"task\"}\n{\"id\": \"b\", \"priority\": \"soon\"}", "2:25: error:"),
    ])
    func badRecordsAreErrorsAtTheirPlace(store: String, place: String) {
        let (graph, problems) = check(store)
        #expect(graph == nil)
        #expect(problems.contains { $0.hasPrefix(place) }, "\(problems)")
    }
}
