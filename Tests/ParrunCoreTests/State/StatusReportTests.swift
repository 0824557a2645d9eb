import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// What `parrun status` shows, built from journal records without a process.
@Suite struct StatusReportTests {
    private let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")

    private func report(_ records: [JournalRecord]) throws -> StatusReport {
        let graph = try validGraph(lines("a:", "    true", "b:", "    true", "c:", "    true"))
        let run = JournalRecord.run(.init(run: "r1", manifest: "/m", manifestHash: "", jobs: 3, owner: owner, time: 0, resumes: nil, joined: false))
        return StatusReport(graph: graph, history: RunHistory([run] + records), manifestPath: "/m", now: 10, isRunning: { _ in true })
    }

    private func start(_ id: String) -> JournalRecord {
        .start(.init(run: "r1", id: id, attempt: 1, recipe: "h", process: owner, owner: owner, worker: 0, time: 1))
    }

    private func job(_ id: String, _ job: String) -> JournalRecord {
        .slurmJob(.init(run: "r1", id: id, attempt: 1, job: job, time: 1))
    }

    private func review(_ id: String, approved: Bool, reason: String? = nil) -> JournalRecord {
        .review(.init(run: "r1", id: id, approved: approved, reason: reason, time: 3))
    }

    @Test func workAwaitingReviewShowsTheDecisionMadeOnIt() throws {
        func awaiting(_ id: String) -> [JournalRecord] {
            [start(id), .end(.init(run: "r1", id: id, attempt: 1, status: "awaiting-review", exitCode: 0, signal: nil, seconds: 1, time: 2))]
        }
        let status = try report(awaiting("a") + awaiting("b") + awaiting("c")
            + [review("a", approved: true), review("b", approved: false, reason: "too slow")])
        #expect(status.entries.map(\.state) == [.awaitingReview, .awaitingReview, .awaitingReview], "a decision waits for --resume")
        #expect(status.entries.map { $0.review?.approved } == [true, false, nil])
        #expect(status.entries[1].review?.reason == "too slow")
    }

    @Test func slurmJobsOfFinishedAndRunningTicketsAndQueuedState() throws {
        let ended = JournalRecord.end(.init(run: "r1", id: "a", attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 1, time: 2))
        var status = try report([start("a"), job("a", "7"), ended, start("b"), job("b", "8"), start("c"), job("c", "9")])
        #expect(status.hasRunningSlurmJobs)
        status.addSlurmStates(["b": "queued", "c": "running", "a": "running"])
        #expect(status.entries.map(\.state) == [.succeeded, .queued, .running])
        #expect(status.entries.map(\.slurmJob) == ["7", "8", "9"])
        #expect(status.entries.map(\.slurmState) == [nil, "queued", "running"], "only running tickets take squeue's state")
        #expect(try !report([start("a"), ended]).hasRunningSlurmJobs)
    }
}
