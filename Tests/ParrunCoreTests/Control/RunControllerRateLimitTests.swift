import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Rate limits an agent's CLI retries itself (`rateLimitSeen`, from its
/// `api_retry` events) on the simulated clock: the agent limit goes down once
/// per burst and up again after the quiet period; the attempt goes on.
@Suite struct RunControllerRateLimitTests {
    private typealias Behaviour = ControllerSimulation.Behaviour

    private func limits(_ run: ControllerSimulation) -> [Int] {
        run.reports.compactMap { if case .agentLimit(let limit, _, _) = $0 { limit } else { nil } }
    }

    @Test func aBurstOfRetriedRateLimitsLowersTheLimitOnceAndFailsNoTicket() throws {
        var options = RunOptions()
        options.agentLimitQuiet = 10
        var run = try ControllerSimulation(lines("pool claude = 4", "a:", "    > one", "b:", "    > two", "c:", "    > three", "d:", "    > four"), jobs: 4, options: options)
        run.behaviours = ["a": [Behaviour(seconds: 30)], "b": [Behaviour(seconds: 30)], "c": [Behaviour(seconds: 30)], "d": [Behaviour(seconds: 30)]]
        // Two CLIs retry, twice each, within a few seconds.
        run.rateLimitSignals = [(1, "a", 0.5), (1.5, "a", 1.2), (2, "b", 0.5), (3, "b", 1.1)]
        let result = run.run()
        #expect(limits(run) == [2, 3, 4], "lowered once (4 -> 2), then raised a quiet period after the last signal, and again")
        for id in ["a", "b", "c", "d"] {
            #expect(run.starts(of: id) == [0], "\(id) ran once: the CLI retried, parrun did not")
            #expect(run.status(result, id) == .succeeded)
        }
        #expect(result.exitCode == 0)
        #expect(result.limitWaits.rateLimitSignals == 4)
        #expect(result.limitWaits.agentLimitLowered == 1 && result.limitWaits.lowestAgentLimit == 2)
        #expect(result.limitWaits.rateLimited == 0, "no back-off of parrun's")
        let seen = run.reports.compactMap { if case .rateLimitSeen(let signal, let limit, let configured) = $0 { (signal.ticket, limit, configured) } else { nil } }
        #expect(seen.map(\.0) == [0, 0, 1, 1])
        #expect(seen.allSatisfy { $0.1 == 2 && $0.2 == 4 }, "each says the limit in force after it")
    }

    @Test func theLoweredLimitHoldsBackNewAgentsUntilAQuietPeriodRaisesIt() throws {
        var options = RunOptions()
        options.agentLimitQuiet = 10
        var run = try ControllerSimulation(lines("pool claude = 2", "a:", "    > one", "b:", "    > two", "c:", "    > three"), jobs: 3, options: options)
        run.behaviours = ["a": [Behaviour(seconds: 5)], "b": [Behaviour(seconds: 50)]]
        run.rateLimitSignals = [(1, "a", 0.5), (2, "a", 1)]
        let result = run.run()
        #expect(limits(run) == [1, 2])
        // a ended at 5, but b holds the one slot: c waits for the raise, 10 s after the last signal.
        #expect(run.starts(of: "c") == [12])
        #expect(result.exitCode == 0)
    }

    @Test func rateLimitsThatGoOnPastAQuietPeriodLowerTheLimitAgain() throws {
        var options = RunOptions()
        options.agentLimitQuiet = 10
        var run = try ControllerSimulation(lines("pool claude = 8", "a:", "    > one"), jobs: 1, options: options)
        run.behaviours = ["a": [Behaviour(seconds: 40)]]
        run.rateLimitSignals = (0..<12).map { (1 + Double($0) * 2, "a", 2) }
        _ = run.run()
        // Lowered at 1, 11 and 21; the signals between restart the quiet period.
        #expect(limits(run).prefix(3) == [4, 2, 1])
        #expect(run.status(run.controller.result(wallSeconds: 0), "a") == .succeeded)
    }
}
