import ParrunModel
import ParrunPlatform
import ParrunSupport

/// An agent CLI parrun runs prompt tickets through: how its command is built
/// (a new session, or continuing one), and a fresh decoder for each attempt's
/// output. claude (`ClaudeAgent`) and codex (`CodexAgent`) are the two; the
/// runner and the controller know only this interface and `AgentKind`, so a
/// third CLI is a file of its own here plus a case there.
protocol AgentCLI: Sendable {
    var kind: AgentKind { get }
    /// parrun names a new session itself (claude's `--session-id`), or the
    /// CLI names it and says so in its output (codex's `thread.started`).
    var namesNewSessions: Bool { get }
    /// The argv of an attempt: `base` (the configured command) with the flags
    /// that start or continue `session`, the ticket's own options, and, in a
    /// worktree of its own (`isolated`), what lets the agent edit its files
    /// unattended unless the command or the ticket chose otherwise. The
    /// prompt goes on standard input.
    func command(_ base: [String], ticket: Ticket, session: AgentSessionPlan?, isolated: Bool) -> [String]
    /// A decoder for one attempt of `ticket`'s output, run by `base` (the model
    /// they name prices an estimate); `sessionBefore`: what the session it
    /// continues has used so far (nothing for a new one).
    func makeStream(for ticket: Ticket, base: [String], sessionBefore: AgentStats) -> any AgentStream
}

/// One attempt's output as an agent CLI writes it: each implementation
/// decodes lines into typed events of its own (`ClaudeEvent`, `CodexEvent`)
/// and folds them into what parrun shows, records and decides on. Pure:
/// lines in, lines and a verdict out.
protocol AgentStream: Sendable {
    /// The session (thread) the CLI reported, once it has.
    var session: String? { get }
    /// The lines to show for one line of output.
    mutating func consume(_ line: String) -> [String]
    /// Rate limits the CLI retries itself, seen since the last call, each once.
    mutating func takeRateLimitRetries() -> [APIRetry]
    /// What this attempt used and cost, given what its session had before it
    /// (a CLI that reports session totals is counted by the difference); nil: nothing.
    func attemptStats(sessionBefore: AgentStats, prices: ModelPrices) -> AgentStats?
    /// How the attempt ended, given the process's exit status.
    func verdict(exit status: ExitStatus) -> AgentVerdict
}

/// How an agent's attempt ended, as its CLI's output and exit status tell.
public enum AgentVerdict: Sendable, Equatable {
    case succeeded
    /// Rate-limited or overloaded: retry after a back-off, whatever `retries` says.
    case rateLimited(String)
    /// The usage limit: pause the agent's prompt tickets until `resetsAt` (nil: unknown), then retry.
    case usageLimited(resetsAt: Double?, String)
    /// The session ran out of turns or context before it finished: it may continue.
    case outOfTurns(String)
    case failed(String)

    /// The attempt's outcome, as the controller takes it.
    var outcome: AttemptOutcome {
        switch self {
        case .succeeded: .succeeded
        case .failed(let detail): .agentFailed(detail)
        case .rateLimited(let detail): .rateLimited(detail)
        case .usageLimited(let resetsAt, let detail): .usageLimited(resetsAt: resetsAt, detail)
        case .outOfTurns(let detail): .outOfTurns(detail)
        }
    }
}

/// The agent CLIs, by kind.
enum Agents {
    static func cli(_ kind: AgentKind) -> any AgentCLI {
        switch kind {
        case .claude: ClaudeAgent()
        case .codex: CodexAgent()
        }
    }

    /// The configured command of `kind` (`--claude`, `--codex`, ...).
    static func baseCommand(_ kind: AgentKind, options: RunOptions) -> [String] {
        switch kind {
        case .claude: options.claude
        case .codex: options.codex
        }
    }

    /// "exit 1", "killed by SIGTERM": how a CLI's process ended, for verdicts.
    static func exitText(_ status: ExitStatus) -> String {
        switch status {
        case .exited(let code): "exit \(code)"
        case .signaled(let signal): "killed by \(ProcessControl.signalName(signal))"
        }
    }

    /// The first line of `text`, cut to `limit` characters.
    static func oneLine(_ text: String, limit: Int = 160) -> String {
        let first = text.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        return first.count > limit ? String(first.prefix(limit)) + "..." : first
    }
}
