import ParrunState

/// Every command-line option, in the one table that both the parser and
/// `--help` read, so the two can never disagree.
public enum OptionKey: Sendable, Equatable {
    case file
    case directory
    case maxManifestSize
    case strict
    case jobs
    case dryRun
    case graph
    case summary
    case keepGoing
    case alwaysRun
    case failFast
    case maxFailures
    case timeout
    case retries
    case retryDelay
    case grace
    case prefix
    case output
    case quiet
    case json
    case resume
    case stateDirectory
    case noJournal
    case noWriteBack
    case claude
    case codex
    case agent
    case freshSessions
    case maxCost
    case agents
    case promptTemplate
    case worktree
    case into
    case base
    case merge
    case keepWorktrees
    case onConflict
    case rerunConflicts
    case agentLimitQuiet
    case reason
    case verifyFeedback
    case launcher
    case rateLimitWait
    case usageLimitWait
    case label
    case limit
    case tail
    case follow
    case noPager
    case force
    case help
    case version
    case traceFile
    case listIDs
    case verbose
    case color
}

public struct OptionSpec: Sendable {
    public let key: OptionKey
    public let short: Character?
    public let long: String
    /// The value's name in help (`N|auto`); nil for a flag.
    public let valueName: String?
    public let help: String
}

public enum OptionTable {
    public static let options: [OptionSpec] = [
        OptionSpec(key: .file, short: "f", long: "file", valueName: "FILE",
                   help: "read the manifest from FILE (`-` reads standard input)"),
        OptionSpec(key: .directory, short: "C", long: "directory", valueName: "DIR",
                   help: "change to DIR before reading the manifest, as make -C"),
        OptionSpec(key: .maxManifestSize, short: nil, long: "max-manifest-size", valueName: "SIZE",
                   help: "refuse a manifest or ticket store larger than SIZE bytes (K, M, G suffixes; default 64M)"),
        OptionSpec(key: .strict, short: nil, long: "strict", valueName: nil,
                   help: "make unknown keys in the manifest errors instead of warnings"),
        OptionSpec(key: .jobs, short: "j", long: "jobs", valueName: "N|auto",
                   help: "run N tickets at once; auto = cores/2, 1..8 (default: PARRUN_JOBS, the manifest's jobs, 1)"),
        OptionSpec(key: .dryRun, short: "n", long: "dry-run", valueName: nil,
                   help: "print the plan (waves, critical path, counts, jobs) and run nothing"),
        OptionSpec(key: .graph, short: nil, long: "graph", valueName: "dot|mermaid|json",
                   help: "print the graph in that format instead of the plan; runs nothing"),
        OptionSpec(key: .label, short: nil, long: "label", valueName: "L",
                   help: "run only tickets carrying label L, and what they depend on (repeatable: every label given)"),
        OptionSpec(key: .limit, short: nil, long: "limit", valueName: "N",
                   help: "start at most N tickets, in priority order; the rest stay pending for parrun --resume"),
        OptionSpec(key: .summary, short: nil, long: "summary", valueName: nil,
                   help: "print only the plan's counts; runs nothing"),
        OptionSpec(key: .alwaysRun, short: "B", long: "always-run", valueName: nil,
                   help: "run every ticket, even those whose inputs and outputs are up to date (make -B)"),
        OptionSpec(key: .keepGoing, short: "k", long: "keep-going", valueName: nil,
                   help: "after a failure, go on with every ticket that does not depend on it"),
        OptionSpec(key: .failFast, short: nil, long: "fail-fast", valueName: nil,
                   help: "after a failure, stop the running tickets at once"),
        OptionSpec(key: .maxFailures, short: nil, long: "max-failures", valueName: "N",
                   help: "stop starting tickets after N failures, even with -k"),
        OptionSpec(key: .timeout, short: nil, long: "timeout", valueName: "DURATION",
                   help: "stop a ticket after DURATION (90s, 30m, 1h) unless it sets its own timeout"),
        OptionSpec(key: .retries, short: nil, long: "retries", valueName: "N",
                   help: "run a failed ticket again up to N times unless it sets its own retries"),
        OptionSpec(key: .retryDelay, short: nil, long: "retry-delay", valueName: "DURATION",
                   help: "wait about this long before the first retry, doubling each time (default 1s)"),
        OptionSpec(key: .grace, short: nil, long: "grace", valueName: "DURATION",
                   help: "time between SIGTERM and SIGKILL when stopping a ticket (default 5s)"),
        OptionSpec(key: .prefix, short: nil, long: "prefix", valueName: "id|worker|none",
                   help: "prefix of output lines: [ID], [W0] or nothing (default: [ID] with more than one job)"),
        OptionSpec(key: .output, short: nil, long: "output", valueName: "lines|grouped",
                   help: "print lines as they come, or each ticket's output when it ends (make -O)"),
        OptionSpec(key: .quiet, short: "q", long: "quiet", valueName: nil,
                   help: "no live status line; plain event lines instead"),
        OptionSpec(key: .json, short: nil, long: "json", valueName: nil,
                   help: "write one JSON event per line to standard output (schema: docs/scripting.md)"),
        OptionSpec(key: .resume, short: nil, long: "resume", valueName: nil,
                   help: "continue the latest run: skip what succeeded, rerun what did not and what depends on it"),
        OptionSpec(key: .stateDirectory, short: nil, long: "state-dir", valueName: "DIR",
                   help: "keep the journal and logs in DIR instead of .parrun next to the manifest"),
        OptionSpec(key: .noJournal, short: nil, long: "no-journal", valueName: nil,
                   help: "record nothing for --resume (logs are still written)"),
        OptionSpec(key: .noWriteBack, short: nil, long: "no-write-back", valueName: nil,
                   help: "do not record tickets' progress in the store they came from (beads through bd, task files, ticket indexes)"),
        OptionSpec(key: .claude, short: nil, long: "claude", valueName: "CMD",
                   help: "the command prompt tickets run (default: PARRUN_CLAUDE, the manifest's claude, claude -p --output-format stream-json --verbose)"),
        OptionSpec(key: .codex, short: nil, long: "codex", valueName: "CMD",
                   help: "the command codex prompt tickets run (default: PARRUN_CODEX, the manifest's codex, codex exec --json --skip-git-repo-check)"),
        OptionSpec(key: .agent, short: nil, long: "agent", valueName: "claude|codex",
                   help: "the agent CLI of prompt tickets that do not name their own agent (over the manifest's defaults; default: claude)"),
        OptionSpec(key: .freshSessions, short: nil, long: "fresh-sessions", valueName: nil,
                   help: "start every prompt ticket in a new agent session, even an interrupted one"),
        OptionSpec(key: .agents, short: nil, long: "agents", valueName: "N",
                   help: "run at most N claude prompt tickets at once, in slots of their own apart from -j (default: the manifest's pool claude, else 3; codex tickets: pool codex, else 2)"),
        OptionSpec(key: .maxCost, short: nil, long: "max-cost", valueName: "USD",
                   help: "start no prompt ticket once the run's agents have cost USD dollars"),
        OptionSpec(key: .launcher, short: nil, long: "launcher", valueName: "local|slurm|CMD",
                   help: "run tickets here, each as a Slurm job (srun; -j auto then uses the cluster's CPUs), or under CMD ({} in CMD: the recipe as one quoted string)"),
        OptionSpec(key: .worktree, short: nil, long: "worktree", valueName: nil,
                   help: "run each ticket in its own git worktree and land its work on the branch one at a time"),
        OptionSpec(key: .into, short: nil, long: "into", valueName: "BRANCH",
                   help: "with --worktree: the branch work lands on (default: the branch checked out)"),
        OptionSpec(key: .base, short: nil, long: "base", valueName: "REF",
                   help: "with --worktree: where the --into branch starts if it does not exist yet (default: HEAD)"),
        OptionSpec(key: .merge, short: nil, long: "merge", valueName: "rebase|merge|squash",
                   help: "with --worktree: how work lands (default rebase, then fast-forward)"),
        OptionSpec(key: .keepWorktrees, short: nil, long: "keep-worktrees", valueName: nil,
                   help: "with --worktree: keep the worktrees of tickets that landed"),
        OptionSpec(key: .onConflict, short: nil, long: "on-conflict", valueName: "fail|rerun",
                   help: "with --worktree: a ticket whose work conflicts stops for --resume (default), or reruns at once from the new head"),
        OptionSpec(key: .rerunConflicts, short: nil, long: "rerun-conflicts", valueName: nil,
                   help: "with --resume --worktree: run conflict tickets again instead of landing their fixed branches"),
        OptionSpec(key: .promptTemplate, short: nil, long: "prompt-template", valueName: "FILE",
                   help: "the prompt of every ticket without a recipe: FILE with {{id}}, {{title}}, {{description}}, {{deps}}, {{FIELD}}"),
        OptionSpec(key: .rateLimitWait, short: nil, long: "rate-limit-wait", valueName: "DURATION",
                   help: "first back-off after an agent is rate-limited (429/529), doubling with jitter (default 30s)"),
        OptionSpec(key: .usageLimitWait, short: nil, long: "usage-limit-wait", valueName: "DURATION",
                   help: "how long prompt tickets pause after a usage limit whose reset time is unknown (default 15m)"),
        OptionSpec(key: .verifyFeedback, short: nil, long: "verify-feedback", valueName: "BYTES",
                   help: "how much of a failed verifier's output (its end) goes back to the agent (default 4000)"),
        OptionSpec(key: .agentLimitQuiet, short: nil, long: "agent-limit-quiet", valueName: "DURATION",
                   help: "after rate limits lowered how many agents run at once, raise it by one after this long without one (default 60s)"),
        OptionSpec(key: .tail, short: nil, long: "tail", valueName: "N",
                   help: "logs: print only the last N lines"),
        OptionSpec(key: .follow, short: nil, long: "follow", valueName: nil,
                   help: "logs: keep printing what the ticket writes until it ends, as tail -f"),
        OptionSpec(key: .noPager, short: nil, long: "no-pager", valueName: nil,
                   help: "diff: print without git's pager, as git --no-pager"),
        OptionSpec(key: .force, short: nil, long: "force", valueName: nil,
                   help: "clean: remove the state even while a run of it is live"),
        OptionSpec(key: .reason, short: nil, long: "reason", valueName: "TEXT",
                   help: "reject: why; a rejected prompt ticket's agent is told"),
        OptionSpec(key: .traceFile, short: "o", long: "output-file", valueName: "FILE",
                   help: "trace: write the trace to FILE instead of standard output"),
        OptionSpec(key: .listIDs, short: nil, long: "list-ids", valueName: nil,
                   help: "print the manifest's ticket ids, one a line, and run nothing (for shell completion)"),
        OptionSpec(key: .verbose, short: "v", long: "verbose", valueName: nil,
                   help: "say each decision (what starts, retries, stops, lands, and why) and each command spawned, on standard error"),
        OptionSpec(key: .color, short: nil, long: "color", valueName: "auto|always|never",
                   help: "colour parrun's own messages: auto (a terminal, unless NO_COLOR is set or TERM=dumb), always or never"),
        OptionSpec(key: .help, short: "h", long: "help", valueName: nil,
                   help: "show this help"),
        OptionSpec(key: .version, short: nil, long: "version", valueName: nil,
                   help: "print parrun's version"),
    ]

    static func option(long name: String) -> OptionSpec? {
        options.first { $0.long == name }
    }

    static func option(short name: Character) -> OptionSpec? {
        options.first { $0.short == name }
    }

    /// `-j, --jobs N|auto` as help and error messages show it.
    static func spelling(of option: OptionSpec) -> String {
        (option.short.map { "-\($0), " } ?? "") + "--" + option.long
    }
}
