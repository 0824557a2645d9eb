import ParrunModel
import ParrunSupport

/// The dry run's sections about targets, `--label`, `--limit` and the
/// estimate from history: why each ticket was chosen, and what the run is
/// expected to take.
extension PlanPrinter {
    func choiceSection(_ choice: TicketSelection, idWidth: Int) -> String {
        let graph = plan.graph
        var what: [String] = []
        if !choice.request.targets.isEmpty { what.append("targets " + choice.request.targets.joined(separator: ", ").terminalSafe) }
        if !choice.request.labels.isEmpty { what.append("labels " + choice.request.labels.joined(separator: ", ").terminalSafe) }
        if let limit = choice.request.limit { what.append("--limit \(limit)") }
        var out = "\nchosen (\(what.joined(separator: ", "))): why each ticket runs\n"
        var pending: [Int] = []
        for index in graph.topologicalOrder {
            guard let reason = choice.reasons[index] else { continue }
            if case .pending = reason {
                pending.append(index)
                continue
            }
            out += "  " + shownID(index).padding(to: idWidth) + "  " + reason.description + "\n"
        }
        if choice.runCount == 0 { out += "  none: what was chosen is done already\n" }
        if let limit = choice.request.limit, !pending.isEmpty {
            out += "\npending, beyond --limit \(limit) (\(pending.count)), left for the next run: " + listed(pending) + "\n"
        }
        let left = graph.count - choice.considered.reduce(0) { $0 + ($1 ? 1 : 0) }
        if left > 0 {
            out += "\nnot chosen (\(left)): neither chosen nor needed by a ticket chosen\n"
        }
        return out
    }

    func estimateSection(_ estimate: RunEstimate) -> String {
        guard estimate.tickets > 0 else { return "" }
        guard estimate.hasHistory else {
            return "estimate: none; no ticket to run has succeeded before (\(estimate.tickets) without history)\n"
        }
        var out = "estimate at -j\(estimate.jobs): \(DurationText.format(seconds: estimate.wallSeconds)) wall"
        out += ", critical path \(DurationText.format(seconds: estimate.criticalPathSeconds))"
        if !estimate.criticalPath.isEmpty {
            let path = estimate.criticalPath.prefix(8).map(shownID).joined(separator: " -> ")
            out += " (" + path + (estimate.criticalPath.count > 8 ? " -> ..." : "") + ")"
        }
        out += "\n  from the last successful runs of \(estimate.tickets - estimate.withoutHistory) of \(estimate.tickets) tickets"
        if estimate.overheadSeconds > 0 { out += ", plus \(DurationText.format(seconds: estimate.overheadSeconds)) a ticket to start it and record its end" }
        if estimate.withoutHistory > 0 {
            out += "; \(estimate.withoutHistory) ha\(estimate.withoutHistory == 1 ? "s" : "ve") no history (counted at the median, \(DurationText.format(seconds: estimate.assumedSeconds)))"
        }
        out += "\n"
        if estimate.prompts > 0 {
            let known = estimate.prompts - estimate.promptsWithoutHistory
            out += "  agents: \(AgentStats.dollars(estimate.costUSD)), \(AgentStats.count(estimate.tokens)) tokens expected"
            out += " (from \(known) of \(estimate.prompts) prompt ticket\(estimate.prompts == 1 ? "" : "s")"
            out += estimate.promptsWithoutHistory > 0 ? "; \(estimate.promptsWithoutHistory) without history, not counted)\n" : ")\n"
        }
        return out
    }

    /// Tickets that targets, `--label` or `--limit` left out and that would
    /// otherwise run (not done, not held back): the counts show them apart.
    var notChosenCount: Int {
        guard let choice else { return 0 }
        return plan.graph.tickets.indices.reduce(0) { count, index in
            let left = !choice.considered[index] || choice.reasons[index] == .pending(limit: choice.request.limit ?? 0)
            return count + (left && !plan.runs[index] && !plan.graph.tickets[index].isDone && !plan.isHeldBack(index) ? 1 : 0)
        }
    }

    /// Not run for a reason of its own (done, held back, succeeded before),
    /// rather than because the targets or labels left it out.
    func isChosenOrAll(_ index: Int) -> Bool {
        guard let choice else { return true }
        return choice.considered[index] && choice.reasons[index] == nil
    }

    private func listed(_ tickets: [Int]) -> String {
        tickets.prefix(Self.idListLimit).map(shownID).joined(separator: ", ")
            + (tickets.count > Self.idListLimit ? " (+\(tickets.count - Self.idListLimit) more)" : "")
    }
}
