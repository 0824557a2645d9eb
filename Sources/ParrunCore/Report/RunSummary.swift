/// The text printed when a run ends: counts, what failed and why, timing,
/// and the critical path as it actually ran.
struct RunSummary {
    let result: RunResult
    let plan: Plan
    let logPath: (String) -> String

    /// Failed and skipped tickets beyond this many are counted, not listed.
    static let listLimit = 20

    func render() -> String {
        let tickets = plan.graph.tickets
        var counts: [String] = ["\(result.succeeded) succeeded"]
        if result.failed > 0 { counts.append("\(result.failed) failed") }
        if result.timedOut > 0 { counts.append("\(result.timedOut) timed out") }
        if result.interrupted > 0 { counts.append("\(result.interrupted) interrupted") }
        if result.skipped > 0 { counts.append("\(result.skipped) skipped") }
        if result.notStarted > 0 { counts.append("\(result.notStarted) not started") }
        if result.ranElsewhere > 0 { counts.append("\(result.ranElsewhere) run by another parrun") }
        if result.runningElsewhere > 0 { counts.append("\(result.runningElsewhere) still running in another parrun") }
        var out = ""
        if let signal = result.interruptedBy {
            out += "parrun: interrupted by \(ProcessControl.signalName(signal))\n"
        }
        out += "parrun: " + counts.joined(separator: ", ") + " in " + DurationText.format(seconds: result.wallSeconds) + "\n"

        var problems: [String] = []
        for (index, record) in result.records.enumerated() {
            switch record.status {
            case .failed, .timedOut, .interrupted:
                let outcome = record.lastOutcome?.detail ?? "failed"
                let attempts = record.attempts > 1 ? ", \(record.attempts) attempts" : ""
                problems.append("  \(label(record.status)) \(tickets[index].id): \(outcome)\(attempts) (log: \(logPath(tickets[index].id)))")
            case .skipped(let dependency, let cause):
                let why = dependency == cause ? "'\(tickets[cause].id)' failed" : "'\(tickets[dependency].id)' was skipped after '\(tickets[cause].id)' failed"
                problems.append("  skipped \(tickets[index].id): \(why)")
            default:
                continue
            }
        }
        for line in problems.prefix(Self.listLimit) { out += line + "\n" }
        if problems.count > Self.listLimit { out += "  ... and \(problems.count - Self.listLimit) more\n" }
        if result.notStarted > 0 && result.interruptedBy == nil {
            out += "  \(result.notStarted) ticket\(result.notStarted == 1 ? "" : "s") not started after the failure; -k runs everything that does not depend on it\n"
        }

        out += agentLines()
        let ticketSeconds = result.ticketSeconds
        if ticketSeconds > 0 && result.wallSeconds > 0 {
            let speedup = ticketSeconds / result.wallSeconds
            let efficiency = speedup / Double(max(result.jobs, 1)) * 100
            out += "  time: wall \(DurationText.format(seconds: result.wallSeconds)), tickets \(DurationText.format(seconds: ticketSeconds)), "
            out += "speedup \(Self.decimal(speedup))x, efficiency \(Int(efficiency.rounded()))% at -j\(result.jobs)\n"
        }
        if let path = actualCriticalPath(), path.count > 1 {
            let seconds = path.reduce(0) { $0 + result.records[$1].seconds }
            out += "  critical path: " + path.map { tickets[$0].id }.joined(separator: " -> ") + " (\(DurationText.format(seconds: seconds)))\n"
        }
        return out
    }

    /// Each prompt ticket's turns, cost and tokens, the totals, and the waits for API limits.
    private func agentLines() -> String {
        guard let totals = result.agentTotals else { return "" }
        var out = ""
        let agents = result.records.indices.filter { result.records[$0].stats != nil }
        for index in agents.prefix(Self.listLimit) {
            out += "  agent \(plan.graph.tickets[index].id): \(result.records[index].stats!.summary)\n"
        }
        if agents.count > Self.listLimit { out += "  ... and \(agents.count - Self.listLimit) more agents\n" }
        out += "  agents: \(agents.count) ticket\(agents.count == 1 ? "" : "s"), \(totals.summary)"
        out += " (\(AgentStats.count(totals.inputTokens)) in, \(AgentStats.count(totals.outputTokens)) out, "
        out += "\(AgentStats.count(totals.cacheReadTokens)) cache read, \(AgentStats.count(totals.cacheCreationTokens)) cache write)\n"
        let waits = result.limitWaits
        if waits.rateLimited + waits.usageLimited > 0 {
            out += "  API limits: \(waits.rateLimited) rate-limit back-off\(waits.rateLimited == 1 ? "" : "s"), "
            out += "\(waits.usageLimited) usage-limit pause\(waits.usageLimited == 1 ? "" : "s"), waited \(DurationText.format(seconds: waits.seconds))\n"
        }
        if let lowest = waits.lowestAgentLimit {
            out += "  agent limit lowered \(waits.agentLimitLowered) time\(waits.agentLimitLowered == 1 ? "" : "s"), to \(lowest) at the lowest\n"
        }
        return out
    }

    /// The longest chain by the durations the tickets really took.
    private func actualCriticalPath() -> [Int]? {
        let ran = result.records.map { $0.attempts > 0 }
        guard ran.contains(true) else { return nil }
        let weights = result.records.map { max($0.seconds, 0.000_001) }
        return CriticalPath(graph: plan.graph, runs: ran, weights: weights).path
    }

    private func label(_ status: TicketRecord.Status) -> String {
        switch status {
        case .timedOut: "TIMEOUT"
        case .interrupted: "STOPPED"
        default: "FAIL"
        }
    }

    static func decimal(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(format2: rounded)
    }
}

extension String {
    /// Two decimals without Foundation's formatter: 2.5 -> "2.50".
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        self = "\(hundredths / 100)." + String(abs(hundredths % 100)).leftPadded(to: 2)
    }
}
