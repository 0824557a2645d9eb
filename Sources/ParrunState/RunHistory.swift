import ParrunModel
import ParrunPlatform

/// What the journal says about the runs of one manifest: pure, built from records.
public struct RunHistory: Sendable {
    /// The last thing known of a ticket in a run (and the runs it continued).
    public struct TicketState: Sendable, Equatable {
        public var lastStart: JournalRecord.StartRecord?
        public var lastEnd: JournalRecord.EndRecord?
        /// Attempts started, across the runs of the chain.
        public var attempts = 0
        /// `--worktree`: times its work conflicted as it landed, since it last succeeded.
        public var conflicts = 0
        /// The agent session the CLI reported for the last attempt that reported one.
        public var session: String?
        /// Which run and attempt reported `session`: an agent whose CLI names
        /// its session only once it runs (codex's thread) has none in its start record.
        public var sessionRun: String?
        public var sessionAttempt: Int?
        /// A prompt ticket's agent stats over every attempt of the chain.
        public var stats: AgentStats?
        /// What each of its agent sessions used and cost, summed over the
        /// attempts given that session (their start or session records name
        /// it): what a continued session's next attempt subtracts from the
        /// totals its CLI reports (claude's cost, codex's tokens).
        public var sessionStats: [String: AgentStats] = [:]
        /// `--launcher slurm`: the job of its last attempt that reached Slurm.
        public var slurmJob: String?
        /// The decision on its work if it awaited review: made after its last end.
        public var review: JournalRecord.ReviewRecord?
        /// Times its verify gate ran, and whether the last one passed.
        public var verifyRuns = 0
        public var verifyPassed: Bool?
        /// The runs that started it since it last ended, oldest first: any of them
        /// may have landed its work before its parrun died (a resumed run that
        /// died too records a start of its own before it records the landing).
        public var openRuns: [String] = []

        /// Started and not ended: it was running when its parrun stopped (or still is).
        public var isOpen: Bool {
            guard let lastStart else { return false }
            guard let lastEnd else { return true }
            return lastEnd.run != lastStart.run || lastEnd.attempt < lastStart.attempt || lastEnd.time < lastStart.time
        }

        public var succeeded: Bool { !isOpen && lastEnd?.status == "succeeded" }

        /// The agent session of its last attempt, if that attempt was cut short:
        /// its parrun died (no end) or stopped it (Ctrl-C, SIGTERM, `--fail-fast`:
        /// an `interrupted` end), or the run stopped while it waited for a retry
        /// (a rate limit's, which continues the session). `--resume` continues
        /// the session rather than start over.
        public var interruptedSession: String? {
            guard let session, let lastStart else { return nil }
            // The session its last attempt started with, or (codex) the one that attempt reported.
            let reportedByLast = lastStart.session == nil && sessionRun == lastStart.run && sessionAttempt == lastStart.attempt
            guard session == lastStart.session || reportedByLast else { return nil }
            return isOpen || lastEnd?.status == "interrupted" || retryWouldContinueSession ? session : nil
        }

        /// The retries that continue the session: after a timeout, a rate or usage limit, or running out of turns.
        private var retryWouldContinueSession: Bool {
            guard let end = lastEnd, end.retry else { return false }
            return ["timed-out", "rate-limited", "usage-limited", "out-of-turns"].contains(end.status)
        }

        /// Its last end awaited review, and what was decided since (nil: nothing yet).
        public var awaitingReview: Bool { !isOpen && lastEnd?.status == "awaiting-review" }
        public var decision: JournalRecord.ReviewRecord? {
            guard awaitingReview, let review, let end = lastEnd, review.time >= end.time else { return nil }
            return review
        }
    }

    /// Every run record, in journal order (joins included).
    public let runs: [JournalRecord.RunRecord]
    private let runEnds: [String: [JournalRecord.RunEndRecord]]
    private let starts: [String: [JournalRecord.StartRecord]]
    private let ends: [String: [JournalRecord.EndRecord]]
    private let sessions: [String: [JournalRecord.SessionRecord]]
    private let verifies: [String: [JournalRecord.VerifyRecord]]
    private let reviews: [String: [JournalRecord.ReviewRecord]]
    private let slurmJobs: [String: [JournalRecord.SlurmJobRecord]]

    public init(_ records: [JournalRecord]) {
        var runs: [JournalRecord.RunRecord] = []
        var runEnds: [String: [JournalRecord.RunEndRecord]] = [:]
        var starts: [String: [JournalRecord.StartRecord]] = [:]
        var ends: [String: [JournalRecord.EndRecord]] = [:]
        var sessions: [String: [JournalRecord.SessionRecord]] = [:]
        var verifies: [String: [JournalRecord.VerifyRecord]] = [:]
        var reviews: [String: [JournalRecord.ReviewRecord]] = [:]
        var slurmJobs: [String: [JournalRecord.SlurmJobRecord]] = [:]
        for record in records {
            switch record {
            // Landings are for the user's recovery of a checkout, not for planning;
            // files records for the up-to-date check (`UpToDateCheck.lastFiles`).
            case .header, .landing, .files: break
            case .run(let run): runs.append(run)
            case .runEnd(let end): runEnds[end.run, default: []].append(end)
            case .start(let start): starts[start.run, default: []].append(start)
            case .end(let end): ends[end.run, default: []].append(end)
            case .session(let session): sessions[session.run, default: []].append(session)
            case .verify(let verify): verifies[verify.run, default: []].append(verify)
            case .review(let review): reviews[review.run, default: []].append(review)
            case .slurmJob(let job): slurmJobs[job.run, default: []].append(job)
            // Write-backs and hooks are the side of a run, read by `WriteBackBacklog`.
            case .writeBack, .hook: break
            }
        }
        self.runs = runs
        self.runEnds = runEnds
        self.starts = starts
        self.ends = ends
        self.sessions = sessions
        self.verifies = verifies
        self.reviews = reviews
        self.slurmJobs = slurmJobs
    }

    /// The most recent run of the manifest at `path` (not counting joins).
    public func latestRun(manifest path: String) -> JournalRecord.RunRecord? {
        runs.last { $0.manifest == path && !$0.joined }
    }

    /// The processes that worked on a run: its starter and every joiner.
    public func owners(of run: String) -> [ProcessIdentity] {
        runs.filter { $0.run == run }.map(\.owner)
    }

    /// True while a process of the run has not recorded its end and still runs.
    public func isLive(_ run: String, isRunning: (ProcessIdentity) -> Bool) -> Bool {
        let ended = Set((runEnds[run] ?? []).map(\.owner))
        return owners(of: run).contains { !ended.contains($0) && isRunning($0) }
    }

    /// True when the run's last process to finish recorded that every ticket succeeded.
    public func finishedSuccessfully(_ run: String) -> Bool {
        runEnds[run]?.last?.status == "succeeded"
    }

    /// One dictionary lookup for several changes to a value.
    private static func update(_ state: inout TicketState, _ change: (inout TicketState) -> Void) {
        change(&state)
    }

    /// `run` and the runs it continued, oldest first.
    public func chain(endingAt run: String) -> [String] {
        var chain: [String] = []
        var cursor: String? = run
        var seen = Set<String>()
        while let current = cursor, seen.insert(current).inserted {
            chain.append(current)
            cursor = runs.first { $0.run == current && !$0.joined }?.resumes
        }
        return chain.reversed()
    }

    /// One attempt of a ticket: its start, and its end once it ended.
    public struct Attempt: Sendable, Equatable {
        public var start: JournalRecord.StartRecord
        public var end: JournalRecord.EndRecord?
        /// Its verify gate's record, when the gate ran.
        public var verify: JournalRecord.VerifyRecord?
    }

    /// Every attempt of ticket `id` across the runs of `chain`, oldest first.
    /// An end belongs to the start of its run and attempt number that came before it.
    public func attempts(of id: String, chain: [String]) -> [Attempt] {
        var found: [Attempt] = []
        for run in chain {
            let ended = (ends[run] ?? []).filter { $0.id == id }
            let verified = (verifies[run] ?? []).filter { $0.id == id }
            for start in (starts[run] ?? []) where start.id == id {
                let end = ended.first { $0.attempt == start.attempt && $0.time >= start.time }
                let verify = verified.first { $0.attempt == start.attempt && $0.time >= start.time }
                found.append(Attempt(start: start, end: end, verify: verify))
            }
        }
        return found
    }

    /// The record that began `run` (not a join).
    public func runRecord(_ run: String) -> JournalRecord.RunRecord? {
        runs.first { $0.run == run && !$0.joined }
    }

    /// Per ticket id, the last start and end across the runs of `chain`.
    public func ticketStates(chain: [String]) -> [String: TicketState] {
        var states: [String: TicketState] = [:]
        // Sized up front: growing moves every state, and a state is a few hundred bytes.
        states.reserveCapacity(chain.reduce(0) { $0 + (starts[$1]?.count ?? 0) })
        // Records of one run are in journal order; the runs of a chain follow each other.
        for run in chain {
            for start in starts[run] ?? [] {
                Self.update(&states[start.id, default: TicketState()]) { state in
                    state.lastStart = start
                    state.attempts += 1
                }
            }
            var sessionOfAttempt: [String: [Int: String]] = [:]
            for start in starts[run] ?? [] { if let session = start.session { sessionOfAttempt[start.id, default: [:]][start.attempt] = session } }
            for session in sessions[run] ?? [] where sessionOfAttempt[session.id]?[session.attempt] == nil {
                sessionOfAttempt[session.id, default: [:]][session.attempt] = session.session
            }
            for end in ends[run] ?? [] {
                Self.update(&states[end.id, default: TicketState()]) { state in
                    state.lastEnd = end
                    if end.status == "conflict" { state.conflicts += 1 } else if end.status == "succeeded" { state.conflicts = 0 }
                    if let stats = end.stats {
                        state.stats = (state.stats ?? AgentStats()) + stats
                        if let session = sessionOfAttempt[end.id]?[end.attempt] { state.sessionStats[session, default: AgentStats()] = state.sessionStats[session, default: AgentStats()] + stats }
                    }
                }
            }
            for id in Set((starts[run] ?? []).map(\.id)).union((ends[run] ?? []).map(\.id)) {
                Self.update(&states[id, default: TicketState()]) { state in
                    if !state.isOpen {
                        state.openRuns = []
                    } else if state.openRuns.last != run {
                        state.openRuns.append(run)
                    }
                }
            }
            for session in sessions[run] ?? [] {
                states[session.id, default: TicketState()].session = session.session
                states[session.id, default: TicketState()].sessionRun = session.run
                states[session.id, default: TicketState()].sessionAttempt = session.attempt
            }
            for review in reviews[run] ?? [] { states[review.id, default: TicketState()].review = review }
            for job in slurmJobs[run] ?? [] { states[job.id, default: TicketState()].slurmJob = job.job }
            for verify in verifies[run] ?? [] {
                Self.update(&states[verify.id, default: TicketState()]) { state in
                    state.verifyRuns += 1
                    state.verifyPassed = verify.passed
                }
            }
        }
        return states
    }
}
