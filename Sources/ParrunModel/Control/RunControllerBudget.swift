import ParrunSupport

/// The agents' limits as the controller applies them: the throttle's
/// changes to the agent pool, and the `--max-cost` budget.
extension RunController {
    /// What the agent throttle changed, applied to the scheduler and reported.
    mutating func apply(_ change: AgentThrottle.Change?, _ actions: inout [Action]) {
        switch change {
        case .limit(let limit, let configured)?:
            scheduler.setAgentLimit(limit)
            actions.append(.report(.agentLimit(limit: limit, configured: configured)))
        case .paused(_, let wallUntil)?:
            scheduler.holdPrompts(true)
            actions.append(.report(.agentsPaused(until: wallUntil, reason: "usage limit reached")))
        case .resumed?:
            scheduler.holdPrompts(costLimitReached, forGood: costLimitReached)
            actions.append(.report(.agentsPaused(until: nil, reason: "the usage limit has reset; prompt tickets start again")))
        case nil:
            break
        }
    }

    /// `--max-cost`: once the agents have cost that much, no prompt ticket starts.
    mutating func checkCostLimit(_ actions: inout [Action]) {
        guard let limit = settings.maxCostUSD, !costLimitReached else { return }
        let spent = records.reduce(settings.costSpentEarlierUSD) { $0 + ($1.stats?.costUSD ?? 0) }
        guard spent >= limit else { return }
        costLimitReached = true
        scheduler.holdPrompts(true, forGood: true)
        let estimated = records.contains { $0.stats?.estimated == true } ? ", some of it estimated" : ""
        actions.append(.report(.notice("parrun: --max-cost \(AgentStats.dollars(limit)) reached (\(AgentStats.dollars(spent)) spent\(estimated)): no more prompt tickets start")))
    }
}
