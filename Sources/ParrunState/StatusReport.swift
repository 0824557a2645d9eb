import ParrunModel
import ParrunPlatform

/// What `parrun status` shows: every ticket of the manifest as the latest run
/// (and the runs it continued) left it. Pure: built from the journal's records.
public struct StatusReport: Sendable {
    public enum State: String, Sendable, CaseIterable {
        case succeeded, failed
        case timedOut = "timed-out"
        case interrupted, skipped, running
        /// `--launcher slurm`: started, but its job waits in Slurm's queue.
        case queued
        case pending
        /// `--worktree`: its work conflicted when it landed; its branch is kept.
        case conflict
        /// `--worktree`: its agent changed nothing (a failure without `allowNoChange`).
        case noChange = "no-change"
        /// `review: true`: its work waits for `parrun approve` or `parrun reject`.
        case awaitingReview = "awaiting-review"
        /// Marked done in the manifest: never run.
        case done
        /// Held back (a beads `blocked` issue and what waits for it): no run
        /// starts it, `--resume` neither, until the hold is lifted.
        case heldBack = "held-back"
    }

    public struct Entry: Sendable, Equatable {
        public var id: String
        public var state: State
        public var attempts: Int
        /// Of the last attempt; for a running ticket, how long it has run.
        public var seconds: Double?
        public var exitCode: Int?
        public var signal: String?
        /// For a running ticket: its recipe's pid, and whether that process is alive.
        public var pid: Int32?
        public var alive: Bool?
        /// A prompt ticket's agent stats over its attempts.
        public var stats: AgentStats?
        /// Why it failed, when the exit code does not say.
        public var detail: String?
        /// `--launcher slurm`: its last job, and (while it runs) Slurm's state of it.
        public var slurmJob: String?
        public var slurmState: String?
        /// Times its verify gate ran, and whether the last passed.
        public var verifyRuns = 0
        public var verifyPassed: Bool?
        /// Awaiting review: `parrun approve`'s or `reject`'s decision since, nil while undecided.
        public var review: JournalRecord.ReviewRecord?
        /// A prompt ticket's agent session, as the CLI last reported it.
        public var session: String?
        /// A prompt ticket's agent CLI (`claude`, `codex`), as the manifest says.
        public var agent: String?
        /// `--worktree`, where known (the command asks git; the journal does not say):
        /// its worktree and branch while they exist, and the commit its work landed as.
        public var worktreePath: String?
        public var branch: String?
        public var landedCommit: String?
    }

    /// The latest run of the manifest, nil if it never ran.
    public let run: String?
    /// A parrun is working on the run now.
    public let live: Bool
    /// The latest run's `--limit`: tickets it left pending wait for the next run.
    public var limit: Int?
    public var entries: [Entry]

    public func count(_ state: State) -> Int { entries.reduce(0) { $0 + ($1.state == state ? 1 : 0) } }

    /// Every prompt ticket's stats added up; nil when no agent ran.
    public var agentTotals: AgentStats? {
        let all = entries.compactMap(\.stats)
        return all.isEmpty ? nil : all.reduce(AgentStats(), +)
    }

    public init(graph: TicketGraph, history: RunHistory, manifestPath: String, now: Double, isRunning: (ProcessIdentity) -> Bool) {
        let latest = history.latestRun(manifest: manifestPath)
        run = latest?.run
        limit = latest?.limit
        live = latest.map { history.isLive($0.run, isRunning: isRunning) } ?? false
        let states = latest.map { history.ticketStates(chain: history.chain(endingAt: $0.run)) } ?? [:]
        let held = HeldBack.reasonsIfAny(graph)
        entries = graph.tickets.enumerated().map { index, ticket in
            var entry = Self.entry(ticket, state: states[ticket.id], now: now, isRunning: isRunning)
            // What no run would start counts as held back, not as work left, whatever an earlier run left.
            if !held.isEmpty, let reason = held[index], Self.heldStates.contains(entry.state) {
                entry.state = .heldBack
                entry.detail = reason
            }
            return entry
        }
    }

    /// States a held-back ticket shows as `heldBack`: work a run would otherwise still do.
    private static let heldStates: Set<State> = [.pending, .skipped, .failed, .timedOut, .interrupted]

    private static func entry(_ ticket: Ticket, state: RunHistory.TicketState?, now: Double, isRunning: (ProcessIdentity) -> Bool) -> Entry {
        var entry = Entry(id: ticket.id, state: .pending, attempts: 0)
        if case .prompt = ticket.recipe { entry.agent = ticket.agentKind.rawValue }
        if ticket.isDone {
            entry.state = .done
            return entry
        }
        guard let state else { return entry }
        entry.attempts = state.attempts
        entry.stats = state.stats
        entry.slurmJob = state.slurmJob
        entry.verifyRuns = state.verifyRuns
        entry.verifyPassed = state.verifyPassed
        entry.session = state.session
        // As it ran (`--agent` may have chosen it), else as the manifest says.
        entry.agent = state.lastStart?.agent ?? entry.agent
        if state.isOpen, let start = state.lastStart {
            entry.state = .running
            entry.seconds = max(0, now - start.time)
            if start.process.pid > 0 {
                entry.pid = start.process.pid
                entry.alive = isRunning(start.process)
            }
            // Neither the recipe nor its parrun is left: it was cut short.
            if entry.alive != true && !isRunning(start.owner) { entry.state = .interrupted }
            return entry
        }
        guard let end = state.lastEnd else { return entry }
        entry.state = State(rawValue: end.status) ?? .failed
        entry.seconds = entry.state == .skipped ? nil : end.seconds
        entry.exitCode = end.exitCode
        entry.signal = end.signal
        entry.detail = end.detail
        entry.review = state.decision
        return entry
    }

    /// The run is over for every ticket: nothing is left that a run would start.
    public var isFinished: Bool {
        entries.allSatisfy { $0.state == .succeeded || $0.state == .done || $0.state == .heldBack }
    }

    /// `--launcher slurm`: Slurm's own state of running tickets' jobs (`squeue`'s,
    /// by ticket id); a ticket whose job waits in the queue is `queued`.
    public mutating func addSlurmStates(_ states: [String: String]) {
        for index in entries.indices where entries[index].state == .running {
            entries[index].slurmState = states[entries[index].id]
            if entries[index].slurmState == "queued" { entries[index].state = .queued }
        }
    }

    /// Running tickets have Slurm jobs to ask about.
    public var hasRunningSlurmJobs: Bool { entries.contains { $0.state == .running && $0.slurmJob != nil } }
}
