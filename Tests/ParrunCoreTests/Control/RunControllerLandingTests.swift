import Glibc
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// `--worktree`: the controller's landing queue, on the simulated clock. A
/// success lands before it counts; landings go one at a time, in the order
/// tickets succeeded, while other tickets run on.
@Suite struct RunControllerLandingTests {
    private typealias Behaviour = ControllerSimulation.Behaviour

    @Test func landingsGoOneAtATimeInTheOrderTicketsSucceededWhileOthersRun() throws {
        var run = try ControllerSimulation(lines("a:", "    x", "b:", "    x", "c:", "    x", "d:", "    x"), jobs: 3)
        run.behaviours = [
            "a": [Behaviour(seconds: 2, landing: (3, nil))], "b": [Behaviour(seconds: 1, landing: (3, nil))],
            "c": [Behaviour(seconds: 10, landing: (1, nil))], "d": [Behaviour(seconds: 1, landing: (1, nil))],
        ]
        let result = run.run()
        let landings = run.entries.compactMap { if case .landStart(let id, let at) = $0 { "\(id)@\(at)" } else { nil } }
        // b ends at 1 and lands 1-4; a ended at 2 and waits its turn: 4-7; d
        // (started at 4) ends at 5 and waits for a: 7-8; c ends at 10.
        #expect(landings == ["b@1.0", "a@4.0", "d@7.0", "c@10.0"], "\(landings)")
        #expect(run.overlappingLandings == 0)
        // d's slot frees only once b has landed: a landing ticket still holds its slot.
        #expect(run.starts(of: "d") == [4])
        #expect(result.exitCode == 0 && ["a", "b", "c", "d"].allSatisfy { run.status(result, $0) == .succeeded })
    }

    @Test func aDependentStartsOnlyOnceItsDependencyLanded() throws {
        var run = try ControllerSimulation(lines("base:", "    x", "child: base", "    x"), jobs: 2)
        run.behaviours = ["base": [Behaviour(seconds: 1, landing: (5, nil))], "child": [Behaviour(seconds: 1, landing: (0, nil))]]
        _ = run.run()
        #expect(run.starts(of: "child") == [6])
    }

    @Test func aConflictFailsTheTicketAndSkipsItsDependentsUnlessRerunOnce() throws {
        for rerun in [false, true] {
            var options = RunOptions()
            options.policy = .init(keepGoing: true)
            options.rerunOnConflict = rerun
            var run = try ControllerSimulation(lines("edit:", "    x", "after: edit", "    x", "other:", "    x"), jobs: 2, options: options)
            run.behaviours = ["edit": [Behaviour(seconds: 1, landing: (1, .conflict(["a.txt"]))), Behaviour(seconds: 1, landing: (1, nil))]]
            let result = run.run()
            #expect(run.starts(of: "edit").count == (rerun ? 2 : 1))
            #expect(run.status(result, "edit") == (rerun ? .succeeded : .failed))
            let expected: TicketRecord.Status = rerun ? .succeeded : .skipped(dependency: 0, cause: 0)
            #expect(run.status(result, "after") == expected, "rerun \(rerun)")
            #expect(result.exitCode == (rerun ? 0 : 1))
        }
    }

    @Test func aSignalDuringALandingLetsItFinishAndStartsNothingNew() throws {
        var run = try ControllerSimulation(lines("a:", "    x", "b:", "    x", "c: a", "    x"), jobs: 2)
        run.behaviours = ["a": [Behaviour(seconds: 1, landing: (4, nil))], "b": [Behaviour(seconds: 10)]]
        run.signals = [(2, SIGINT)]
        let result = run.run()
        #expect(run.entries.contains(.landEnd("a", at: 5)), "the landing was not cut short by the controller")
        #expect(!run.entries.contains { if case .terminate("a", _) = $0 { true } else { false } }, "a landing has no process to stop")
        #expect(run.entries.contains(.terminate("b", at: 2)))
        #expect(run.starts(of: "c").isEmpty)
        #expect(run.status(result, "a") == .succeeded && run.status(result, "b") == .interrupted)
        #expect(result.exitCode == 130)
    }

    @Test func aTimeoutDoesNotFireDuringALanding() throws {
        var run = try ControllerSimulation(lines("slowland:", "    @timeout 2s", "    x"), jobs: 1)
        run.behaviours = ["slowland": [Behaviour(seconds: 1, landing: (10, nil))]]
        let result = run.run()
        #expect(!run.entries.contains { if case .terminate = $0 { true } else { false } })
        #expect(run.status(result, "slowland") == .succeeded)
    }

    @Test func aFailedLandingIsTheTicketsOutcome() throws {
        var run = try ControllerSimulation(lines("a:", "    x"), jobs: 1)
        run.behaviours = ["a": [Behaviour(seconds: 1, landing: (1, .landingFailed("git update-ref failed")))]]
        let result = run.run()
        #expect(run.entries.contains(.landEnd("a", at: 2)), "the recipe succeeded at 1, then landed")
        #expect(result.records[0].lastOutcome == .landingFailed("git update-ref failed"))
        #expect(run.status(result, "a") == .failed && result.exitCode == 1)
    }
}

/// The journal could not be written: the run stops as after Ctrl-C and says why.
@Suite struct RunControllerStateLossTests {
    @Test func aLostJournalStopsEverythingAndExitsFive() throws {
        var run = try ControllerSimulation(lines("a:", "    x", "b:", "    x", "c: a", "    x"), jobs: 2)
        run.behaviours = ["a": [ControllerSimulation.Behaviour(seconds: 1)], "b": [ControllerSimulation.Behaviour(seconds: 10)]]
        run.stateLostAt = 0.5
        let result = run.run()
        #expect(run.entries.contains(.terminate("b", at: 0.5)))
        #expect(run.starts(of: "c").isEmpty, "nothing starts once the journal is lost")
        #expect(result.stateFailure == "disk full")
        #expect(result.exitCode == 5)
        #expect(run.reports.contains { if case .stopping(nil, let reason) = $0 { reason.contains("disk full") } else { false } })
    }
}
