import Testing
@testable import ParrunCore
@testable import ParrunModel

/// What parrun says about a codex ticket's limits: the status line and the
/// messages name the agent that waits; --json carries it.
@Suite struct AgentStatusTests {
    private func reporter(_ sink: RecordingSink) throws -> HumanReporter {
        let graph = try validGraph(lines("a:", "    > claude work", "x:", "    @agent codex", "    > codex work"))
        let plan = Plan(graph: graph, runs: [true, true], jobs: .resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2))
        return HumanReporter(plan: plan, options: RunOptions(), style: .init(statusLine: true, color: false, width: 120), sink: sink)
    }

    @Test func theStatusLineNamesTheAgentWhoseCLIRetries() throws {
        let sink = RecordingSink()
        var reporter = try reporter(sink)
        reporter.report(.runStarted(RunStart(runID: "r", manifestName: "m", jobs: 2, tickets: 2, toRun: 2, startedAt: 0)), elapsed: 0)
        reporter.report(.ticketStarted(ticket: 1, attempt: 1, worker: 0, pid: 10), elapsed: 0)
        var signal = RateLimitSignal(ticket: 1, attempt: 1, retry: 1, maxRetries: 5, retryIn: 2, status: 429)
        signal.agent = .codex
        reporter.report(.rateLimitSeen(signal, limit: 1, configured: 2), elapsed: 1)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] codex: 1 of 2, rate limited, retry in 2s running: x  elapsed 1s", "\(sink.writes.last?.text ?? "")")
        reporter.tick(elapsed: 3)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] codex 1/2 running: x  elapsed 3s", "\(sink.writes.last?.text ?? "")")
    }

    @Test func aCodexPauseAndLimitSayCodex() throws {
        let sink = RecordingSink()
        var reporter = try reporter(sink)
        reporter.report(.agentLimit(limit: 1, configured: 2, agent: .codex), elapsed: 1)
        #expect(sink.writes.contains { $0.text.contains("parrun: codex rate-limited: at most 1 of 2 codex tickets run at once for now") })
        reporter.report(.agentsPaused(until: 0, reason: "codex usage limit reached", agent: .codex), elapsed: 2)
        #expect(sink.writes.contains { $0.text.contains("parrun: codex usage limit reached: codex tickets wait until") })
        reporter.tick(elapsed: 3)
        #expect(sink.writes.last?.text.contains("codex paused until") == true, "\(sink.writes.last?.text ?? "")")
    }

    @Test func jsonNamesTheAgentOfALimit() throws {
        let graph = try validGraph(lines("x:", "    @agent codex", "    > codex work"))
        let plan = Plan(graph: graph, runs: [true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 1))
        let sink = RecordingSink()
        var reporter = JSONEventReporter(plan: plan, options: RunOptions(), sink: sink)
        reporter.report(.agentLimit(limit: 1, configured: 2, agent: .codex), elapsed: 1)
        #expect(sink.output.contains(#""limit": 1, "configured": 2, "agent": "codex"}"#), "\(sink.output)")
    }

    @Test func theDryRunSaysEachAgentsSlots() throws {
        let graph = try validGraph(lines("pool codex = 4", "a:", "    > claude work", "x:", "    @agent codex", "    > codex work"))
        let read = readManifest(lines("pool codex = 4", "a:", "    > claude work", "x:", "    @agent codex", "    > codex work"))
        let plan = Plan(graph: graph, runs: [true, true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2),
                        pools: read.manifest?.settings.pools ?? [])
        let summary = PlanPrinter(plan: plan, manifestName: "m").summary()
        #expect(summary.contains("agents 3 at once, apart from jobs (default; set with --agents N or pool claude = N)\n"), "\(summary)")
        #expect(summary.contains("codex agents 4 at once, apart from jobs (manifest pool codex = 4)\n"), "\(summary)")
        let codexOnly = try validGraph(lines("x:", "    @agent codex", "    > codex work"))
        let other = PlanPrinter(plan: Plan(graph: codexOnly, runs: [true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 1)), manifestName: "m").summary()
        #expect(!other.contains("\nagents ") && other.contains("codex agents 2 at once, apart from jobs (default; set with pool codex = N)"), "\(other)")
    }

    @Test func theLineNamesTheLoweredPoolAndThePausedAgentApart() throws {
        let sink = RecordingSink()
        var reporter = try reporter(sink)
        reporter.report(.runStarted(RunStart(runID: "r", manifestName: "m", jobs: 2, tickets: 2, toRun: 2, startedAt: 0)), elapsed: 0)
        reporter.report(.agentLimit(limit: 1, configured: 3, agent: .claude), elapsed: 1)
        reporter.report(.agentLimit(limit: 3, configured: 3, agent: .claude), elapsed: 2)
        reporter.report(.agentLimit(limit: 1, configured: 2, agent: .codex), elapsed: 3)
        reporter.tick(elapsed: 4)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] codex 1/2  elapsed 4s", "claude's pool is back to 3: \(sink.writes.last?.text ?? "")")
        reporter.report(.agentsPaused(until: 0, reason: "codex usage limit reached", agent: .codex), elapsed: 5)
        var signal = RateLimitSignal(ticket: 0, attempt: 1, retry: 1, maxRetries: 10, retryIn: 9, status: 429)
        signal.agent = .claude
        reporter.report(.rateLimitSeen(signal, limit: 2, configured: 3), elapsed: 5)
        let line = sink.writes.last?.text ?? ""
        #expect(line.contains("[0/2] claude: 2 of 3, rate limited, retry in 9s codex paused until "), "\(line)")
    }
}
