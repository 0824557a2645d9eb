import ParrunSupport

/// What an agent ticket cost: from the CLI's final result event. Summed over
/// attempts for a ticket and over tickets for a run.
public struct AgentStats: Sendable, Equatable {
    public var turns = 0
    public var durationMs = 0
    public var costUSD = 0.0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cacheReadTokens = 0
    public var cacheCreationTokens = 0

    public init(turns: Int = 0, durationMs: Int = 0, costUSD: Double = 0, inputTokens: Int = 0, outputTokens: Int = 0,
                cacheReadTokens: Int = 0, cacheCreationTokens: Int = 0) {
        self.turns = turns
        self.durationMs = durationMs
        self.costUSD = costUSD
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheCreationTokens = cacheCreationTokens
    }

    public static func + (lhs: AgentStats, rhs: AgentStats) -> AgentStats {
        AgentStats(
            turns: lhs.turns + rhs.turns, durationMs: lhs.durationMs + rhs.durationMs, costUSD: lhs.costUSD + rhs.costUSD,
            inputTokens: lhs.inputTokens + rhs.inputTokens, outputTokens: lhs.outputTokens + rhs.outputTokens,
            cacheReadTokens: lhs.cacheReadTokens + rhs.cacheReadTokens,
            cacheCreationTokens: lhs.cacheCreationTokens + rhs.cacheCreationTokens)
    }

    /// All tokens, input of every kind plus output.
    public var totalTokens: Int { inputTokens + outputTokens + cacheReadTokens + cacheCreationTokens }

    /// "3 turns, $0.0123, 15.2k tokens"
    public var summary: String {
        "\(turns) turn\(turns == 1 ? "" : "s"), \(Self.dollars(costUSD)), \(Self.count(totalTokens)) tokens"
    }

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
