import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunState

/// Reading the claude CLI's stream-json events and judging an attempt: pure.
@Suite struct ClaudeStreamTests {
    static let initLine = #"{"type":"system","subtype":"init","session_id":"s-1","model":"m"}"#
    static func resultLine(_ subtype: String = "success", isError: Bool = false, extra: String = "") -> String {
        #"{"type":"result","subtype":""# + subtype + #"","is_error":"# + (isError ? "true" : "false")
            + #","num_turns":3,"duration_ms":2500,"total_cost_usd":0.25,"usage":{"input_tokens":10,"output_tokens":20,"cache_read_input_tokens":300,"cache_creation_input_tokens":4},"session_id":"s-1","result":"all done""#
            + extra + "}"
    }

    @Test func eventsBecomeLinesForPeople() {
        var stream = ClaudeStream()
        #expect(stream.consume(Self.initLine) == ["session s-1 (m)"])
        #expect(stream.session == "s-1")
        #expect(stream.consume(#"{"type":"assistant","message":{"content":[{"type":"text","text":"Line one\nLine two\n"}]}}"#) == ["Line one", "Line two"])
        #expect(stream.consume(#"{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Write","input":{"file_path":"src/a.swift","content":"x"}}]}}"#) == ["Write src/a.swift"])
        #expect(stream.consume(#"{"type":"assistant","message":{"content":[{"type":"tool_use","name":"Bash","input":{"command":"swift build\nswift test"}}]}}"#) == ["Bash swift build"])
        #expect(stream.consume(#"{"type":"user","message":{"content":[{"type":"tool_result","is_error":true,"content":"no such file\nmore"}]}}"#) == ["tool error: no such file"])
        #expect(stream.consume(#"{"type":"user","message":{"content":[{"type":"tool_result","content":"fine"}]}}"#).isEmpty)
        #expect(stream.consume("plain text from stderr") == ["plain text from stderr"])
        #expect(stream.consume(Self.resultLine()) == ["result: success, 3 turns, $0.25, 334 tokens"])
        #expect(stream.result?.stats == AgentStats(turns: 3, durationMs: 2500, costUSD: 0.25, inputTokens: 10, outputTokens: 20, cacheReadTokens: 300, cacheCreationTokens: 4))
        #expect(stream.verdict(exit: .exited(0)) == .succeeded)
    }

    @Test func aContinuedSessionsResultLineShowsTheAttemptsCostNotTheSessionsTotal() {
        // claude reports the session's total ($0.25); $0.10 of it was spent by earlier attempts.
        var continued = ClaudeStream(sessionCostBefore: 0.10)
        #expect(continued.consume(Self.resultLine()) == ["result: success, 3 turns, $0.15, 334 tokens"])
        #expect(continued.attemptStats(sessionCostBefore: 0.10, prices: ModelPrices())?.costUSD == 0.15, "the same figure as the journal's")
        // A total below what came before (a session the CLI began anew) is never shown as negative.
        var restarted = ClaudeStream(sessionCostBefore: 0.40)
        #expect(restarted.consume(Self.resultLine()) == ["result: success, 3 turns, $0.00, 334 tokens"])
    }

    @Test func successNeedsExitZeroAndAResultWithoutError() {
        var stream = ClaudeStream()
        #expect(stream.verdict(exit: .exited(0)) == .failed("no result event (exit 0)"))
        _ = stream.consume(Self.resultLine())
        #expect(stream.verdict(exit: .exited(1)) == .failed("exit 1 after a successful result"))
        var turns = ClaudeStream()
        _ = turns.consume(Self.resultLine("error_max_turns", isError: true))
        #expect(turns.verdict(exit: .exited(1)) == .outOfTurns("ran out of turns (error_max_turns, exit 1)"))
        var budget = ClaudeStream()
        _ = budget.consume(Self.resultLine("error_max_budget_usd", isError: true))
        #expect(budget.verdict(exit: .exited(0)) == .failed("error_max_budget_usd (exit 0)"))
        var flagged = ClaudeStream()
        _ = flagged.consume(Self.resultLine("success", isError: true))
        #expect(flagged.verdict(exit: .exited(0)) == .failed("the result reports an error (exit 0): all done"))
        var killed = ClaudeStream()
        #expect(killed.verdict(exit: .signaled(9)) == .failed("no result event (killed by SIGKILL)"))
        _ = killed.consume("")
    }

    /// The CLI's own words when the conversation outgrew the context and compaction failed.
    @Test func aSessionOutOfContextMayContinueLikeOneOutOfTurns() {
        var stream = ClaudeStream()
        _ = stream.consume(#"{"type":"result","subtype":"success","is_error":true,"num_turns":40,"duration_ms":10,"session_id":"s-1","result":"Prompt is too long"}"#)
        #expect(stream.verdict(exit: .exited(1)) == .outOfTurns("ran out of context (exit 1): Prompt is too long"))
        var other = ClaudeStream()
        _ = other.consume(#"{"type":"result","subtype":"success","is_error":true,"num_turns":4,"duration_ms":10,"session_id":"s-1","result":"API Error: 400 bad request"}"#)
        #expect(other.verdict(exit: .exited(1)) == .failed("the result reports an error (exit 1): API Error: 400 bad request"))
    }

    @Test(arguments: [
        ClaudeStreamTests.resultLine("success", isError: true, extra: #","api_error_status":429,"api_error_type":"rate_limit_error""#),
        ClaudeStreamTests.resultLine("success", isError: true, extra: #","api_error_status":529"#),
        ClaudeStreamTests.resultLine("error_during_execution", isError: true, extra: #","api_error_type":"overloaded_error""#),
        #"{"type":"assistant","error":"rate_limit","message":{"content":[]}}"#,
    ])
    func rateLimitsAreRetriedNotFailed(line: String) {
        var stream = ClaudeStream()
        _ = stream.consume(line)
        guard case .rateLimited = stream.verdict(exit: .exited(1)) else {
            Issue.record("expected a rate limit from \(line), got \(stream.verdict(exit: .exited(1)))")
            return
        }
    }

    /// As the real CLI (2.x) writes them, allowed retries, against a 429 and then a 529.
    static let apiRetry429 = #"{"type":"system","subtype":"api_retry","attempt":1,"max_retries":2,"retry_delay_ms":507,"error_status":429,"error":"rate_limit","session_id":"e5c6b1c0-8dd3-4e51-adbd-bdb12392cd9e","uuid":"213bc586-e035-4a39-99b7-4bb9e9a77fb2"}"#
    static let apiRetry529 = #"{"type":"system","subtype":"api_retry","attempt":2,"max_retries":3,"retry_delay_ms":1209,"error_status":529,"error":"overloaded","session_id":"5304e15d-9d8e-47da-a309-0a5f1a115dab","uuid":"6f287804-307b-46a3-8c28-03469f1f5d47"}"#

    @Test func apiRetriesOfRateLimitsAreShownAndHandedOnOnceWithoutFailingTheAttempt() {
        var stream = ClaudeStream()
        _ = stream.consume(Self.initLine)
        #expect(stream.consume(Self.apiRetry429) == ["API error 429 rate_limit: retry 1 of 2 in 507ms"])
        #expect(stream.consume(Self.apiRetry529) == ["API error 529 overloaded: retry 2 of 3 in 1.2s"])
        #expect(stream.takeRateLimitRetries() == [
            APIRetry(attempt: 1, maxRetries: 2, delaySeconds: 0.507, errorStatus: 429, error: "rate_limit"),
            APIRetry(attempt: 2, maxRetries: 3, delaySeconds: 1.209, errorStatus: 529, error: "overloaded"),
        ])
        #expect(stream.takeRateLimitRetries().isEmpty, "each is handed on once")
        #expect(stream.session == "s-1", "an api_retry is not the session's start")
        // The CLI's retry worked: the attempt is judged by its result alone.
        _ = stream.consume(Self.resultLine())
        #expect(stream.verdict(exit: .exited(0)) == .succeeded)
        #expect(!stream.rateLimited)
    }

    @Test func otherApiRetriesAreShownButAreNoRateLimit() {
        var stream = ClaudeStream()
        #expect(stream.consume(#"{"type":"system","subtype":"api_retry","attempt":3,"max_retries":10,"retry_delay_ms":2000,"error_status":500,"error":"server_error"}"#)
            == ["API error 500 server_error: retry 3 of 10 in 2s"])
        #expect(stream.consume(#"{"type":"system","subtype":"api_retry","error_status":null}"#) == ["API error: retry"], "fields may be missing")
        #expect(stream.takeRateLimitRetries().isEmpty)
    }

    @Test func usageLimitsPauseUntilTheirReset() {
        var event = ClaudeStream()
        #expect(event.consume(#"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed","resetsAt":1800000000}}"#).isEmpty)
        #expect(event.verdict(exit: .exited(1)) == .failed("no result event (exit 1)"), "an allowed status is no limit")
        _ = event.consume(#"{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1800000000}}"#)
        guard case .usageLimited(let resets, _) = event.verdict(exit: .exited(1)) else {
            Issue.record("expected a usage limit")
            return
        }
        #expect(resets == 1_800_000_000)

        var old = ClaudeStream()
        _ = old.consume("Claude AI usage limit reached|1800000123")
        #expect(old.resetsAt == 1_800_000_123)
        var message = ClaudeStream(now: { 1_800_000_000 })
        _ = message.consume("You've hit your limit · resets 1pm (Europe/Lisbon)")
        #expect(message.usageLimited)
        #expect(message.resetsAt != nil)
    }

    @Test func resetTimesAreTheNextSuchClockTime() throws {
        // 2027-01-15 10:00:00 UTC; Lisbon is on UTC in January.
        let now = 1_799_920_800.0
        #expect(UsageLimit.resetTime(in: "You've hit your limit · resets 1pm (Europe/Lisbon)", now: now) == now + 3 * 3600)
        #expect(UsageLimit.resetTime(in: "resets 9:30am (Europe/Lisbon)", now: now) == now + 23.5 * 3600, "9:30 has passed today")
        #expect(UsageLimit.resetTime(in: "resets 1pm (Asia/Tokyo)", now: now) == now + 18 * 3600, "13:00 in Tokyo is 04:00 UTC tomorrow")
        #expect(UsageLimit.resetTime(in: "resets soon", now: now) == nil)
        #expect(UsageLimit.resetTime(in: "resets 13pm", now: now) == nil)
        #expect(!UsageLimit.isUsageLimitMessage("limits apply"))
    }

    @Test func aSplicedOrDamagedLineIsSkippedButItsEventsAreKept() {
        let spliced = #"{"type":"assistant","message":{"content":[{"type":"text","text":"hal{"type":"rate_limit_event","rate_limit_info":{"status":"rejected","resetsAt":1800000000}}"#
        let events = ClaudeEventParser.events(in: spliced)
        #expect(events.contains(.rateLimit(rejected: true, resetsAt: 1_800_000_000)))
        #expect(events.last == .unreadable(spliced))
        #expect(ClaudeEventParser.events(in: #"{"type":"assistant", not json"#) == [.unreadable(#"{"type":"assistant", not json"#)])
        #expect(ClaudeEventParser.events(in: "   ").isEmpty)
        #expect(ClaudeEventParser.events(in: #"{"type":"stream_event","event":{}}"#) == [.other])
        var stream = ClaudeStream()
        #expect(stream.consume("{oops") == ["parrun: skipped an event line it could not read (5 bytes)"])
        #expect(stream.unreadableLines == 1)
    }

    @Test(.timeLimit(.minutes(4)))
    func aHugeDamagedLineIsSkippedInLinearTime() {
        let line = String(repeating: #"{"type":"x", "#, count: 100_000)
        let events = ClaudeEventParser.events(in: line)
        #expect(events == [.unreadable(line)])
    }

    @Test func ticketFieldsBecomeSeparateFlags() throws {
        let manifest = #"""
            {"defaults": {"model": "opus"}, "tickets": [
              {"id": "a", "prompt": "p", "permissionMode": "acceptEdits", "allowedTools": ["Read", "Bash(git log:*)"],
               "maxTurns": 5, "maxBudgetUsd": 1.5, "appendSystemPrompt": "Be brief; use $HOME literally"},
              {"id": "b", "prompt": "p", "model": "sonnet", "allowedTools": "Read, Write"}
            ]}
            """#
        let ticketsRead = tickets(manifest)
        #expect(ticketsRead[0].claudeOptions.arguments == [
            "--model", "opus", "--permission-mode", "acceptEdits", "--max-turns", "5", "--max-budget-usd", "1.5",
            "--append-system-prompt", "Be brief; use $HOME literally", "--allowedTools", "Read", "Bash(git log:*)",
        ])
        #expect(ticketsRead[1].claudeOptions.arguments == ["--model", "sonnet", "--allowedTools", "Read", "Write"])
        let (_, problems) = check(#"{"tickets": [{"id": "a", "prompt": "p", "maxTurns": 0, "allowedTools": [1], "model": 3}]}"#)
        #expect(problems == [
            "1:53: error: `maxTurns` of ticket 'a' must be a whole number of at least 1, found '0'",
            "1:72: error: `allowedTools` of ticket 'a' must be a list of tool names (or one string, comma-separated), found an array",
            "1:86: error: `model` of ticket 'a' must be a string, found '3'",
        ])
    }

    @Test func sessionIDsAreVersion4UUIDs() {
        var generator = SeededGenerator(seed: 1)
        let first = SessionID.make(using: &generator)
        let second = SessionID.make(using: &generator)
        #expect(first != second)
        let parts = first.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(Array(first)[14] == "4")
        #expect("89ab".contains(Array(first)[19]))
    }

    @Test func statsAddUpAndRead() {
        let one = AgentStats(turns: 1, durationMs: 10, costUSD: 0.5, inputTokens: 1, outputTokens: 2, cacheReadTokens: 3, cacheCreationTokens: 4)
        #expect((one + one).costUSD == 1.0)
        #expect((one + one).totalTokens == 20)
        #expect(AgentStats(costUSD: 0.1).summary == "0 turns, $0.10, 0 tokens")
        #expect(AgentStats(outputTokens: 1_234_567).summary == "0 turns, $0.00, 1.2M tokens")
    }
}
