/// What a model's tokens cost, in US dollars per million tokens: how parrun
/// estimates an attempt that never reached its result event (killed by its
/// timeout or Ctrl-C), whose cost the CLI never reported.
public struct TokenPrice: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cacheRead: Double
    /// A 5-minute cache write (the CLI's default); a 1-hour write costs more.
    public var cacheWrite: Double

    public init(input: Double, output: Double, cacheRead: Double, cacheWrite: Double) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    /// Cache reads at a tenth of input and 5-minute writes at 1.25 times it,
    /// as most models price them.
    init(input: Double, output: Double) {
        self.init(input: input, output: output, cacheRead: input / 10, cacheWrite: input * 1.25)
    }

    /// The dollars the tokens of `stats` cost at these prices.
    public func cost(of stats: AgentStats) -> Double {
        (Double(stats.inputTokens) * input + Double(stats.outputTokens) * output
            + Double(stats.cacheReadTokens) * cacheRead + Double(stats.cacheCreationTokens) * cacheWrite) / 1_000_000
    }
}

/// Per-model prices: Anthropic's list prices, overridable in the manifest
/// (`prices`). A model is priced by the longest entry its name starts with,
/// so `claude-opus-4-5-20251101` takes `claude-opus-4-5`'s price.
public struct ModelPrices: Sendable, Equatable {
    /// The manifest's own prices, looked up before the list prices.
    public var overrides: [String: TokenPrice]

    public init(overrides: [String: TokenPrice] = [:]) {
        self.overrides = overrides
    }

    /// The price of `model`: an override, else the list price, else `fallback`.
    public func price(of model: String?) -> TokenPrice {
        guard let model, !model.isEmpty else { return overrides[""] ?? Self.fallback }
        // `claude-opus-4-7[1m]` (the 1M-context alias) is priced as its model.
        let name = model.split(separator: "[", maxSplits: 1).first.map(String.init) ?? model
        return Self.longestPrefix(of: name, in: overrides) ?? Self.longestPrefix(of: name, in: Self.listPrices) ?? overrides[""] ?? Self.fallback
    }

    /// What `tokens` (per model) cost at these prices.
    public func cost(of tokens: [String: AgentStats]) -> Double {
        tokens.reduce(0) { $0 + price(of: $1.key).cost(of: $1.value) }
    }

    private static func longestPrefix(of name: String, in table: [String: TokenPrice]) -> TokenPrice? {
        table.filter { !$0.key.isEmpty && name.hasPrefix($0.key) }.max { $0.key.utf8.count < $1.key.utf8.count }?.value
    }

    /// Anthropic's list prices, from https://platform.claude.com/docs/en/about-claude/pricing
    /// as of 2026-12-03 (USD per million tokens: input, output; cache reads and
    /// 5-minute writes given where they differ from 0.1x and 1.25x input).
    /// claude-opus-5-5 checked against the CLI's own `total_cost_usd`.
    public static let listPrices: [String: TokenPrice] = [
        "claude-fable-5-1": TokenPrice(input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5),
        "claude-mythos-5-1": TokenPrice(input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5),
        "claude-fable-5": TokenPrice(input: 10, output: 50),
        "claude-mythos-5": TokenPrice(input: 10, output: 50),
        "claude-opus-5-5": TokenPrice(input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5),
        "claude-opus-5": TokenPrice(input: 5, output: 25),
        "claude-opus-4-8": TokenPrice(input: 5, output: 25),
        "claude-opus-4-7": TokenPrice(input: 5, output: 25),
        "claude-opus-4-6": TokenPrice(input: 5, output: 25),
        "claude-opus-4-5": TokenPrice(input: 5, output: 25),
        "claude-opus-4": TokenPrice(input: 15, output: 75),
        "claude-3-opus": TokenPrice(input: 15, output: 75),
        "claude-sonnet-5-5": TokenPrice(input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5),
        "claude-sonnet-5": TokenPrice(input: 2, output: 10),
        "claude-sonnet": TokenPrice(input: 3, output: 15),
        "claude-3-7-sonnet": TokenPrice(input: 3, output: 15),
        "claude-3-5-sonnet": TokenPrice(input: 3, output: 15),
        "claude-haiku-5-5": TokenPrice(input: 0.1, output: 0.5),
        "claude-haiku-4-5": TokenPrice(input: 1, output: 5),
        "claude-haiku": TokenPrice(input: 1, output: 5),
        "claude-3-5-haiku": TokenPrice(input: 0.8, output: 4),
        "claude-3-haiku": TokenPrice(input: 0.25, output: 1.25, cacheRead: 0.03, cacheWrite: 0.3),
        // OpenAI's models, for codex tickets (codex reports tokens, never dollars),
        // at the list prices last published for each family (USD per million:
        // input, output, cached input; codex writes no cache of its own; the
        // 5.x figures as listed in mid-2026). A model not listed takes the price
        // of the longest name it starts with: set `prices` for exact figures.
        "gpt-5.5": TokenPrice(input: 5, output: 30, cacheRead: 0.5, cacheWrite: 5),
        "gpt-5.4": TokenPrice(input: 2.5, output: 15, cacheRead: 0.25, cacheWrite: 2.5),
        "gpt-5.4-mini": TokenPrice(input: 0.75, output: 4.5, cacheRead: 0.075, cacheWrite: 0.75),
        "gpt-5.4-nano": TokenPrice(input: 0.2, output: 1.25, cacheRead: 0.02, cacheWrite: 0.2),
        "gpt-5.2": TokenPrice(input: 1.75, output: 14, cacheRead: 0.175, cacheWrite: 1.75),
        "gpt-5.1": TokenPrice(input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25),
        "gpt-5": TokenPrice(input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25),
        "gpt-5-mini": TokenPrice(input: 0.25, output: 2, cacheRead: 0.025, cacheWrite: 0.25),
        "gpt-5-nano": TokenPrice(input: 0.05, output: 0.4, cacheRead: 0.005, cacheWrite: 0.05),
        "gpt-4.1": TokenPrice(input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2),
        "o3": TokenPrice(input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2),
        "o4-mini": TokenPrice(input: 1.1, output: 4.4, cacheRead: 0.275, cacheWrite: 1.1),
        // The short names `--model` takes, priced as the newest of each family.
        "opus": TokenPrice(input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5),
        "sonnet": TokenPrice(input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5),
        "haiku": TokenPrice(input: 0.1, output: 0.5),
    ]

    /// An unknown model is priced as the dearest listed one (Opus 4.1), so an estimate
    /// errs high and `--max-cost` stops too early rather than too late.
    public static let fallback = TokenPrice(input: 15, output: 75)
}
