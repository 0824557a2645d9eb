import Testing
@testable import ParrunCore
@testable import ParrunModel

/// The scheduler's side of working beside another parrun on one run: tickets
/// another process claimed, and what it reports back. Pure, no processes.
@Suite struct SchedulerElsewhereTests {
    /// a -> b, and c alone; -j2.
    private func scheduler(policy: Scheduler.FailurePolicy = .init()) throws -> (Scheduler, TicketGraph) {
        let graph = try validGraph(lines("a:", "    true", "b: a", "    true", "c:", "    true"))
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 0))
        return (Scheduler(plan: plan, policy: policy), graph)
    }

    private func ids(_ started: [(ticket: Int, worker: Int)], _ graph: TicketGraph) -> [String] {
        started.map { graph.tickets[$0.ticket].id }.sorted()
    }

    @Test func aTicketRunningElsewhereFreesItsSlotAndHoldsItsDependents() throws {
        var (scheduler, graph) = try scheduler()
        #expect(ids(scheduler.start(), graph) == ["a", "c"])
        scheduler.runsElsewhere(0)
        #expect(scheduler.states[0] == .elsewhere)
        #expect(scheduler.runningCount == 1)
        scheduler.succeeded(2)
        #expect(scheduler.start().isEmpty, "b waits for a, which another process runs")
        #expect(!scheduler.isDone, "b still waits on a")
        let changed = scheduler.succeededElsewhere(0)
        #expect(changed)
        #expect(ids(scheduler.start(), graph) == ["b"])
        scheduler.succeeded(1)
        #expect(scheduler.isDone)
    }

    @Test func newsOfASuccessAlsoSettlesWaitingAndReadyTickets() throws {
        var (scheduler, graph) = try scheduler()
        // Before anything starts here: c (ready) and b (waiting) finished elsewhere.
        let settled = [scheduler.succeededElsewhere(2), scheduler.succeededElsewhere(1), scheduler.succeededElsewhere(1)]
        #expect(settled == [true, true, false], "the second news of b changes nothing")
        #expect(ids(scheduler.start(), graph) == ["a"])
        scheduler.succeeded(0)
        #expect(scheduler.start().isEmpty)
        #expect(scheduler.isDone)
    }

    @Test func aFailureElsewhereSkipsDependentsAndStopsWithoutKeepGoing() throws {
        var (scheduler, graph) = try scheduler(policy: .init(keepGoing: true))
        _ = scheduler.start()
        scheduler.runsElsewhere(0)
        let skipped = scheduler.failedElsewhere(0)
        #expect(skipped == [1])
        #expect(scheduler.states[1] == .skipped(dependency: 0, cause: 0))
        #expect(!scheduler.isStopped)
        scheduler.succeeded(2)
        #expect(scheduler.isDone)
        _ = graph

        var (strict, _) = try self.scheduler()
        _ = strict.start()
        strict.runsElsewhere(0)
        strict.failedElsewhere(0)
        #expect(strict.isStopped)
    }

    @Test func aTicketLetGoByTheOtherProcessRunsHere() throws {
        var (scheduler, graph) = try scheduler()
        _ = scheduler.start()
        scheduler.runsElsewhere(0)
        scheduler.returnFromElsewhere(0)
        #expect(scheduler.states[0] == .ready)
        #expect(ids(scheduler.start(), graph) == ["a"])
    }

    @Test func withNothingWaitingOnThemTicketsElsewhereDoNotKeepTheRunGoing() throws {
        let graph = try validGraph(lines("a:", "    true", "c:", "    true"))
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 0))
        var scheduler = Scheduler(plan: plan)
        _ = scheduler.start()
        scheduler.runsElsewhere(0)
        scheduler.succeeded(1)
        #expect(scheduler.isDone, "the other process finishes a; nothing here needs it")
    }
}
