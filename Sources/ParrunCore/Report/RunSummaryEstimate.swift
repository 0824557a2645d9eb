import ParrunModel
import ParrunSupport

/// The summary's lines about `--limit` and the estimate from history: what
/// was left pending, and how the run compared with what earlier runs said.
extension RunSummary {
    func limitLine() -> String {
        guard pendingByLimit > 0, let limit else { return "" }
        var out = "  pending (\(pendingByLimit)): beyond --limit \(limit), left for the next run"
        if result.exitCode == 0, let resumeCommand { out += "; \(resumeCommand.terminalSafe) starts the next \(min(limit, pendingByLimit))" }
        return out + "\n"
    }

    func estimateLine() -> String {
        guard let estimate, estimate.hasHistory, estimate.tickets > 0 else { return "" }
        var out = ""
        // Under a tenth of a second either way, a percentage is noise.
        if max(estimate.wallSeconds, result.wallSeconds) >= 0.1 {
            out += "  estimate: \(DurationText.format(seconds: estimate.wallSeconds)) at -j\(estimate.jobs), took \(DurationText.format(seconds: result.wallSeconds))"
            out += " (\(RunEstimate.deviation(actual: result.wallSeconds, estimated: estimate.wallSeconds)))"
            if estimate.withoutHistory > 0 { out += "; \(estimate.withoutHistory) of \(estimate.tickets) tickets had no history" }
            out += "\n"
        }
        if estimate.prompts > estimate.promptsWithoutHistory {
            let spent = result.agentTotals?.costUSD ?? 0
            out += "  agents: \(AgentStats.dollars(estimate.costUSD)) expected, \(AgentStats.dollars(spent)) spent\n"
        }
        return out
    }
}
