import ParrunSupport

/// How to run, from the command line and the manifest.
public struct RunOptions: Sendable {
    public enum Prefix: String, Sendable, CaseIterable {
        /// `[ID] ` with more than one job, nothing with one.
        case auto
        case id
        case worker
        case none
    }

    public enum OutputMode: String, Sendable, CaseIterable {
        /// Each line as it comes, prefixed.
        case lines
        /// A ticket's whole output when it ends, as make's `-O`.
        case grouped
    }

    public var policy = Scheduler.FailurePolicy()
    /// Write-back of store tickets' progress; nil for none (`--no-write-back`, no store).
    public var writeBack: WriteBackSettings?
    /// The manifest's `on` commands.
    public var hooks: Hooks?
    /// `--fail-fast`: stop running tickets at once after a failure.
    public var failFast = false
    /// `--timeout`: for tickets without their own.
    public var defaultTimeout: Double?
    /// `--retries`: for tickets without their own.
    public var defaultRetries = 0
    /// `--retries`, if given (the precedence of a ticket's `defaults`-inherited retries).
    public var commandLineRetries: Int?
    /// First back-off before a retry; it doubles with each attempt, with jitter.
    public var retryDelay = 1.0
    /// Seconds between SIGTERM and SIGKILL when stopping a ticket.
    public var gracePeriod = 5.0
    public var prefix = Prefix.auto
    public var output = OutputMode.lines
    /// No live status line, even on a terminal.
    public var quiet = false
    /// JSON events on standard output instead of text.
    public var json = false
    /// `--verbose`: each decision and spawned command on standard error.
    public var verbose = false
    /// Where logs and state go (`.parrun` next to the manifest).
    public var stateDirectory = ".parrun"
    /// Recipes run here unless a ticket names a `cwd`.
    public var manifestDirectory = "."
    /// The command a shell recipe is appended to.
    public var shell = RunOptions.defaultShell
    public static let defaultShell = ["/bin/sh", "-ec"]
    /// The command a prompt recipe runs, with the prompt on standard input.
    public var claude = RunOptions.defaultClaude
    public static let defaultClaude = ["claude", "-p", "--output-format", "stream-json", "--verbose"]
    /// The command a codex prompt ticket runs (`agent: codex`), with the prompt on standard input.
    public var codex = RunOptions.defaultCodex
    public static let defaultCodex = ["codex", "exec", "--json", "--skip-git-repo-check"]
    /// `--fresh-sessions`: never continue an interrupted prompt ticket's agent session.
    public var freshSessions = false
    /// `--max-cost`: no prompt ticket starts once the run's agents have cost this many dollars.
    public var maxCostUSD: Double?
    /// What the agents of the runs this one continues (or joins) had cost when it
    /// started: `--max-cost` counts it, so `--resume` does not get a new budget.
    public var costSpentEarlierUSD = 0.0
    /// How an agent attempt that never reported its cost is estimated: the
    /// list prices and the manifest's `prices`.
    public var prices = ModelPrices()
    /// First back-off after a rate-limited attempt; doubles, with jitter.
    public var rateLimitWait = 30.0
    /// How long prompt tickets pause after the usage limit when its reset time is unknown.
    public var usageLimitWait = 900.0
    /// How much of a failed verifier's output (its end) goes back to the agent.
    public var verifyFeedbackBytes = 4000
    /// `--launcher slurm`: every ticket runs as an `srun` job.
    public var slurm = false
    /// `--launcher CMD`: every recipe's argv is appended to this command (ssh, docker exec, ...).
    public var launcherCommand: [String]?
    /// What to type to continue this run, for the summary (`parrun --resume ...`).
    public var resumeCommand: String?
    /// The same without its `--max-cost`: once the limit is reached, the
    /// summary offers this with a raised one, since the same limit stops at once.
    public var resumeCommandWithoutMaxCost: String?
    /// `worktreeSetup`: run in each new worktree before the recipe; its failure fails the ticket.
    public var worktreeSetup: String?
    /// `--keep-worktrees`: leave the worktrees of tickets that landed.
    public var keepWorktrees = false
    /// `--on-conflict rerun`: a ticket whose work conflicts runs once more, from the new head.
    public var rerunOnConflict = false
    /// What earlier runs say this one takes (`RunEstimate`); the summary compares.
    public var estimate: RunEstimate?
    /// `--limit N`, and the tickets it left pending for the next run.
    public var limit: Int?
    public var pendingByLimit = 0
    /// `--resume`: per ticket id, the conflicts its work had in the runs this one
    /// continues; they count against its conflict reruns (`RetryPolicy.conflictReruns`).
    public var earlierConflicts: [String: Int] = [:]
    /// After a rate limit lowered the agent limit, how long without one before it rises by one.
    public var agentLimitQuiet = 60.0
    /// Rate- and usage-limited attempts a ticket may have, beyond its `retries`.
    public var limitRetries = 8

    /// Wait on pidfds for exits (Linux 5.3+). Off only to test the fallback for
    /// older kernels (`PARRUN_NO_PIDFD=1`), which finds exits by end of output and timer ticks.
    public var useExitDescriptors = true

    public init() {}

    public var logDirectory: String { stateDirectory + "/logs" }

    /// `logs/ID.log`, or a hashed name for an id that cannot be a file name (`LogFileName`).
    public func logPath(_ id: String) -> String { logDirectory + "/" + LogFileName.name(id) }

    /// `--launcher slurm`: where each job writes its id (on the filesystem shared with the nodes).
    public var slurmJobDirectory: String { stateDirectory + "/slurm" }
}
