import ParrunSupport

/// What happened during a run, in order; reporters turn these into text,
/// a status line or JSON events.
public enum RunEvent: Sendable {
    case runStarted(RunStart)
    case ticketStarted(ticket: Int, attempt: Int, worker: Int, pid: Int32)
    case output(ticket: Int, attempt: Int, worker: Int, line: String)
    /// `retryIn` is set when another attempt follows after that many seconds.
    /// `stats`: what a prompt ticket's agent reported for this attempt.
    case ticketEnded(ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, retryIn: Double?, stats: AgentStats?)
    case ticketSkipped(ticket: Int, dependency: Int, cause: Int)
    /// These tickets do not run: their files and dependencies are as when they last succeeded.
    case ticketsUpToDate([Int])
    /// The run is stopping: the retry a `ticketEnded` announced (`retryIn`) will not happen.
    case retryCancelled(ticket: Int)
    /// `--launcher slurm`: the ticket's Slurm job and its state (`queued`, `running`, ...).
    case ticketSlurm(ticket: Int, job: String, state: String)
    /// A ticket's verify gate ended (`exitCode` nil when it was killed or could not start).
    case ticketVerified(ticket: Int, attempt: Int, passed: Bool, exitCode: Int?)
    /// Another parrun on the same run holds the ticket (`holder` 0 if unknown); this one waits for it.
    case ticketElsewhere(ticket: Int, holder: Int32)
    /// Something worth a line that is not a ticket's: a claim taken over, a ticket found done.
    case notice(String)
    /// `agent`'s API rate-limits: at most `limit` of its prompt tickets run at once now (of `configured`).
    case agentLimit(limit: Int, configured: Int, agent: AgentKind)
    /// A ticket's agent CLI met a rate limit and retries the request itself;
    /// at most `limit` prompt tickets run at once now, of `configured` (nil without an agent pool).
    case rateLimitSeen(RateLimitSignal, limit: Int?, configured: Int?)
    /// `agent`'s prompt tickets do not start until `until` (seconds since 1970; nil: the pause ended).
    case agentsPaused(until: Double?, reason: String, agent: AgentKind)
    /// A signal arrived; running tickets are being stopped.
    case stopping(signal: Int32?, reason: String)
    case runFinished(RunResult)
    /// `--worktree`: the ticket's work landed on the integration branch, which is now at `commit`.
    case landed(ticket: Int, commit: String)
    /// `--worktree`: the ticket's work conflicted with what landed before it.
    case conflicted(ticket: Int, ConflictReport)
}

/// `--worktree`: a ticket's work that conflicted, where it is kept, and what comes next.
public struct ConflictReport: Sendable, Equatable {
    public enum Next: String, Sendable {
        /// `--on-conflict rerun`: it reruns at once, from the new head.
        case rerunNow = "rerun"
        /// `--resume` reruns it from the new head.
        case rerunOnResume = "rerun-on-resume"
        /// Its conflict reruns are spent: the user resolves it, then `--resume` lands that.
        case byHand = "by-hand"
    }

    /// The paths that conflicted.
    public var files: [String]
    /// Its worktree and branch, kept as they were.
    public var worktree: String
    public var branch: String
    /// The branch it did not land on.
    public var integration: String
    public var next: Next
    /// Its conflicts so far (over the runs `--resume` continued), and the reruns it may have after them.
    public var conflicts: Int
    public var rerunLimit: Int
    /// A rerun continues its agent's session (a prompt ticket), telling it what conflicted.
    public var agentContinues = false

    package init(files: [String], worktree: String, branch: String, integration: String, next: Next, conflicts: Int, rerunLimit: Int) {
        self.files = files
        self.worktree = worktree
        self.branch = branch
        self.integration = integration
        self.next = next
        self.conflicts = conflicts
        self.rerunLimit = rerunLimit
    }
}

/// A running prompt ticket's agent CLI was refused for the API's rate (429)
/// or load (529) and retries by itself (its `api_retry` event).
public struct RateLimitSignal: Sendable, Equatable {
    public var ticket: Int
    /// The ticket's attempt (parrun's count).
    public var attempt: Int
    /// The CLI's retry of the request (1 for the first) and how many it makes at most.
    public var retry: Int?
    public var maxRetries: Int?
    /// Seconds until the CLI tries again.
    public var retryIn: Double?
    /// The HTTP status refused (429 or 529), if the CLI said.
    public var status: Int?
    /// The agent whose CLI was refused: its pool is the one throttled.
    public var agent = AgentKind.claude

    package init(ticket: Int, attempt: Int, retry: Int? = nil, maxRetries: Int? = nil, retryIn: Double? = nil, status: Int? = nil) {
        self.ticket = ticket
        self.attempt = attempt
        self.retry = retry
        self.maxRetries = maxRetries
        self.retryIn = retryIn
        self.status = status
    }
}

public struct RunStart: Sendable {
    public var runID: String
    public var manifestName: String
    public var jobs: Int
    public var tickets: Int
    public var toRun: Int
    /// Wall-clock start, seconds since the epoch.
    public var startedAt: Double

    package init(runID: String, manifestName: String, jobs: Int, tickets: Int, toRun: Int, startedAt: Double) {
        self.runID = runID
        self.manifestName = manifestName
        self.jobs = jobs
        self.tickets = tickets
        self.toRun = toRun
        self.startedAt = startedAt
    }
}

public protocol RunReporter {
    /// `elapsed`: seconds since the run started.
    mutating func report(_ event: RunEvent, elapsed: Double)
    /// Called about once a second while tickets run, to redraw a clock.
    mutating func tick(elapsed: Double)
    /// Whole lines of a ticket's output, each ending in a line break, already
    /// plain text (ASCII, no CR): passed through as bytes when the reporter
    /// can (false: it wants them as `.output` events instead).
    mutating func reportPlainLines(_ lines: UnsafeRawBufferPointer, ticket: Int, worker: Int, elapsed: Double) -> Bool
}

extension RunReporter {
    public mutating func reportPlainLines(_ lines: UnsafeRawBufferPointer, ticket: Int, worker: Int, elapsed: Double) -> Bool { false }
}
