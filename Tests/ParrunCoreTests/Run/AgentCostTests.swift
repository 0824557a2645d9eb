import Testing
@testable import ParrunCLI
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunState

/// What an agent attempt costs: the difference a continued session's
/// cumulative report makes, and an estimate from the price table for an
/// attempt that never reported its cost.
@Suite struct AgentCostTests {
    @Test func aContinuedSessionsAttemptCountsOnlyWhatItAdds() {
        let reported = AgentStats(turns: 2, costUSD: 0.30, inputTokens: 100, outputTokens: 10)
        let first = AgentStats.attempt(reported: AgentStats(costUSD: 0.10), sessionCostBefore: 0)
        #expect(first.costUSD == 0.10)
        let second = AgentStats.attempt(reported: reported, sessionCostBefore: 0.10)
        #expect(abs(second.costUSD - 0.20) < 1e-12)
        #expect(second.inputTokens == 100 && second.turns == 2, "tokens and turns are the attempt's own already")
        #expect(!second.estimated)
        // An estimate that ran high: never a negative cost.
        #expect(AgentStats.attempt(reported: AgentStats(costUSD: 0.05), sessionCostBefore: 0.10).costUSD == 0)
    }

    @Test func modelsArePricedByTheLongestMatchingName() {
        let prices = ModelPrices()
        #expect(prices.price(of: "claude-opus-5-5") == TokenPrice(input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5))
        #expect(prices.price(of: "claude-opus-4-5-20251101").input == 5, "a dated name takes its model's price")
        #expect(prices.price(of: "claude-opus-4-1-20250805").input == 15, "claude-opus-4 covers 4 and 4.1")
        #expect(prices.price(of: "claude-sonnet-4-6[1m]").input == 3)
        #expect(prices.price(of: "claude-haiku-4-5").output == 5)
        #expect(prices.price(of: "a-model-nobody-knows") == ModelPrices.fallback)
        #expect(prices.price(of: nil) == ModelPrices.fallback)
        #expect(ModelPrices.fallback.input >= ModelPrices.listPrices.values.map(\.input).max() ?? 0, "an unknown model errs high")
    }

    @Test func aPriceIsPerMillionTokensOfEachKind() {
        let price = TokenPrice(input: 5, output: 25)
        #expect(price.cacheRead == 0.5 && price.cacheWrite == 6.25)
        let tokens = AgentStats(inputTokens: 1_000_000, outputTokens: 200_000, cacheReadTokens: 2_000_000, cacheCreationTokens: 400_000)
        #expect(abs(price.cost(of: tokens) - (5 + 5 + 1 + 2.5)) < 1e-9)
        // The CLI's own figure for one answer of the mock (25 in, 12 out) on claude-opus-5-5.
        #expect(abs(ModelPrices().price(of: "claude-opus-5-5").cost(of: AgentStats(inputTokens: 25, outputTokens: 12)) - 0.00034) < 1e-12)
    }

    @Test func theManifestsPricesComeFirst() {
        let prices = ModelPrices(overrides: ["claude-opus": TokenPrice(input: 1, output: 2), "my-model": TokenPrice(input: 3, output: 4)])
        #expect(prices.price(of: "claude-opus-5-5").input == 1, "an override wins over a longer list entry")
        #expect(prices.price(of: "my-model-v2").output == 4)
        #expect(prices.price(of: "claude-sonnet-5").input == 2, "other models keep their list price")
    }

    @Test func anEstimateAddsUpTheTokensSeenPerModelAndIsMarked() {
        let tokens = ["claude-opus-5-5": AgentStats(inputTokens: 1000, outputTokens: 100), "claude-haiku-4-5": AgentStats(inputTokens: 1000)]
        let stats = AgentStats.estimate(tokens: tokens, prices: ModelPrices())
        #expect(stats.estimated)
        #expect(stats.inputTokens == 2000 && stats.outputTokens == 100)
        #expect(abs(stats.costUSD - (0.004 + 0.002 + 0.001)) < 1e-12)
        #expect(stats.summary == "0 turns, ~$0.007 (estimated), 2.1k tokens")
        #expect((AgentStats(costUSD: 1) + stats).estimated, "a sum with an estimate in it is an estimate")
    }

    @Test func theStreamCountsEachAssistantMessageOnceAndEstimatesWithoutAResult() {
        var stream = ClaudeStream()
        _ = stream.consume(#"{"type":"system","subtype":"init","session_id":"s","model":"claude-opus-5-5"}"#)
        func message(_ id: String, _ output: Int, model: String = "claude-opus-5-5") -> String {
            #"{"type":"assistant","message":{"id":"\#(id)","model":"\#(model)","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":25,"output_tokens":\#(output),"cache_read_input_tokens":100,"cache_creation_input_tokens":10}}}"#
        }
        // One event per content block, the same message each time.
        _ = stream.consume(message("m1", 1))
        _ = stream.consume(message("m1", 3))
        _ = stream.consume(message("m2", 1, model: "claude-haiku-4-5"))
        #expect(stream.tokensSeen["claude-opus-5-5"] == AgentStats(inputTokens: 25, outputTokens: 3, cacheReadTokens: 100, cacheCreationTokens: 10))
        #expect(stream.tokensSeen["claude-haiku-4-5"]?.inputTokens == 25)
        let estimate = stream.attemptStats(sessionCostBefore: 0, prices: ModelPrices())
        #expect(estimate?.estimated == true && (estimate?.costUSD ?? 0) > 0)
        let dearer = stream.attemptStats(sessionCostBefore: 0, prices: ModelPrices(overrides: ["claude": TokenPrice(input: 1000, output: 1000)]))
        #expect((dearer?.costUSD ?? 0) > (estimate?.costUSD ?? 0) * 10)
        // With a result, the reported figure less what the session cost before.
        _ = stream.consume(ClaudeStreamTests.resultLine())
        let reported = stream.attemptStats(sessionCostBefore: 0.05, prices: ModelPrices())
        #expect(reported?.estimated == false && abs((reported?.costUSD ?? 0) - 0.20) < 1e-12)
        #expect(ClaudeStream().attemptStats(sessionCostBefore: 0, prices: ModelPrices()) == nil, "no tokens, no stats")
    }

    @Test func statsJSONMarksAnEstimate() throws {
        let stats = AgentStats(costUSD: 0.5, inputTokens: 3, estimated: true)
        #expect(stats.json.hasSuffix(#","estimated":true}"#))
        #expect(!AgentStats(costUSD: 0.5).json.contains("estimated"))
        let bytes = Array(stats.json.utf8)
        let value = try bytes.withUnsafeBufferPointer { try JSONParser.parse($0) }
        #expect(AgentStats(json: value) == stats)
    }

    @Test func theResumeCommandDropsMaxCostInEitherSpelling() {
        #expect(RunCommand.withoutMaxCost(["-q", "--max-cost", "0.5", "-j2"]) == ["-q", "-j2"])
        #expect(RunCommand.withoutMaxCost(["--max-cost=0.5", "x"]) == ["x"])
        #expect(RunCommand.withoutMaxCost(["--", "--max-cost", "1"]) == ["--", "--max-cost", "1"], "after -- it is a ticket id")
        #expect(RunSummary.centsText(RunSummary.roundedUpToCents(0.045)) == "0.05")
        #expect(RunSummary.centsText(RunSummary.roundedUpToCents(0.1 + 0.2)) == "0.30", "float noise is not a cent")
        #expect(RunSummary.centsText(RunSummary.roundedUpToCents(12.341)) == "12.35")
    }
}
