import Glibc
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// The run's decisions on a fake launcher and a simulated clock: each scenario
/// is a list of events in and actions out, in microseconds, no processes.
@Suite struct RunControllerTests {
    private typealias Behaviour = ControllerSimulation.Behaviour

    @Test func aTimeoutSendsTermThenKillAfterTheGrace() throws {
        var options = RunOptions()
        options.gracePeriod = 2
        var run = try ControllerSimulation(lines("polite:", "    @timeout 1s", "    x", "stubborn:", "    @timeout 1s", "    x"), jobs: 2, options: options)
        run.behaviours = ["polite": [Behaviour(seconds: 10)], "stubborn": [Behaviour(seconds: 10, ignoresTerm: true)]]
        let result = run.run()
        #expect(run.entries.contains(.terminate("polite", at: 1)))
        #expect(run.ends(of: "polite") == [1])
        #expect(run.entries.contains(.terminate("stubborn", at: 1)))
        #expect(run.entries.contains(.kill("stubborn", at: 3)), "SIGKILL once the 2 s grace is over")
        #expect(run.ends(of: "stubborn") == [3])
        #expect(run.status(result, "polite") == .timedOut && run.status(result, "stubborn") == .timedOut)
        #expect(result.exitCode == 1)
    }

    @Test func retriesWaitABackOffWithinTheJitterBounds() throws {
        var options = RunOptions()
        options.retryDelay = 1
        for seed in UInt64(1)...40 {
            var run = try ControllerSimulation(lines("flaky:", "    @retries 2", "    x"), jobs: 1, options: options, seed: seed)
            run.behaviours = ["flaky": [Behaviour(seconds: 1, outcome: .failed(.exited(1))), Behaviour(seconds: 1, outcome: .failed(.exited(1))), Behaviour(seconds: 1)]]
            let result = run.run()
            let starts = run.starts(of: "flaky"), ends = run.ends(of: "flaky")
            #expect(starts.count == 3)
            // base * 2^(n-1), times a factor in [0.5, 1.5).
            #expect((0.5..<1.5).contains(starts[1] - ends[0]), "seed \(seed): first back-off \(starts[1] - ends[0])")
            #expect((1.0..<3.0).contains(starts[2] - ends[1]), "seed \(seed): second back-off \(starts[2] - ends[1])")
            #expect(run.status(result, "flaky") == .succeeded && result.exitCode == 0)
        }
    }

    @Test func withoutKeepGoingAFailureStartsNothingNewButRunningTicketsFinish() throws {
        var run = try ControllerSimulation(lines("bad:", "    x", "long:", "    x", "later:", "    x"), jobs: 2)
        run.behaviours = ["bad": [Behaviour(seconds: 1, outcome: .failed(.exited(2)))], "long": [Behaviour(seconds: 5)]]
        let result = run.run()
        #expect(run.ends(of: "long") == [5], "not stopped")
        #expect(run.starts(of: "later").isEmpty)
        #expect(run.status(result, "later") == .notStarted && run.status(result, "bad") == .failed)
        #expect(result.exitCode == 1)
    }

    @Test func keepGoingRunsWhatDoesNotDependOnTheFailureAndSkipsTheRest() throws {
        var options = RunOptions()
        options.policy = .init(keepGoing: true)
        var run = try ControllerSimulation(lines("bad:", "    x", "child: bad", "    x", "grandchild: child", "    x", "other:", "    x"), jobs: 1, options: options)
        run.behaviours = ["bad": [Behaviour(outcome: .failed(.exited(1)))]]
        let result = run.run()
        #expect(run.status(result, "other") == .succeeded)
        #expect(run.status(result, "child") == .skipped(dependency: 0, cause: 0))
        #expect(run.status(result, "grandchild") == .skipped(dependency: 1, cause: 0))
        #expect(run.reports.contains { if case .ticketSkipped(2, 1, 0) = $0 { true } else { false } })
    }

    @Test func maxFailuresStopsStartingEvenWithKeepGoing() throws {
        var options = RunOptions()
        options.policy = .init(keepGoing: true, maxFailures: 2)
        var run = try ControllerSimulation(lines("a:", "    x", "b:", "    x", "c:", "    x", "d:", "    x"), jobs: 1, options: options)
        run.behaviours = ["a": [Behaviour(outcome: .failed(.exited(1)))], "b": [Behaviour(outcome: .failed(.exited(1)))]]
        let result = run.run()
        #expect(run.starts(of: "c").isEmpty && run.starts(of: "d").isEmpty)
        #expect(result.exitCode == 1)
    }

    @Test func failFastStopsTheRunningTicketsAtOnce() throws {
        var options = RunOptions()
        options.failFast = true
        options.gracePeriod = 3
        var run = try ControllerSimulation(lines("bad:", "    x", "long:", "    x", "stubborn:", "    x"), jobs: 3, options: options)
        run.behaviours = ["bad": [Behaviour(seconds: 1, outcome: .failed(.exited(1)))], "long": [Behaviour(seconds: 50)], "stubborn": [Behaviour(seconds: 50, ignoresTerm: true)]]
        let result = run.run()
        #expect(run.entries.contains(.terminate("long", at: 1)) && run.ends(of: "long") == [1])
        #expect(run.entries.contains(.kill("stubborn", at: 4)))
        #expect(run.status(result, "long") == .interrupted)
        #expect(result.interruptedBy == nil && result.exitCode == 1)
    }

    @Test func aPoolLimitsItsTicketsAndTouchesKeepOverlappingTicketsApart() throws {
        var run = try ControllerSimulation(lines("pool git = 1", "a:", "    @pool git", "    x", "b:", "    @pool git", "    x", "c:", "    @pool git", "    x", "free:", "    x"), jobs: 4)
        _ = run.run()
        for (first, second) in [("a", "b"), ("a", "c"), ("b", "c")] {
            let overlap = run.starts(of: first)[0] < run.ends(of: second)[0] && run.starts(of: second)[0] < run.ends(of: first)[0]
            #expect(!overlap, "\(first) and \(second) share pool git (limit 1)")
        }
        #expect(run.starts(of: "free") == [0])

        var touching = try ControllerSimulation(lines("x:", "    @touches src/**", "    x", "y:", "    @touches src/a.c", "    x", "z:", "    @touches docs/**", "    x"), jobs: 3)
        _ = touching.run()
        #expect(touching.starts(of: "x") == [0] && touching.starts(of: "z") == [0])
        #expect(touching.starts(of: "y") == [1], "y waits for x, whose paths overlap its own")
    }

    @Test func aSignalDuringSetUpStartsNothingAndExitsWithItsCode() throws {
        var run = try ControllerSimulation(lines("a:", "    x", "b: a", "    x"), jobs: 2)
        run.signals = [(0, SIGINT)]
        let result = run.run()
        #expect(run.entries.isEmpty, "nothing started: \(run.entries)")
        #expect(result.exitCode == 130 && run.status(result, "a") == .notStarted)

        // A signal while a handed-out ticket is being set up: it does not start.
        var controller = try ControllerSimulation(lines("a:", "    x"), jobs: 1).controller
        let actions = controller.handle(.begin, now: 0, wallNow: 0)
        guard case .start(let ticket, _)? = actions.first else { Issue.record("no start: \(actions)"); return }
        _ = controller.beginAttempt(ticket)
        _ = controller.handle(.signal(SIGTERM), now: 0.1, wallNow: 0.1)
        _ = controller.handle(.notStarted(ticket: ticket, attemptBegun: true), now: 0.2, wallNow: 0.2)
        #expect(controller.isDone)
        let result2 = controller.result(wallSeconds: 0.2)
        #expect(result2.records[ticket].attempts == 0 && result2.records[ticket].status == .notStarted)
        #expect(result2.exitCode == 143)
    }

    @Test func aSecondSignalKillsWithoutGrace() throws {
        var options = RunOptions()
        options.gracePeriod = 60
        var run = try ControllerSimulation(lines("stubborn:", "    x"), jobs: 1, options: options)
        run.behaviours = ["stubborn": [Behaviour(seconds: 100, ignoresTerm: true)]]
        run.signals = [(1, SIGINT), (2, SIGINT)]
        let result = run.run()
        #expect(run.entries.contains(.terminate("stubborn", at: 1)))
        #expect(run.entries.contains(.kill("stubborn", at: 2)))
        #expect(run.ends(of: "stubborn") == [2] && result.exitCode == 130)
        #expect(run.status(result, "stubborn") == .interrupted)
    }

    @Test func aSignalCancelsAWaitingRetry() throws {
        var options = RunOptions()
        options.retryDelay = 10
        var run = try ControllerSimulation(lines("flaky:", "    @retries 3", "    x"), jobs: 1, options: options)
        run.behaviours = ["flaky": [Behaviour(seconds: 1, outcome: .failed(.exited(1)))]]
        run.signals = [(2, SIGINT)]
        let result = run.run()
        #expect(run.starts(of: "flaky") == [0])
        #expect(run.reports.contains { if case .retryCancelled = $0 { true } else { false } })
        #expect(run.status(result, "flaky") == .interrupted && result.exitCode == 130)
    }

    @Test func aFailedVerifyGoesBackToTheAgentAsOftenAsItsVerifyRetriesAllow() throws {
        var run = try ControllerSimulation(lines("agent:", "    @verify test -f done", "    @verifyRetries 2", "    > do it"), jobs: 1)
        run.behaviours = ["agent": [Behaviour(gatePasses: false)]]
        let result = run.run()
        #expect(run.starts(of: "agent").count == 3, "the first attempt and two feedback rounds: \(run.entries)")
        #expect(run.entries.filter { if case .feedBack = $0 { true } else { false } }.count == 2, "\(run.entries)")
        #expect(run.status(result, "agent") == .failed)
        #expect(result.records[0].verifyRuns == 3 && result.records[0].verifyFailures == 3)
    }

    @Test func anotherTicketsFailureDoesNotCutAnAgentsFeedbackRoundsShort() throws {
        var run = try ControllerSimulation(lines(
            "agent:", "    @verify test -f done", "    @verifyRetries 2", "    > do it",
            "bad:", "    @retries 0", "    x",
            "later: bad", "    x",
            "waiting:", "    x"), jobs: 1)
        run.behaviours = [
            "agent": [Behaviour(seconds: 2, gatePasses: false), Behaviour(seconds: 2, gatePasses: true)],
            "bad": [Behaviour(seconds: 1, outcome: .failed(.exited(1)))],
        ]
        let result = run.run()
        #expect(run.starts(of: "agent") == [0, 2.5], "its second round starts at once after the failed gate: \(run.entries)")
        #expect(run.status(result, "agent") == .succeeded)
        #expect(run.starts(of: "waiting").isEmpty, "without -k nothing new starts after bad failed: \(run.entries)")
        #expect(run.status(result, "bad") == .failed && result.exitCode == 1)
    }

    @Test func ctrlCStopsAFeedbackRound() throws {
        var run = try ControllerSimulation(lines("agent:", "    @verify test -f done", "    @verifyRetries 2", "    > do it"), jobs: 1)
        run.behaviours = ["agent": [Behaviour(seconds: 2, gatePasses: false)]]
        run.signals = [(2.2, SIGINT)]
        let result = run.run()
        #expect(run.starts(of: "agent") == [0], "\(run.entries)")
        #expect(result.exitCode == 130)
    }

    /// Precedence: the ticket's own value, then the command line, then `defaults`.
    @Test func theCommandLineWinsOverDefaultsButNotOverATicketsOwnValue() throws {
        let manifest = #"{"defaults": {"timeout": "10s", "retries": 3}, "tickets": [{"id": "inherits", "run": "x"}, {"id": "own", "run": "x", "timeout": "4s", "retries": 0}]}"#
        var options = RunOptions()
        options.defaultTimeout = 2
        options.commandLineRetries = 1
        options.defaultRetries = 1
        options.retryDelay = 0.1
        options.policy = .init(keepGoing: true)
        var run = try ControllerSimulation(manifest, jobs: 2, options: options)
        run.behaviours = ["inherits": [Behaviour(seconds: 30)], "own": [Behaviour(seconds: 30)]]
        let result = run.run()
        #expect(run.entries.contains(.terminate("inherits", at: 2)), "--timeout 2s, not the default 10s: \(run.entries)")
        #expect(run.entries.contains(.terminate("own", at: 4)), "its own 4s: \(run.entries)")
        #expect(run.starts(of: "inherits").count == 2, "--retries 1, not the default 3")
        #expect(run.starts(of: "own").count == 1, "its own retries 0")
        #expect(result.exitCode == 1)

        var plain = try ControllerSimulation(manifest, jobs: 2, options: { var o = RunOptions(); o.retryDelay = 0.1; o.policy = .init(keepGoing: true); return o }())
        plain.behaviours = run.behaviours
        _ = plain.run()
        #expect(plain.entries.contains(.terminate("inherits", at: 10)) && plain.starts(of: "inherits").count == 4, "without flags, the defaults: \(plain.starts(of: "inherits")) \(plain.entries)")
    }

    /// The runner could not start the gate (a spawn that failed): the ticket
    /// fails saying so; no verdict is recorded, since no gate ran.
    @Test func aGateThatCouldNotStartFailsTheTicket() throws {
        let run = try ControllerSimulation(lines("build:", "    @verify true", "    x", "use: build", "    x"), jobs: 1)
        var controller = run.controller
        #expect(controller.handle(.begin, now: 0, wallNow: 0).contains { if case .start(0, _) = $0 { true } else { false } })
        _ = controller.beginAttempt(0)
        _ = controller.handle(.launched(ticket: 0), now: 0, wallNow: 0)
        var ending = RunController.Ending(ticket: 0, attempt: 1, worker: 0, outcome: .succeeded, seconds: 1, stats: nil)
        ending.fromRecipe = true
        let asked = controller.handle(.ended(ending), now: 1, wallNow: 1)
        #expect(asked.contains { if case .verify(0) = $0 { true } else { false } }, "\(asked)")
        let actions = controller.handle(.verifyEnded(ticket: 0, .couldNotStart("posix_spawn: Resource temporarily unavailable")), now: 1, wallNow: 1)
        let recorded = actions.compactMap { if case .recordEnded(0, _, let outcome, _, _, _) = $0 { outcome } else { nil } }
        #expect(recorded == [.verifyFailed("could not start: posix_spawn: Resource temporarily unavailable")], "\(actions)")
        #expect(!actions.contains { if case .recordVerified = $0 { true } else { false } })
        #expect(!actions.contains { if case .start = $0 { true } else { false } }, "its dependent does not start")
        let result = controller.result(wallSeconds: 1)
        #expect(result.records[0].status == .failed && result.records[0].verifyRuns == 0 && result.exitCode == 1)
    }

    @Test func aVerifyGateRunsAfterASuccessfulRecipeAndItsTimeCounts() throws {
        var run = try ControllerSimulation(lines("build:", "    @verify test -f out", "    x", "use: build", "    x"), jobs: 1)
        run.behaviours = ["build": [Behaviour(seconds: 1, gateSeconds: 2)]]
        let result = run.run()
        #expect(run.entries.contains(.verifyStart("build", at: 1)) && run.entries.contains(.verified("build", passed: true, at: 3)), "\(run.entries)")
        #expect(run.starts(of: "use") == [3], "the dependent waits for the gate: \(run.entries)")
        #expect(result.records[0].seconds == 3, "recipe and gate")
        #expect(result.exitCode == 0)
    }

    @Test func aFailedGateFailsAShellTicketForGoodAndSkipsItsDependents() throws {
        var run = try ControllerSimulation(lines("build:", "    @verify false", "    @retries 1", "    x", "use: build", "    x"), jobs: 1)
        run.behaviours = ["build": [Behaviour(gatePasses: false)]]
        let result = run.run()
        #expect(run.starts(of: "build").count == 1, "the same recipe would fail its gate again: \(run.entries)")
        #expect(!run.entries.contains { if case .feedBack = $0 { true } else { false } }, "a shell ticket has no agent to tell")
        #expect(run.outcomes.map(\.outcome) == [.verifyFailed("exit 1")], "\(run.outcomes)")
        #expect(run.status(result, "build") == .failed && run.starts(of: "use").isEmpty)
        #expect(result.exitCode == 1)
    }

    @Test func aGateThatOutlivesTheTicketsTimeoutIsStoppedAndTheTicketTimesOut() throws {
        var run = try ControllerSimulation(lines("build:", "    @timeout 2s", "    @verify sleep 9", "    x"), jobs: 1)
        run.behaviours = ["build": [Behaviour(seconds: 1, gateSeconds: 10)]]
        let result = run.run()
        #expect(run.entries.contains(.terminate("build", at: 3)), "the gate's own clock: 2 s from its start: \(run.entries)")
        #expect(run.status(result, "build") == .timedOut)
    }

    @Test func ctrlCDuringAGateGivesNoVerdictAndAGateDoesNotStartOnceStopping() throws {
        var run = try ControllerSimulation(lines("a:", "    @verify true", "    x", "b:", "    @verify true", "    x"), jobs: 2, options: RunOptions())
        run.behaviours = ["a": [Behaviour(seconds: 1, gateSeconds: 5)], "b": [Behaviour(seconds: 2, ignoresTerm: true)]]
        run.signals = [(1.5, SIGINT)]
        let result = run.run()
        #expect(!run.entries.contains { if case .verified("a", _, _) = $0 { true } else { false } } || result.records[0].verifyRuns == 0, "no verdict recorded for a: \(run.entries)")
        #expect(result.records[0].verifyRuns == 0)
        #expect(!run.entries.contains(.verifyStart("b", at: 2)), "b's recipe ended after Ctrl-C: its gate never starts: \(run.entries)")
        #expect(run.status(result, "a") == .interrupted && run.status(result, "b") == .interrupted)
        #expect(result.exitCode == 130)
    }

    @Test func reviewHoldsTheDependentsAndExitsThree() throws {
        var run = try ControllerSimulation(lines("work:", "    @review", "    x", "after: work", "    x", "other:", "    x"), jobs: 1)
        let result = run.run()
        #expect(run.entries.contains(.heldForReview("work", at: 1)), "\(run.entries)")
        #expect(run.starts(of: "after").isEmpty && run.starts(of: "other") == [1])
        #expect(run.status(result, "work") == .awaitingReview)
        #expect(result.exitCode == ExitCode.awaitingReview.rawValue)
    }

    @Test func workThatTurnsOutToBeNothingIsNotLeftForReview() throws {
        var options = RunOptions()
        options.defaultRetries = 1
        var run = try ControllerSimulation(lines("work:", "    @review", "    x", "after: work", "    x", "other:", "    @review", "    x"), jobs: 1, options: options)
        run.nothingToReview = ["work"]
        let result = run.run()
        #expect(run.status(result, "work") == .noChange, "\(run.outcomes)")
        #expect(run.outcomes.filter { $0.id == "work" }.map(\.outcome) == [.noChange, .noChange], "retried once, like a landing that found no change")
        #expect(run.starts(of: "after").isEmpty, "its dependent is skipped")
        #expect(run.status(result, "other") == .awaitingReview)
        #expect(result.noChange == 1 && result.exitCode == 1, "a failure outranks work awaiting review")
    }

    @Test func anApprovedTicketSucceedsWithoutReviewAndItsDependentsRun() throws {
        var run = try ControllerSimulation(lines("work:", "    @review", "    x", "after: work", "    x"), jobs: 1)
        run.approved = ["work"]
        let result = run.run()
        #expect(!run.entries.contains { if case .heldForReview = $0 { true } else { false } }, "\(run.entries) \(run.outcomes) \(result.records)")
        #expect(run.status(result, "after") == .succeeded && result.exitCode == 0)
    }

    @Test func aReviewTicketIsHeldOnlyAfterItsGatePasses() throws {
        var run = try ControllerSimulation(lines("work:", "    @review", "    @verify true", "    x"), jobs: 1)
        run.behaviours = ["work": [Behaviour(seconds: 1, gateSeconds: 1)]]
        let result = run.run()
        #expect(run.entries.contains(.heldForReview("work", at: 2)), "\(run.entries)")
        #expect(run.status(result, "work") == .awaitingReview)
    }

    @Test func aLandingsConflictIsRerunOnceOnlyWhenAskedAndOneFoundWithoutLandingNever() throws {
        for rerun in [false, true] {
            var options = RunOptions()
            options.rerunOnConflict = rerun
            var run = try ControllerSimulation(lines("edit:", "    x"), jobs: 1, options: options)
            run.behaviours = ["edit": [Behaviour(seconds: 1, landing: (1, .conflict(["a.txt"])))]]
            let result = run.run()
            #expect(run.starts(of: "edit").count == (rerun ? 2 : 1))
            #expect(run.status(result, "edit") == .failed)
        }
        // Kept work found mid-rebase at set-up ends as a conflict with no landing: the user's to finish.
        var options = RunOptions()
        options.rerunOnConflict = true
        var run = try ControllerSimulation(lines("edit:", "    x"), jobs: 1, options: options)
        run.behaviours = ["edit": [Behaviour(outcome: .conflict(["a.txt"]))]]
        _ = run.run()
        #expect(run.starts(of: "edit").count == 1)
    }

    @Test func theBudgetStopsPromptTicketsButNotShellTickets() throws {
        var options = RunOptions()
        options.maxCostUSD = 1.0
        var run = try ControllerSimulation(lines("a:", "    > one", "b: a", "    > two", "shell: a", "    x"), jobs: 1, options: options)
        var costly = AgentStats()
        costly.costUSD = 1.5
        run.behaviours = ["a": [Behaviour(stats: costly)]]
        let result = run.run()
        #expect(run.starts(of: "b").isEmpty)
        #expect(run.starts(of: "shell") == [1])
        #expect(result.costLimitReached && run.status(result, "b") == .notStarted)
        #expect(run.reports.contains { if case .notice(let text) = $0 { text.contains("--max-cost $1.00 reached") } else { false } })
    }

    @Test func aRateLimitLowersTheAgentLimitAndRetriesWithoutUsingARetry() throws {
        var run = try ControllerSimulation(lines("pool claude = 2", "a:", "    > one", "b:", "    > two", "c:", "    > three"), jobs: 3)
        run.behaviours = ["a": [Behaviour(seconds: 1, outcome: .rateLimited("429")), Behaviour(seconds: 1)]]
        let result = run.run()
        #expect(run.reports.contains { if case .agentLimit(1, 2, .claude) = $0 { true } else { false } })
        #expect(run.starts(of: "a").count == 2)
        #expect(run.status(result, "a") == .succeeded && result.exitCode == 0)
    }
}
