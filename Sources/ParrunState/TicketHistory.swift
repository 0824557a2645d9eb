import ParrunModel
import ParrunPlatform

/// What earlier runs of a manifest say each ticket takes: the duration and
/// agent stats of its last successful attempt, from the journal, else the
/// duration `DurationHistory` kept (the journal is compacted, that file is
/// not); and what parrun itself spends on each ticket besides its recipe
/// (starting it, recording its end on disk before a dependent may start),
/// measured in the latest run. What `RunEstimate` estimates from. Pure: records in.
public struct TicketHistory: Sendable {
    /// By ticket id.
    public private(set) var seconds: [String: Double] = [:]
    public private(set) var stats: [String: AgentStats] = [:]
    /// Seconds a slot stays busy around each recipe (`overhead(ofRun:)`).
    public private(set) var overheadSeconds = 0.0

    public init(records: [JournalRecord], manifest: String, durations: DurationHistory) {
        seconds = durations.seconds
        var ofManifest = Set<String>()
        var latest: String?
        for record in records {
            switch record {
            case .run(let run):
                guard run.manifest == manifest else { continue }
                ofManifest.insert(run.run)
                if !run.joined { latest = run.run }
            case .end(let end) where end.status == "succeeded" && ofManifest.contains(end.run):
                seconds[end.id] = end.seconds
                if let attempt = end.stats { stats[end.id] = attempt }
            default:
                continue
            }
        }
        if let latest { overheadSeconds = Self.overhead(ofRun: latest, in: records) }
    }

    /// The time between one attempt's end and the next start in the same slot
    /// of run `run` (the slot is free but busy: the end is being recorded and
    /// synced, the next ticket spawned): a low quantile of those gaps, since
    /// a slot also idles when nothing is ready. Zero with too few to tell.
    static func overhead(ofRun run: String, in records: [JournalRecord]) -> Double {
        struct Attempt: Hashable { var id: String; var attempt: Int }
        struct Slot: Hashable { var owner: ProcessIdentity; var worker: Int }
        var starts: [Attempt: (slot: Slot, time: Double)] = [:]
        var ends: [Attempt: Double] = [:]
        for record in records {
            switch record {
            case .start(let start) where start.run == run:
                starts[Attempt(id: start.id, attempt: start.attempt)] = (Slot(owner: start.owner, worker: start.worker), start.time)
            case .end(let end) where end.run == run:
                ends[Attempt(id: end.id, attempt: end.attempt)] = end.time
            default:
                continue
            }
        }
        var bySlot: [Slot: [(start: Double, end: Double)]] = [:]
        for (attempt, start) in starts {
            guard let end = ends[attempt], end >= start.time else { continue }
            bySlot[start.slot, default: []].append((start.time, end))
        }
        var gaps: [Double] = []
        for var attempts in bySlot.values {
            attempts.sort { $0.start < $1.start }
            for (before, after) in zip(attempts, attempts.dropFirst()) where after.start >= before.end {
                gaps.append(after.start - before.end)
            }
        }
        guard gaps.count >= 5 else { return 0 }
        gaps.sort()
        return min(gaps[gaps.count / 4], 1)
    }

    /// The estimate of `plan` from this history.
    public func estimate(_ plan: Plan) -> RunEstimate {
        RunEstimate(
            plan: plan, seconds: plan.graph.tickets.map { seconds[$0.id] },
            stats: plan.graph.tickets.map { $0.recipe.kind == "prompt" ? stats[$0.id] : nil },
            overhead: overheadSeconds)
    }
}

extension TicketHistory {
    /// The estimate, or nil when no ticket of the manifest ever succeeded: a
    /// first run has nothing to estimate from, and skips the simulation.
    public func estimateIfAny(_ plan: Plan) -> RunEstimate? {
        seconds.isEmpty ? nil : estimate(plan)
    }
}
