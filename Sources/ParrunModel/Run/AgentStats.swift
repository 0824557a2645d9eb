import ParrunSupport

/// What an agent ticket cost: from the CLI's final result event, or estimated
/// from the tokens its stream showed when it had none. Summed over attempts
/// for a ticket and over tickets for a run.
public struct AgentStats: Sendable, Equatable {
    public var turns = 0
    public var durationMs = 0
    public var costUSD = 0.0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cacheReadTokens = 0
    public var cacheCreationTokens = 0
    /// Some of `costUSD` is parrun's estimate (`ModelPrices`) for an attempt
    /// that never reported its cost.
    public var estimated = false

    public init(turns: Int = 0, durationMs: Int = 0, costUSD: Double = 0, inputTokens: Int = 0, outputTokens: Int = 0,
                cacheReadTokens: Int = 0, cacheCreationTokens: Int = 0, estimated: Bool = false) {
        self.turns = turns
        self.durationMs = durationMs
        self.costUSD = costUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheCreationTokens = cacheCreationTokens
        self.estimated = estimated
    }

    public static func + (lhs: AgentStats, rhs: AgentStats) -> AgentStats {
        AgentStats(
            turns: lhs.turns + rhs.turns, durationMs: lhs.durationMs + rhs.durationMs, costUSD: lhs.costUSD + rhs.costUSD,
            inputTokens: lhs.inputTokens + rhs.inputTokens, outputTokens: lhs.outputTokens + rhs.outputTokens,
            cacheReadTokens: lhs.cacheReadTokens + rhs.cacheReadTokens,
            cacheCreationTokens: lhs.cacheCreationTokens + rhs.cacheCreationTokens,
            estimated: lhs.estimated || rhs.estimated)
    }

    /// The stats of one attempt whose result reported `reported`, its session's
    /// cumulative cost (`total_cost_usd`), when the session had cost
    /// `sessionCostBefore` before it: the attempt costs the difference, never
    /// less than nothing (an earlier estimate may have been high). Tokens and
    /// turns the CLI reports per attempt already.
    public static func attempt(reported: AgentStats, sessionCostBefore: Double) -> AgentStats {
        var stats = reported
        stats.costUSD = max(0, reported.costUSD - sessionCostBefore)
        return stats
    }

    /// The stats of an attempt that ended without a result: the tokens its
    /// stream showed, per model, priced by `prices`.
    public static func estimate(tokens: [String: AgentStats], prices: ModelPrices) -> AgentStats {
        var stats = tokens.values.reduce(AgentStats(), +)
        stats.costUSD = prices.cost(of: tokens)
        stats.estimated = true
        return stats
    }

    /// All tokens, input of every kind plus output.
    public var totalTokens: Int { inputTokens + outputTokens + cacheReadTokens + cacheCreationTokens }

    /// "3 turns, $0.0123, 15.2k tokens", or "~$0.0123 (estimated)".
    public var summary: String {
        "\(turns) turn\(turns == 1 ? "" : "s"), \(cost), \(Self.count(totalTokens)) tokens"
    }

    /// The cost for people: an estimate is marked.
    public var cost: String { estimated ? "~" + Self.dollars(costUSD) + " (estimated)" : Self.dollars(costUSD) }

    package static func dollars(_ value: Double) -> String {
        let cents = (value * 10000).rounded() / 10000
        var text = String(cents)
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
        }
        return "$" + text
    }

    package static func count(_ value: Int) -> String {
        if value < 1000 { return String(value) }
        if value < 1_000_000 { return String((Double(value) / 100).rounded() / 10) + "k" }
        return String((Double(value) / 100_000).rounded() / 10) + "M"
    }
}
