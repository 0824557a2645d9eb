import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// What `--resume` reruns and why, and how runs chain: pure, from records.
@Suite struct ResumeDecisionTests {
    /// a -> b -> c, d alone, e marked done in the manifest.
    private let text = lines(
        "a:", "    true", "b: a", "    true", "c: b", "    true", "d:", "    true", "e:", "    @status done", "    true")
    private let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")

    private func start(_ id: String, run: String = "r1", recipe: String? = nil, attempt: Int = 1) -> JournalRecord {
        .start(.init(run: run, id: id, attempt: attempt, recipe: recipe ?? "h" + id, process: owner, owner: owner, worker: 0, time: 1))
    }

    private func end(_ id: String, _ status: String = "succeeded", run: String = "r1", attempt: Int = 1) -> JournalRecord {
        .end(.init(run: run, id: id, attempt: attempt, status: status, exitCode: nil, signal: nil, seconds: 1, time: 2))
    }

    private func decide(_ records: [JournalRecord], chain: [String] = ["r1"]) throws -> [String: String] {
        let graph = try validGraph(text)
        let states = RunHistory(records).ticketStates(chain: chain)
        let decision = ResumeDecision(graph: graph, recipeHashes: graph.tickets.map { "h" + $0.id }, states: states)
        var reasons: [String: String] = [:]
        for (index, ticket) in graph.tickets.enumerated() {
            #expect(decision.runs[index] == (decision.reasons[index] != nil))
            if let reason = decision.reasons[index] { reasons[ticket.id] = reason.description }
        }
        return reasons
    }

    @Test func succeededTicketsWithTheSameRecipeAreSkipped() throws {
        let all = ["a", "b", "c", "d"].flatMap { [start($0), end($0)] }
        #expect(try decide(all) == [:])
    }

    @Test func eachUnfinishedTicketSaysWhy() throws {
        let records = [start("a"), end("a"), start("b"), start("d"), end("d", "timed-out")]
        #expect(try decide(records) == ["b": "interrupted", "c": "new", "d": "timed-out"])
        #expect(try decide([start("a"), end("a", "failed"), end("b", "skipped", attempt: 0)])
            == ["a": "failed", "b": "skipped", "c": "new", "d": "new"])
    }

    @Test func aRerunInvalidatesEverythingDownstream() throws {
        let records = [start("a", recipe: "old"), end("a"), start("b"), end("b"), start("c"), end("c"), start("d"), end("d")]
        #expect(try decide(records) == ["a": "recipe changed", "b": "dependency a reruns", "c": "dependency b reruns"])
    }

    @Test func laterRunsOfTheChainWin() throws {
        let records = [start("a"), end("a", "failed"), start("a", run: "r2", attempt: 2), end("a", run: "r2", attempt: 2),
                       start("b", run: "r2"), end("b", run: "r2"), start("c"), end("c"), start("d"), end("d")]
        #expect(try decide(records, chain: ["r1", "r2"]) == [:])
        #expect(try decide(records, chain: ["r1"])["a"] == "failed", "without r2, a's failure stands")
    }

    /// A ticket killed while landing in r1, then again in r2 before r2 recorded
    /// that the work had landed: both runs may hold its landing, so both are asked about.
    @Test func everyRunThatStartedATicketSinceItLastEndedIsOpen() {
        func start(_ run: String, time: Double) -> JournalRecord {
            .start(.init(run: run, id: "a", attempt: 1, recipe: "ha", process: owner, owner: owner, worker: 0, time: time))
        }
        let killedTwice = RunHistory([start("r1", time: 1), start("r2", time: 2)]).ticketStates(chain: ["r1", "r2"])
        #expect(killedTwice["a"]?.openRuns == ["r1", "r2"])
        let endedInR2 = RunHistory([start("r1", time: 1), start("r2", time: 2), end("a", run: "r2")]).ticketStates(chain: ["r1", "r2"])
        #expect(endedInR2["a"]?.openRuns == [])
        let reopened = RunHistory([start("r1", time: 1), end("a", "failed", run: "r1"), start("r2", time: 3)]).ticketStates(chain: ["r1", "r2"])
        #expect(reopened["a"]?.openRuns == ["r2"], "a run before its last end does not count")
    }

    @Test func chainsFollowResumesAndSurviveALoop() {
        func run(_ id: String, resumes: String?, joined: Bool = false) -> JournalRecord {
            .run(.init(run: id, manifest: "/m", manifestHash: "", jobs: 1, owner: owner, time: 0, resumes: resumes, joined: joined))
        }
        let history = RunHistory([run("r1", resumes: nil), run("r2", resumes: "r1"), run("r2", resumes: nil, joined: true), run("r3", resumes: "r2")])
        #expect(history.chain(endingAt: "r3") == ["r1", "r2", "r3"])
        #expect(history.latestRun(manifest: "/m")?.run == "r3")
        #expect(history.latestRun(manifest: "/other") == nil)
        let looped = RunHistory([run("x", resumes: "y"), run("y", resumes: "x")])
        #expect(looped.chain(endingAt: "x") == ["y", "x"])
    }

    @Test func aRunIsLiveWhileAnOwnerRunsWithoutARunEnd() {
        let other = ProcessIdentity(pid: 2, startTicks: 1, host: "h")
        let records: [JournalRecord] = [
            .run(.init(run: "r", manifest: "/m", manifestHash: "", jobs: 1, owner: owner, time: 0, resumes: nil, joined: false)),
            .run(.init(run: "r", manifest: "/m", manifestHash: "", jobs: 1, owner: other, time: 0, resumes: nil, joined: true)),
            .runEnd(.init(run: "r", status: "failed", owner: owner, time: 1)),
        ]
        let history = RunHistory(records)
        #expect(history.isLive("r") { $0 == other })
        #expect(!history.isLive("r") { $0 == owner }, "the owner that ended does not count")
        #expect(!history.finishedSuccessfully("r"))
        #expect(history.owners(of: "r") == [owner, other])
    }
}

@Suite struct InterruptedSessionTests {
    private let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")

    private func session(after status: String, retry: Bool) -> String? {
        let records: [JournalRecord] = [
            .start(.init(run: "r1", id: "p", attempt: 1, recipe: "h", process: owner, owner: owner, worker: 0, time: 1, session: "s1")),
            .session(.init(run: "r1", id: "p", attempt: 1, session: "s1", time: 1.5)),
            .end(.init(run: "r1", id: "p", attempt: 1, status: status, exitCode: nil, signal: nil, seconds: 1, time: 2, retry: retry)),
        ]
        return RunHistory(records).ticketStates(chain: ["r1"])["p"]?.interruptedSession
    }

    @Test func aRunStoppedWhileARateLimitedTicketWaitedContinuesItsSession() {
        #expect(session(after: "rate-limited", retry: true) == "s1", "the retry would have continued it")
        #expect(session(after: "timed-out", retry: true) == "s1")
        #expect(session(after: "interrupted", retry: false) == "s1")
        #expect(session(after: "failed", retry: true) == nil, "a failed attempt's retry starts afresh")
        #expect(session(after: "rate-limited", retry: false) == nil, "out of retries: it failed for good")
    }
}
