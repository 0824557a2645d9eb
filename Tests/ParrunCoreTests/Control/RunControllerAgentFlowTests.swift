import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Continuations of agent sessions out of turns, and agents that changed
/// nothing, on the simulated clock.
@Suite struct RunControllerAgentFlowTests {
    private typealias Behaviour = ControllerSimulation.Behaviour

    private func feedBacks(_ run: ControllerSimulation) -> Int {
        run.entries.filter { if case .feedBack = $0 { true } else { false } }.count
    }

    @Test func aSessionOutOfTurnsContinuesAtOnceWithoutUsingARetry() throws {
        var run = try ControllerSimulation(lines("agent:", "    @retries 0", "    > do it"), jobs: 1)
        run.behaviours = ["agent": [Behaviour(seconds: 2, outcome: .outOfTurns("ran out of turns")), Behaviour(seconds: 1)]]
        let result = run.run()
        #expect(run.starts(of: "agent") == [0, 2], "the continuation starts at once, in its slot: \(run.entries)")
        #expect(feedBacks(run) == 1, "the continuation prompt goes to its session: \(run.entries)")
        #expect(run.status(result, "agent") == .succeeded && result.exitCode == 0)
        #expect(result.records[0].continuations == 1)
        let continuing = run.reports.contains {
            if case .ticketEnded(_, 1, _, .outOfTurns, _, 0?, _) = $0 { true } else { false }
        }
        #expect(continuing, "the end of the first attempt says another follows: \(run.reports)")
    }

    @Test func continuationsAreBoundedPerTicketThenItFails() throws {
        var run = try ControllerSimulation(lines(
            "agent:", "    @continuations 2", "    > do it",
            "after: agent", "    x"), jobs: 1)
        run.behaviours = ["agent": [Behaviour(seconds: 1, outcome: .outOfTurns("ran out of turns"))]]
        let result = run.run()
        #expect(run.starts(of: "agent") == [0, 1, 2], "the first attempt and two continuations: \(run.entries)")
        #expect(feedBacks(run) == 2)
        #expect(run.status(result, "agent") == .failed && result.records[0].continuations == 2)
        #expect(result.records[0].lastOutcome == .outOfTurns("ran out of turns"))
        #expect(run.status(result, "after") == .skipped(dependency: 0, cause: 0) && result.exitCode == 1)
    }

    @Test func aRetryAfterTheContinuationsStartsAfreshAfterItsBackOff() throws {
        var run = try ControllerSimulation(lines("agent:", "    @continuations 1", "    @retries 1", "    > do it"), jobs: 1)
        run.behaviours = ["agent": [
            Behaviour(seconds: 1, outcome: .outOfTurns("ran out of turns")), Behaviour(seconds: 1, outcome: .outOfTurns("ran out of turns")),
            Behaviour(seconds: 1),
        ]]
        let result = run.run()
        let starts = run.starts(of: "agent")
        #expect(starts.count == 3 && starts.prefix(2) == [0, 1], "\(run.entries)")
        #expect((starts.last ?? 0) > 2, "the ordinary retry waits its back-off: \(starts)")
        #expect(feedBacks(run) == 1, "no continuation prompt for a fresh attempt: \(run.entries)")
        #expect(run.status(result, "agent") == .succeeded)
    }

    @Test func anotherTicketsFailureLetsAContinuationGoOnButNotAnOrdinaryRetry() throws {
        var run = try ControllerSimulation(lines(
            "agent:", "    @continuations 1", "    @retries 3", "    > do it",
            "bad:", "    @retries 0", "    x"), jobs: 2)
        run.behaviours = [
            "agent": [Behaviour(seconds: 2, outcome: .outOfTurns("ran out of turns"))],
            "bad": [Behaviour(seconds: 1, outcome: .failed(.exited(1)))],
        ]
        let result = run.run()
        #expect(run.starts(of: "agent") == [0, 2], "the continuation, then no retry once the run stopped starting: \(run.entries)")
        #expect(run.status(result, "agent") == .failed && run.status(result, "bad") == .failed)
        #expect(result.exitCode == 1)
    }

    @Test func aShellTicketOutOfTurnsHasNoSessionToContinue() throws {
        // Only the runner's prepared continuation makes a round: without one, ordinary retries apply.
        var run = try ControllerSimulation(lines("sh:", "    @retries 0", "    x"), jobs: 1)
        run.behaviours = ["sh": [Behaviour(outcome: .outOfTurns("ran out of turns"))]]
        let result = run.run()
        #expect(run.starts(of: "sh") == [0] && feedBacks(run) == 0)
        #expect(run.status(result, "sh") == .failed)
    }

    @Test func anAgentThatChangedNothingEndsNoChangeAndItsDependentsAreSkipped() throws {
        var run = try ControllerSimulation(lines("idle:", "    @retries 0", "    > look around", "next: idle", "    x"), jobs: 1)
        run.behaviours = ["idle": [Behaviour(landing: (0.1, .noChange))]]
        let result = run.run()
        #expect(run.status(result, "idle") == .noChange)
        #expect(result.noChange == 1 && result.failed == 0 && result.exitCode == 1)
        #expect(run.status(result, "next") == .skipped(dependency: 0, cause: 0))
        #expect(run.outcomes.map(\.outcome) == [.noChange])
    }
}
