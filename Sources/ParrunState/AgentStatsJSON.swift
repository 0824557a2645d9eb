import ParrunModel
import ParrunSupport

/// An agent's stats as the journal, `status --json` and events carry them.
extension AgentStats {
    /// The JSON object the journal, `status --json` and events carry.
    package var json: String {
        var out = "{"
        func add(_ key: Key, _ value: String) {
            if out.utf8.count > 1 { out += "," }
            out += "\"" + key.rawValue + "\":" + value
        }
        add(.turns, String(turns))
        add(.durationMs, String(durationMs))
        add(.costUsd, JSONText.number(costUSD))
        add(.inputTokens, String(inputTokens))
        add(.outputTokens, String(outputTokens))
        add(.cacheReadTokens, String(cacheReadTokens))
        add(.cacheCreationTokens, String(cacheCreationTokens))
        if estimated { add(.estimated, "true") }
        return out + "}"
    }

    init?(json value: JSONValue?) {
        guard let value, case .object = value.kind else { return nil }
        func integer(_ key: Key) -> Int { value[key.rawValue]?.integerValue ?? 0 }
        self.init(
            turns: integer(.turns), durationMs: integer(.durationMs), costUSD: value[Key.costUsd.rawValue]?.doubleValue.flatMap { $0.isFinite ? $0 : nil } ?? 0,
            inputTokens: integer(.inputTokens), outputTokens: integer(.outputTokens),
            cacheReadTokens: integer(.cacheReadTokens), cacheCreationTokens: integer(.cacheCreationTokens),
            estimated: value[Key.estimated.rawValue]?.boolValue ?? false)
    }
}
