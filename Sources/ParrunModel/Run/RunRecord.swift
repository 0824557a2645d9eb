import ParrunSupport

/// How one attempt of a ticket ended.
public enum AttemptOutcome: Sendable, Equatable {
    case succeeded
    /// The recipe exited with a non-zero status or was killed by a signal.
    case failed(ExitStatus)
    /// It ran past its timeout and was stopped.
    case timedOut(seconds: Double)
    /// parrun stopped it: Ctrl-C, SIGTERM, or `--fail-fast` after another failure.
    case interrupted
    /// It could not be started at all (no such shell, bad directory, ...).
    case couldNotStart(String)
    /// A prompt ticket's agent did not finish its task (`error_max_turns`, no result, ...).
    case agentFailed(String)
    /// The API refused the agent's requests for their rate (429) or load (529).
    case rateLimited(String)
    /// The account's usage limit: prompt tickets wait until `resetsAt` (nil: unknown).
    case usageLimited(resetsAt: Double?, String)
    /// `--worktree`: the ticket's work conflicts with what landed since it started.
    case conflict([String])
    /// `--worktree`: its work could not be landed for another reason.
    case landingFailed(String)
    /// The recipe succeeded but its `verify` script did not (its exit status, in words).
    case verifyFailed(String)
    /// The recipe succeeded; the ticket (`review: true`) waits for `parrun approve`.
    case awaitingReview
    /// A prompt ticket's session ran out of turns (`error_max_turns`) or of
    /// context before it finished: it continues in the same session (`continuations`).
    case outOfTurns(String)
    /// `--worktree`: a prompt ticket's agent succeeded but changed nothing
    /// (a failure unless the ticket says `allowNoChange`).
    case noChange

    public var isSuccess: Bool { self == .succeeded }

    package var isOutOfTurns: Bool {
        if case .outOfTurns = self { true } else { false }
    }

    /// The word used in events and `status`: succeeded, failed, timed-out, interrupted.
    public var statusWord: String {
        switch self {
        case .succeeded: "succeeded"
        case .failed, .couldNotStart, .agentFailed: "failed"
        case .rateLimited: "rate-limited"
        case .usageLimited: "usage-limited"
        case .conflict: "conflict"
        case .landingFailed, .verifyFailed: "failed"
        case .awaitingReview: "awaiting-review"
        case .timedOut: "timed-out"
        case .interrupted: "interrupted"
        case .outOfTurns: "out-of-turns"
        case .noChange: "no-change"
        }
    }

    /// "exit 2", "killed by SIGSEGV", "timed out after 30s", ...
    public var detail: String {
        switch self {
        case .succeeded: "exit 0"
        case .failed(.exited(let code)): "exit \(code)"
        case .failed(.signaled(let signal)): "killed by \(ExitStatus.signalName(signal))"
        case .timedOut(let seconds): "timed out after \(DurationText.format(seconds: seconds))"
        case .interrupted: "interrupted"
        case .couldNotStart(let reason): "could not start: \(reason)"
        case .agentFailed(let detail), .rateLimited(let detail), .usageLimited(_, let detail), .landingFailed(let detail), .outOfTurns(let detail): detail
        case .noChange: "its agent changed nothing (allowNoChange: true accepts that)"
        case .verifyFailed(let exit): "verify failed (\(exit))"
        case .awaitingReview: "awaiting review"
        case .conflict(let paths): "conflict in " + (paths.isEmpty ? "its changes" : paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " (+\(paths.count - 5) more)" : ""))
        }
    }
}

/// What happened to a ticket in a run, as the summary and events report it.
public struct TicketRecord: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case succeeded
        case failed
        case timedOut
        case interrupted
        case skipped(dependency: Int, cause: Int)
        case notStarted
        case notInRun
        /// Another parrun working on the same run ran it.
        case ranElsewhere(succeeded: Bool)
        /// Another parrun was still running it when this one had nothing left to do.
        case runningElsewhere
        /// Its work waits for `parrun approve` or `parrun reject`.
        case awaitingReview
        /// `--worktree`: its agent changed nothing, and the ticket does not allow that.
        case noChange
    }

    public var status: Status = .notInRun
    /// Attempts started (retries included).
    public var attempts = 0
    /// The last attempt's outcome, if it ran.
    public var lastOutcome: AttemptOutcome?
    /// Seconds of the last attempt.
    public var seconds = 0.0
    /// Seconds of all attempts together.
    public var totalSeconds = 0.0
    /// A prompt ticket's agent stats, over all its attempts.
    public var stats: AgentStats?
    /// Times its verify gate ran, and how many of them failed.
    public var verifyRuns = 0
    public var verifyFailures = 0
    /// Times its agent session was continued after running out of turns or context.
    public var continuations = 0

    public init() {}
}

/// The end of a run: every ticket's record, timings and the exit status.
public struct RunResult: Sendable {
    public var records: [TicketRecord]
    public var wallSeconds: Double
    /// The signal that interrupted the run, if one did.
    public var interruptedBy: Int32?
    public var jobs: Int
    /// Waits for agent rate limits (back-offs) and usage limits (pauses), and their time.
    public var limitWaits = LimitWaits()
    /// `--max-cost` was reached: prompt tickets were held back.
    public var costLimitReached = false
    /// Why the journal could not be written, when that stopped the run.
    public var stateFailure: String?
    /// `--worktree`: tickets whose work conflicts again after every rerun it
    /// may have; `--resume` cannot take them further until the user resolves them.
    public var resolveByHand: [Int] = []

    public func count(_ matches: (TicketRecord.Status) -> Bool) -> Int {
        records.reduce(0) { $0 + (matches($1.status) ? 1 : 0) }
    }

    public var succeeded: Int { count { $0 == .succeeded } }
    public var failed: Int { count { $0 == .failed } }
    public var timedOut: Int { count { $0 == .timedOut } }
    public var interrupted: Int { count { $0 == .interrupted } }
    public var skipped: Int { count { if case .skipped = $0 { true } else { false } } }
    public var notStarted: Int { count { $0 == .notStarted } }
    public var ranElsewhere: Int { count { if case .ranElsewhere = $0 { true } else { false } } }
    public var failedElsewhere: Int { count { $0 == .ranElsewhere(succeeded: false) } }
    public var runningElsewhere: Int { count { $0 == .runningElsewhere } }
    public var awaitingReview: Int { count { $0 == .awaitingReview } }
    public var noChange: Int { count { $0 == .noChange } }

    /// Every prompt ticket's stats added up; nil when no agent ran.
    public var agentTotals: AgentStats? {
        let all = records.compactMap(\.stats)
        return all.isEmpty ? nil : all.reduce(AgentStats(), +)
    }

    /// Seconds of every attempt of every ticket.
    public var ticketSeconds: Double { records.reduce(0) { $0 + $1.totalSeconds } }

    /// 0 all succeeded, 1 a ticket failed or timed out, 5 the state could not
    /// be written, 128+N interrupted by signal N.
    public var exitCode: Int32 {
        // Before a signal: what the journal holds is what `--resume` must be told.
        if stateFailure != nil { return ExitCode.stateNotWritten.rawValue }
        if let interruptedBy { return 128 + interruptedBy }
        if failed + timedOut + interrupted + skipped + failedElsewhere + noChange > 0 { return ExitCode.ticketFailed.rawValue }
        // Tickets that wait behind an unreviewed one have not started; that is the review's doing.
        if awaitingReview > 0 { return ExitCode.awaitingReview.rawValue }
        return notStarted > 0 ? ExitCode.ticketFailed.rawValue : ExitCode.success.rawValue
    }
}

/// How often and how long a run waited on the agent API's limits.
public struct LimitWaits: Sendable, Equatable {
    /// Back-offs after a rate-limited (429) or overloaded (529) attempt.
    public var rateLimited = 0
    /// Rate limits (429, 529) the agents' CLIs retried themselves (`api_retry`), without a back-off of parrun's.
    public var rateLimitSignals = 0
    /// Pauses of every prompt ticket after the usage limit was reached.
    public var usageLimited = 0
    /// Seconds spent in those back-offs and pauses (overlaps counted once per ticket).
    public var seconds = 0.0
    /// Times rate limits lowered the agent pool's limit, and the lowest it went.
    public var agentLimitLowered = 0
    public var lowestAgentLimit: Int?

    public init() {}
}
