import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// A run of a store with held-back issues: they never run, so they neither count
/// as succeeded nor leave the run unfinished.
@Suite struct HeldBackRunTests {
    /// `blocked` and what waits for it, a `deferred` epic and its child, and two issues that run.
    static let store = [
        beadsIssue("bd-1"),
        beadsIssue("bd-2", status: "blocked"),
        beadsIssue("bd-3", links: [("bd-2", "blocks")]),
        beadsIssue("bd-4", status: "deferred", type: "epic"),
        beadsIssue("bd-5", links: [("bd-4", "parent-child")]),
        beadsIssue("bd-6"),
    ].joined(separator: "\n") + "\n"

    @Test func statusCallsTheRunFinishedAndShowsTheHeldBackIssues() throws {
        let directory = try CLITests.directory([".beads/issues.jsonl": Self.store])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q"], in: directory).status == 0)
        let status = try CLITests.run(["status"], in: directory)
        #expect(status.status == 0, "\(status.stderr)")
        let lines = status.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasSuffix(": finished; 4 held back, not run (`parrun -n` says why)") == true, "\(status.stdout)")
        #expect(lines.contains { $0.hasPrefix("  bd-3  held-back") && $0.hasSuffix("depends on bd-2 (status blocked)") }, "\(status.stdout)")
        #expect(lines.last == "total: 6 tickets: 2 succeeded, 4 held-back", "\(status.stdout)")
        let json = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let totals = try #require(object["totals"] as? [String: Int])
        #expect(totals["held-back"] == 4 && totals["pending"] == 0 && totals["succeeded"] == 2, "\(totals)")
    }

    @Test func resumeDoesNotCountHeldBackIssuesAsSucceeded() throws {
        let directory = try CLITests.directory([".beads/issues.jsonl": Self.store])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q"], in: directory).status == 0)
        let resume = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(resume.stderr.contains(": 2 already succeeded, 0 to run"), "\(resume.stderr)")
    }

    @Test func theResumeDecisionCountsOnlyTicketsThatSucceeded() throws {
        let graph = try validGraph(Self.store + beadsIssue("bd-7", status: "closed"))
        let hashes = graph.tickets.map { _ in "h" }
        let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")
        let records: [JournalRecord] = ["bd-1", "bd-6"].flatMap { id -> [JournalRecord] in
            [.start(.init(run: "r", id: id, attempt: 1, recipe: "h", process: owner, owner: owner, worker: 0, time: 1)),
             .end(.init(run: "r", id: id, attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 1, time: 2))]
        }
        let states = RunHistory(records).ticketStates(chain: ["r"])
        let decision = ResumeDecision(graph: graph, recipeHashes: hashes, states: states)
        #expect(decision.runs.allSatisfy { !$0 })
        #expect(decision.alreadySucceeded == 2)
    }
}
