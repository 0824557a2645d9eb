import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// What a running attempt's output and its launcher tell the controller: the
/// session its agent named (`sessionNamed`) and Slurm's state of its job
/// (`jobChanged`). The controller turns them into journal records and
/// reports, for the attempt that is running only.
@Suite struct RunControllerAttemptNewsTests {
    /// A controller with `a` started and launched (attempt 1), and `b` waiting behind it at -j1.
    private func running() throws -> (RunController, a: Int, b: Int) {
        let manifest = lines("a:", "    > do a", "b:", "    > do b")
        let graph = try validGraph(manifest)
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: graph.count), pools: [])
        var controller = RunController(plan: plan, options: RunOptions(), random: SeededGenerator(seed: 1))
        let a = try #require(graph.indexByID["a"])
        let b = try #require(graph.indexByID["b"])
        let begun = controller.handle(.begin, now: 0, wallNow: 0)
        #expect(begun.contains { if case .start(a, _) = $0 { true } else { false } })
        #expect(controller.beginAttempt(a) == 1)
        _ = controller.handle(.launched(ticket: a), now: 0, wallNow: 0)
        return (controller, a, b)
    }

    private func ending(_ ticket: Int, attempt: Int = 1) -> RunController.Ending {
        RunController.Ending(ticket: ticket, attempt: attempt, worker: 0, outcome: .succeeded, seconds: 1, stats: nil)
    }

    @Test func aSessionNamedByTheRunningAttemptIsRecorded() throws {
        var (controller, a, _) = try running()
        let actions = controller.handle(.sessionNamed(ticket: a, attempt: 1, session: "s-1"), now: 1, wallNow: 1)
        #expect(actions.count == 1)
        guard case .recordSession(a, 1, "s-1")? = actions.first else {
            Issue.record("expected the session's record, got \(actions)")
            return
        }
    }

    @Test func aSessionNamedForAnAttemptThatIsNotRunningIsNotRecorded() throws {
        var (controller, a, b) = try running()
        #expect(controller.handle(.sessionNamed(ticket: a, attempt: 2, session: "s-2"), now: 1, wallNow: 1).isEmpty, "attempt 2 never began")
        #expect(controller.handle(.sessionNamed(ticket: b, attempt: 1, session: "s-b"), now: 1, wallNow: 1).isEmpty, "b has not started")
        _ = controller.handle(.ended(ending(a)), now: 2, wallNow: 2)
        #expect(controller.handle(.sessionNamed(ticket: a, attempt: 1, session: "s-1"), now: 3, wallNow: 3).isEmpty, "a has ended")
    }

    @Test func aNewJobIsRecordedAndEveryChangeOfItsStateReported() throws {
        var (controller, a, _) = try running()
        let queued = controller.handle(.jobChanged(JobChange(ticket: a, attempt: 1, job: "41", state: "queued", isNewJob: true)), now: 1, wallNow: 1)
        #expect(queued.count == 2)
        guard case .recordJob(a, 1, "41")? = queued.first, case .report(.ticketSlurm(a, "41", "queued"))? = queued.last else {
            Issue.record("expected the job's record, then its report, got \(queued)")
            return
        }
        let started = controller.handle(.jobChanged(JobChange(ticket: a, attempt: 1, job: "41", state: "running", isNewJob: false)), now: 2, wallNow: 2)
        #expect(started.count == 1, "a known job is not recorded again")
        guard case .report(.ticketSlurm(a, "41", "running"))? = started.first else {
            Issue.record("expected the state's report, got \(started)")
            return
        }
    }

    @Test func aLateAnswerAboutAnEndedAttemptIsPastNews() throws {
        var (controller, a, _) = try running()
        _ = controller.handle(.ended(ending(a)), now: 2, wallNow: 2)
        // squeue was asked while a ran; its answer came after a ended.
        let late = controller.handle(.jobChanged(JobChange(ticket: a, attempt: 1, job: "41", state: "running", isNewJob: true)), now: 3, wallNow: 3)
        #expect(late.isEmpty, "no record or report of a job after its attempt's end: \(late)")
    }
}
