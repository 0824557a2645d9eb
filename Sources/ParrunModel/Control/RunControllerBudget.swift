import ParrunSupport

/// The agents' limits as the controller applies them: the throttle's
/// changes to the agent pool, and the `--max-cost` budget.
extension RunController {
    /// What `agent`'s throttle changed, applied to the scheduler and reported.
    mutating func apply(_ change: AgentThrottle.Change?, _ agent: AgentKind, _ actions: inout [Action]) {
        switch change {
        case .limit(let limit, let configured)?:
            scheduler.setAgentLimit(limit, for: agent)
            actions.append(.report(.agentLimit(limit: limit, configured: configured, agent: agent)))
        case .paused(_, let wallUntil)?:
            // Only this agent's tickets wait: the other agents' accounts are not limited.
            scheduler.holdAgent(agent, true)
            actions.append(.report(.agentsPaused(until: wallUntil, reason: agent.named("usage limit reached"), agent: agent)))
        case .resumed?:
            scheduler.holdAgent(agent, false)
            actions.append(.report(.agentsPaused(until: nil, reason: "the " + agent.named("usage limit has reset; ") + agent.tickets + " start again", agent: agent)))
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
