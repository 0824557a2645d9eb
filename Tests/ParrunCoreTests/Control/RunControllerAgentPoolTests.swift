import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// claude and codex tickets in one run, on the simulated clock: each agent
/// has a pool of its own (codex's default size apart from claude's), and one
/// agent's rate and usage limits throttle or pause only its own tickets.
@Suite struct RunControllerAgentPoolTests {
    private typealias Behaviour = ControllerSimulation.Behaviour

    private func manifest(claude: Int, codex: Int, settings: [String] = []) -> String {
        var text = settings
        for index in 0..<claude { text += ["c\(index):", "    > claude work \(index)"] }
        for index in 0..<codex { text += ["x\(index):", "    @agent codex", "    > codex work \(index)"] }
        return text.joined(separator: "\n") + "\n"
    }

    private func maxOverlap(_ run: ControllerSimulation, prefix: String, count: Int) -> Int {
        var events: [(Double, Int)] = []
        for index in 0..<count {
            let id = prefix + String(index)
            for (start, end) in zip(run.starts(of: id), run.ends(of: id)) { events += [(start, 1), (end, -1)] }
        }
        var running = 0
        var most = 0
        for (_, change) in events.sorted(by: { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }) {
            running += change
            most = max(most, running)
        }
        return most
    }

    @Test func eachAgentHasAPoolOfItsOwnWithItsOwnDefaultSize() throws {
        var run = try ControllerSimulation(manifest(claude: 5, codex: 5), jobs: 1)
        #expect(run.plan.slots(for: .codex) == AgentKind.codex.defaultSlots)
        #expect(run.plan.agentSlots == AgentKind.claude.defaultSlots + AgentKind.codex.defaultSlots)
        let result = run.run()
        #expect(result.exitCode == 0)
        #expect(maxOverlap(run, prefix: "c", count: 5) == 3, "claude's pool: 3 at once")
        #expect(maxOverlap(run, prefix: "x", count: 5) == 2, "codex's pool: 2 at once, beside claude's")
        #expect(run.maxRunning == 5)
    }

    @Test func aPoolNamedCodexSizesTheCodexTickets() throws {
        var run = try ControllerSimulation(manifest(claude: 2, codex: 4, settings: ["pool codex = 4"]), jobs: 1)
        _ = run.run()
        #expect(maxOverlap(run, prefix: "x", count: 4) == 4)
        #expect(maxOverlap(run, prefix: "c", count: 2) == 2)
    }

    @Test func aCodexRateLimitLowersOnlyTheCodexPool() throws {
        var options = RunOptions()
        options.agentLimitQuiet = 100
        var run = try ControllerSimulation(manifest(claude: 6, codex: 4, settings: ["pool claude = 3", "pool codex = 2"]), jobs: 1, options: options)
        for index in 0..<4 { run.behaviours["x\(index)"] = [Behaviour(seconds: 10)] }
        for index in 0..<6 { run.behaviours["c\(index)"] = [Behaviour(seconds: 10)] }
        run.rateLimitSignals = [(1, "x0", 1)]
        let result = run.run()
        #expect(result.exitCode == 0)
        let limits = run.reports.compactMap { if case .agentLimit(let limit, let configured, let agent) = $0 { "\(agent.rawValue) \(limit)/\(configured)" } else { nil } }
        #expect(limits.first == "codex 1/2", "\(limits)")
        #expect(!limits.contains { $0.hasPrefix("claude") }, "claude's pool untouched: \(limits)")
        #expect(maxOverlap(run, prefix: "c", count: 6) == 3, "claude tickets still run 3 at once")
        // x2 and x3 start one at a time after the lowering (x1 ended at 10 with x0).
        #expect(run.starts(of: "x2") == [10] && run.starts(of: "x3") == [20], "\(run.starts(of: "x2")) \(run.starts(of: "x3"))")
        let seen = run.reports.compactMap { if case .rateLimitSeen(let signal, let limit, let configured) = $0 { (signal.agent, limit, configured) } else { nil } }
        #expect(seen.count == 1 && seen[0].0 == .codex && seen[0].1 == 1 && seen[0].2 == 2)
    }

    @Test func aCodexUsageLimitPausesCodexTicketsOnlyUntilItResets() throws {
        var run = try ControllerSimulation(manifest(claude: 4, codex: 3, settings: ["pool claude = 1", "pool codex = 1"]), jobs: 1)
        // x0's first attempt hits the usage limit at 2 s; it resets at 60 s.
        run.behaviours["x0"] = [Behaviour(seconds: 2, outcome: .usageLimited(resetsAt: 60, "usage limit reached")), Behaviour(seconds: 1)]
        for index in 0..<4 { run.behaviours["c\(index)"] = [Behaviour(seconds: 5)] }
        let result = run.run()
        #expect(result.exitCode == 0)
        #expect(run.starts(of: "x0") == [0, 60], "retried when the limit reset")
        #expect(run.starts(of: "x1") == [61] && run.starts(of: "x2") == [62], "codex tickets waited for the reset")
        #expect(run.starts(of: "c1") == [5] && run.starts(of: "c2") == [10] && run.starts(of: "c3") == [15], "claude tickets went on meanwhile")
        let pauses = run.reports.compactMap { if case .agentsPaused(let until, _, let agent) = $0 { (until, agent) } else { nil } }
        #expect(pauses.count == 2 && pauses.allSatisfy { $0.1 == .codex } && pauses[0].0 == 60 && pauses[1].0 == nil, "\(pauses)")
        #expect(result.limitWaits.usageLimited == 1)
    }

    @Test func maxCostCountsBothAgents() throws {
        var options = RunOptions()
        options.maxCostUSD = 1
        var run = try ControllerSimulation(lines("c0:", "    > one", "x0:", "    @agent codex", "    > two", "c1: c0 x0", "    > three"), jobs: 1, options: options)
        run.behaviours["c0"] = [Behaviour(seconds: 1, stats: AgentStats(costUSD: 0.6))]
        run.behaviours["x0"] = [Behaviour(seconds: 2, stats: AgentStats(costUSD: 0.5, estimated: true))]
        run.behaviours["c1"] = [Behaviour(seconds: 1)]
        _ = run.run()
        #expect(run.starts(of: "c0") == [0] && run.starts(of: "x0") == [0])
        #expect(run.starts(of: "c1").isEmpty, "the codex ticket's estimate counted towards the limit")
        #expect(run.reports.contains { if case .notice(let text) = $0 { text.contains("--max-cost $1.00 reached ($1.10 spent, some of it estimated)") } else { false } })
    }
}
