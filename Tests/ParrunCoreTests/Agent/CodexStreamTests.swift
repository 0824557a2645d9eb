import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// codex's JSON lines (as codex-cli 0.163 writes them) into shown lines,
/// token deltas and a verdict; and the commands codex tickets run.
@Suite struct CodexStreamTests {
    static let thread = #"{"type":"thread.started","thread_id":"01a23b34-3c55-7041-8342-030ffc8ea6b9"}"#
    static func completed(input: Int, cached: Int, output: Int) -> String {
        #"{"type":"turn.completed","usage":{"input_tokens":\#(input),"cached_input_tokens":\#(cached),"cache_write_input_tokens":0,"output_tokens":\#(output),"reasoning_output_tokens":0}}"#
    }

    @Test func aSuccessfulTurnShowsItsItemsAndRecordsTheThread() {
        var stream = CodexStream(model: "gpt-5.5")
        var shown: [String] = []
        for line in [
            Self.thread, #"{"type":"turn.started"}"#,
            #"{"type":"item.started","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/a.txt","kind":"add"}],"status":"in_progress"}}"#,
            #"{"type":"item.completed","item":{"id":"item_0","type":"file_change","changes":[{"path":"/w/a.txt","kind":"add"}],"status":"completed"}}"#,
            #"{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"/bin/bash -lc 'make'","aggregated_output":"","exit_code":2,"status":"failed"}}"#,
            #"{"type":"item.completed","item":{"id":"item_2","type":"agent_message","text":"Done.\nAll of it."}}"#,
            Self.completed(input: 75, cached: 15, output: 36),
        ] { shown += stream.consume(line) }
        #expect(stream.session == "01a23b34-3c55-7041-8342-030ffc8ea6b9")
        #expect(shown == [
            "thread 01a23b34-3c55-7041-8342-030ffc8ea6b9 (gpt-5.5)", "apply_patch add /w/a.txt", "exec /bin/bash -lc 'make' (exit 2)",
            "Done.", "All of it.", "turn completed, 111 tokens in the thread",
        ])
        #expect(stream.verdict(exit: .exited(0)) == .succeeded)
        #expect(stream.verdict(exit: .exited(1)) == .failed("exit 1 after a completed turn"))
    }

    @Test func tokensAreTheThreadTotalsLessWhatTheSessionHadAndAlwaysAnEstimate() throws {
        var stream = CodexStream(model: "gpt-5.5")
        _ = stream.consume(Self.thread)
        #expect(stream.attemptStats(sessionBefore: AgentStats(), prices: ModelPrices()) == nil, "no turn.completed: nothing known yet")
        _ = stream.consume(Self.completed(input: 100, cached: 20, output: 48))
        // The thread had 50 in (10 cached) and 24 out before this attempt.
        let before = AgentStats(inputTokens: 40, outputTokens: 24, cacheReadTokens: 10)
        let stats = try #require(stream.attemptStats(sessionBefore: before, prices: ModelPrices()))
        #expect(stats.inputTokens == 40 && stats.cacheReadTokens == 10 && stats.outputTokens == 24 && stats.turns == 1)
        #expect(stats.estimated)
        #expect(ModelPrices().price(of: "gpt-5.5") == TokenPrice(input: 5, output: 30, cacheRead: 0.5, cacheWrite: 5), "gpt-5.5 has its own list price")
        #expect(ModelPrices().price(of: "gpt-5.4-mini-2026") == ModelPrices.listPrices["gpt-5.4-mini"], "a dated model takes the longest listed name it starts with")
        #expect(ModelPrices().price(of: "gpt-5.9") == ModelPrices.listPrices["gpt-5"], "a model not listed takes its family's list price")
        let price = ModelPrices().price(of: "gpt-5.5")
        #expect(abs(stats.costUSD - price.cost(of: stats)) < 1e-12 && stats.costUSD > 0)
        let overridden = try #require(stream.attemptStats(sessionBefore: before, prices: ModelPrices(overrides: ["gpt-5.5": TokenPrice(input: 100_000, output: 100_000)])))
        #expect(overridden.costUSD > stats.costUSD * 100, "the manifest's prices win")
        #expect(stream.attemptStats(sessionBefore: stream.usageStats, prices: ModelPrices()) == nil, "nothing added: nothing counted twice")
    }

    @Test func reconnectingAfterA429IsARateLimitTheCLIRetriesItself() {
        var stream = CodexStream()
        _ = stream.consume(Self.thread)
        let shown = stream.consume(#"{"type":"error","message":"Reconnecting... 1/5 (exceeded retry limit, last status: 429 Too Many Requests)"}"#)
        #expect(shown == ["error: Reconnecting... 1/5 (exceeded retry limit, last status: 429 Too Many Requests)"])
        let retries = stream.takeRateLimitRetries()
        #expect(retries == [APIRetry(attempt: 1, maxRetries: 5, errorStatus: 429)])
        #expect(stream.takeRateLimitRetries().isEmpty, "each once")
        _ = stream.consume(#"{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}"#)
        #expect(stream.takeRateLimitRetries().isEmpty, "a dropped connection is no rate limit")
        _ = stream.consume(Self.completed(input: 25, cached: 0, output: 12))
        #expect(stream.verdict(exit: .exited(0)) == .succeeded, "the retry worked")
    }

    @Test func a429CodexGaveUpOnIsRateLimited() {
        var stream = CodexStream()
        for line in [Self.thread, #"{"type":"error","message":"exceeded retry limit, last status: 429 Too Many Requests"}"#,
                     #"{"type":"turn.failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests"}}"#] {
            _ = stream.consume(line)
        }
        #expect(stream.verdict(exit: .exited(1)) == .rateLimited("rate limited (exit 1): exceeded retry limit, last status: 429 Too Many Requests"))
    }

    @Test func theUsageLimitMessageSaysWhenItResets() throws {
        var stream = CodexStream(now: { 1_800_000_000 })
        let message = "You’ve hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/settings/usage to purchase more credits or try again at 9:20 AM."
        _ = stream.consume(Self.thread)
        _ = stream.consume(#"{"type":"turn.failed","error":{"message":"\#(message)"}}"#)
        guard case .usageLimited(let resetsAt, let detail) = stream.verdict(exit: .exited(1)) else {
            Issue.record("not a usage limit: \(stream.verdict(exit: .exited(1)))")
            return
        }
        let resets = try #require(resetsAt)
        #expect(resets > 1_800_000_000 && resets <= 1_800_000_000 + 86_400, "the next 9:20 AM")
        #expect(detail.hasPrefix("usage limit reached, resets at "))
        #expect(UsageLimit.codexResetTime(in: "You've hit your usage limit.", now: 0) == nil)
    }

    @Test func otherEndsFail() {
        var none = CodexStream()
        _ = none.consume(Self.thread)
        #expect(none.verdict(exit: .signaled(9)) == .failed("no turn.completed event (killed by SIGKILL)"))
        var failed = CodexStream()
        _ = failed.consume(#"{"type":"turn.failed","error":{"message":"stream disconnected before completion"}}"#)
        #expect(failed.verdict(exit: .exited(1)) == .failed("turn failed (exit 1): stream disconnected before completion"))
        var context = CodexStream()
        _ = context.consume(#"{"type":"turn.failed","error":{"message":"Your input exceeds the context window of this model"}}"#)
        #expect(context.verdict(exit: .exited(1)) == .outOfTurns("ran out of context (exit 1): Your input exceeds the context window of this model"))
        var garbage = CodexStream()
        #expect(garbage.consume("{not json") == ["parrun: skipped an event line it could not read (9 bytes)"])
        #expect(garbage.consume("Reading prompt from stdin...") == ["Reading prompt from stdin..."])
    }

    @Test func theCommandStartsOrResumesAThreadWithThePromptOnStandardInput() throws {
        let tickets = tickets(lines("a:", "    @agent codex", "    @model gpt-5.5", "    > do it", "b:", "    @agent codex", "    > do it"))
        let codex = CodexAgent()
        let base = RunOptions.defaultCodex
        #expect(codex.command(base, ticket: tickets[0], session: AgentSessionPlan(id: "x", resume: false), isolated: false)
            == base + ["-m", "gpt-5.5", "-"])
        #expect(codex.command(base, ticket: tickets[1], session: AgentSessionPlan(id: "T1", resume: true), isolated: true)
            == base + ["--sandbox", "workspace-write", "-c", "approval_policy=\"never\"", "resume", "T1", "-"])
        #expect(codex.command(base + ["-s", "read-only"], ticket: tickets[1], session: nil, isolated: true) == base + ["-s", "read-only", "-"],
                "a command that chooses its sandbox keeps it")
        #expect(CodexAgent.model(in: ["codex", "exec", "-c", "model=\"o3\""]) == "o3")
        #expect(CodexAgent.model(in: ["codex", "exec", "--model", "gpt-5-mini"]) == "gpt-5-mini")
        let options = RunOptions()
        let command = try #require(RecipeCommand.make(for: tickets[1], options: options, promptPath: "/p"))
        #expect(command.arguments == base + ["-"] && command.inputPath == "/p")
        #expect(tickets[1].agentKind == .codex)
    }

    @Test func agentIsCheckedAndCommandLineAgentWinsOverDefaults() throws {
        let (_, problems) = check(lines("a:", "    @agent gemini", "    > hi"))
        #expect(problems.count == 1 && problems[0].hasPrefix("2:12: error:") && problems[0].contains("one of claude, codex"), "\(problems)")
        var graph = try validGraph(#"{"defaults": {"agent": "codex"}, "tickets": [{"id": "a", "prompt": "x"}, {"id": "b", "agent": "claude", "prompt": "y"}, {"id": "c", "prompt": "z"}]}"#)
        #expect(graph.tickets.map(\.agentKind) == [.codex, .claude, .codex])
        graph.setAgent(commandLine: .claude)
        #expect(graph.tickets.map(\.agentKind) == [.claude, .claude, .claude], "--agent wins over defaults")
        var other = try validGraph(#"{"tickets": [{"id": "a", "prompt": "x"}, {"id": "b", "agent": "claude", "prompt": "y"}]}"#)
        other.setAgent(commandLine: .codex)
        #expect(other.tickets.map(\.agentKind) == [.codex, .claude], "a ticket's own agent wins over --agent")
    }
}

extension CodexStream {
    /// The thread's totals as parrun counts tokens (for the test above).
    var usageStats: AgentStats { usage?.stats ?? AgentStats() }
}
