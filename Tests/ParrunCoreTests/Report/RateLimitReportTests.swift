import Testing
@testable import ParrunCore
@testable import ParrunModel

/// A rate limit an agent's CLI retries itself, as the status line and --json show it.
@Suite struct RateLimitReportTests {
    @Test func aRateLimitTheCLIRetriesShowsThePoolAndACountdown() {
        #expect(StatusLine.render(finished: 1, total: 4, running: ["a", "b"], elapsed: 30, width: 120, agentLimit: (2, 3), rateLimitRetryIn: 11.2)
            == "[1/4] claude: 2 of 3, rate limited, retry in 12s running: a, b  elapsed 30s  eta 1m30s")
        #expect(StatusLine.render(finished: 0, total: 1, running: ["a"], elapsed: 1, width: 120, rateLimitRetryIn: 0.3)
            == "[0/1] claude: rate limited, retry in 1s running: a  elapsed 1s", "without a known pool; never \"in 0s\"")
        #expect(StatusLine.render(finished: 0, total: 1, running: ["a"], elapsed: 1, width: 120, agentLimit: (3, 3))
            == "[0/1] running: a  elapsed 1s", "a limit at its configured value is not news")
        #expect(StatusLine.render(finished: 0, total: 1, running: ["a"], elapsed: 1, width: 120, agentLimit: (1, 3))
            == "[0/1] agents 1/3 running: a  elapsed 1s")
    }

    @Test func theRateLimitPartSurvivesANarrowTerminal() {
        let line = StatusLine.render(finished: 1, total: 9, running: (0..<50).map { "ticket-\($0)" }, elapsed: 1, width: 72, agentLimit: (2, 3), rateLimitRetryIn: 5)
        #expect(line.unicodeScalars.count <= 71)
        #expect(line.hasPrefix("[1/9] claude: 2 of 3, rate limited, retry in 5s running: ticket-0"))
        #expect(line.hasSuffix("..."))
    }

    @Test func theReporterCountsDownFromTheLatestRetryAndDropsItWhenDue() throws {
        let graph = try validGraph(lines("a:", "b:"))
        let plan = Plan(graph: graph, runs: [true, true], jobs: .resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2))
        let sink = RecordingSink()
        var reporter = HumanReporter(plan: plan, options: RunOptions(), style: .init(statusLine: true, color: false, width: 120), sink: sink)
        reporter.report(.runStarted(RunStart(runID: "r", manifestName: "m", jobs: 2, tickets: 2, toRun: 2, startedAt: 0)), elapsed: 0)
        reporter.report(.ticketStarted(ticket: 0, attempt: 1, worker: 0, pid: 10), elapsed: 0)
        reporter.report(.rateLimitSeen(RateLimitSignal(ticket: 0, attempt: 1, retry: 1, maxRetries: 10, retryIn: 12, status: 429), limit: 1, configured: 2), elapsed: 1)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] claude: 1 of 2, rate limited, retry in 12s running: a  elapsed 1s")
        reporter.tick(elapsed: 6)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] claude: 1 of 2, rate limited, retry in 7s running: a  elapsed 6s")
        reporter.tick(elapsed: 13)
        #expect(sink.writes.last?.text == "\r\u{1B}[K[0/2] agents 1/2 running: a  elapsed 13s", "the CLI has retried; the lowered limit stays")
    }

    @Test func jsonSaysTheRateLimitWithItsRetryAndTheAgentLimit() throws {
        let graph = try validGraph(lines("a:"))
        let plan = Plan(graph: graph, runs: [true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 1))
        let sink = RecordingSink()
        var reporter = JSONEventReporter(plan: plan, options: RunOptions(), sink: sink)
        reporter.report(.rateLimitSeen(RateLimitSignal(ticket: 0, attempt: 2, retry: 1, maxRetries: 10, retryIn: 0.507, status: 529), limit: 1, configured: 2), elapsed: 3)
        #expect(sink.output == #"{"event": "rate-limit", "elapsed": 3, "id": "a", "attempt": 2, "retry": 1, "maxRetries": 10, "retryIn": 0.507, "errorStatus": 529, "agentLimit": 1, "configured": 2}"# + "\n")
    }

    @Test func theSummaryCountsTheRateLimitsTheCLIRetried() throws {
        let graph = try validGraph(lines("a:"))
        let plan = Plan(graph: graph, runs: [true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 1))
        var record = TicketRecord()
        record.status = .succeeded
        record.stats = AgentStats(turns: 2, durationMs: 10, costUSD: 0.01, inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0)
        var result = RunResult(records: [record], wallSeconds: 1, interruptedBy: nil, jobs: 1)
        result.limitWaits.rateLimitSignals = 2
        result.limitWaits.agentLimitLowered = 1
        result.limitWaits.lowestAgentLimit = 1
        let text = RunSummary(result: result, plan: plan, logPath: { $0 }).render()
        #expect(text.contains("  API limits: 2 rate-limit signals (retried by the CLI)\n"), "no back-off of parrun's to speak of: \(text)")
        #expect(text.contains("  agent limit lowered 1 time, to 1 at the lowest\n"))
        result.limitWaits.rateLimited = 1
        result.limitWaits.seconds = 30
        #expect(RunSummary(result: result, plan: plan, logPath: { $0 }).render()
            .contains("  API limits: 2 rate-limit signals (retried by the CLI), 1 rate-limit back-off, 0 usage-limit pauses, waited 30s\n"))
    }
}
