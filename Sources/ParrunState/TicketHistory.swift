import ParrunModel

/// What earlier runs of a manifest say each ticket takes: the duration and
/// agent stats of its last successful attempt, from the journal, else the
/// duration `DurationHistory` kept (the journal is compacted, that file is
/// not). What `RunEstimate` estimates from. Pure: records in.
public struct TicketHistory: Sendable {
    /// By ticket id.
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var stats: [String: AgentStats] = [:]

    public init(records: [JournalRecord], manifest: String, durations: DurationHistory) {
        seconds = durations.seconds
        var ofManifest = Set<String>()
        for record in records {
            switch record {
            case .run(let run):
                if run.manifest == manifest { ofManifest.insert(run.run) }
            case .end(let end) where end.status == "succeeded" && ofManifest.contains(end.run):
                seconds[end.id] = end.seconds
                if let attempt = end.stats { stats[end.id] = attempt }
            default:
                continue
            }
        }
    }

    /// The estimate of `plan` from this history.
    public func estimate(_ plan: Plan) -> RunEstimate {
        RunEstimate(
            plan: plan, seconds: plan.graph.tickets.map { seconds[$0.id] },
            stats: plan.graph.tickets.map { $0.recipe.kind == "prompt" ? stats[$0.id] : nil })
    }
}

extension TicketHistory {
    /// The estimate, or nil when no ticket of the manifest ever succeeded: a
    /// first run has nothing to estimate from, and skips the simulation.
    public func estimateIfAny(_ plan: Plan) -> RunEstimate? {
        seconds.isEmpty ? nil : estimate(plan)
    }
}
