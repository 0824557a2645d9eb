import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// A codex ticket's start records name no session (codex names its thread
/// once it runs, in a session record): `--resume` still continues the thread
/// its last attempt reported, and each thread's totals are known, so a
/// continued thread's next attempt counts only what it adds.
@Suite struct CodexThreadHistoryTests {
    private let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")

    private func start(_ attempt: Int, run: String = "r1", session: String? = nil) -> JournalRecord {
        .start(.init(run: run, id: "x", attempt: attempt, recipe: "h", process: owner, owner: owner, worker: 0, time: Double(attempt * 10), session: session))
    }

    private func thread(_ attempt: Int, _ id: String, run: String = "r1") -> JournalRecord {
        .session(.init(run: run, id: "x", attempt: attempt, session: id, time: Double(attempt * 10 + 1)))
    }

    private func end(_ attempt: Int, _ status: String, retry: Bool = false, stats: AgentStats? = nil) -> JournalRecord {
        .end(.init(run: "r1", id: "x", attempt: attempt, status: status, exitCode: nil, signal: nil, seconds: 1, time: Double(attempt * 10 + 5), retry: retry, stats: stats))
    }

    @Test func anInterruptedCodexAttemptContinuesTheThreadItReported() {
        let state = RunHistory([start(1), thread(1, "T1")]).ticketStates(chain: ["r1"])["x"]
        #expect(state?.interruptedSession == "T1", "its parrun died after codex named the thread")
        let interrupted = RunHistory([start(1), thread(1, "T1"), end(1, "interrupted")]).ticketStates(chain: ["r1"])["x"]
        #expect(interrupted?.interruptedSession == "T1")
    }

    @Test func anAttemptKilledBeforeCodexNamedItsThreadHasNoThreadToContinue() {
        // Attempt 1 reported T1 and failed for good; attempt 2 died before codex said anything.
        let state = RunHistory([start(1), thread(1, "T1"), end(1, "failed", retry: true), start(2)]).ticketStates(chain: ["r1"])["x"]
        #expect(state?.isOpen == true)
        #expect(state?.interruptedSession == nil, "T1 belongs to an attempt that ended: attempt 2 starts afresh")
    }

    @Test func eachThreadsTotalsAreSummedFromItsAttempts() {
        let first = AgentStats(turns: 1, costUSD: 0.01, inputTokens: 40, outputTokens: 24, cacheReadTokens: 10, estimated: true)
        let second = AgentStats(turns: 1, costUSD: 0.01, inputTokens: 40, outputTokens: 24, cacheReadTokens: 10, estimated: true)
        let records = [start(1), thread(1, "T1"), end(1, "verify-failed", retry: true, stats: first),
                       start(2, session: "T1"), thread(2, "T1"), end(2, "succeeded", stats: second)]
        let state = RunHistory(records).ticketStates(chain: ["r1"])["x"]
        #expect(state?.sessionStats["T1"] == first + second)
        #expect(state?.stats == first + second)
    }
}
