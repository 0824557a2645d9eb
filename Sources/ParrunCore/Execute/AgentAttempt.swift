/// How a prompt ticket's attempt talks to its agent session.
struct AgentSessionPlan: Sendable, Equatable {
    var id: String
    /// Continue the session (`--resume`) with a short prompt, instead of starting it.
    var resume: Bool
    /// Why it continues, for the continuation prompt.
    var reason: String = ""
    /// A follow-up prompt of its own (the verifier's output), instead of the continuation prompt.
    var followUp: String?

    /// The flags that choose the session; they go before the ticket's own flags.
    var arguments: [String] { resume ? ["--resume", id] : ["--session-id", id] }

    /// What the agent is told when its session continues.
    var continuationPrompt: String {
        if let followUp { return followUp }
        return "Your previous attempt at this task was \(reason) before it finished. "
            + "Continue from where you stopped, check what is already done, and complete the task.\n"
    }
}

/// The agent side of one running attempt of a prompt ticket: the event
/// stream being read, and the raw events kept next to the log.
struct AgentAttempt {
    var stream = ClaudeStream()
    let plan: AgentSessionPlan
    /// `.parrun/logs/ID.events.jsonl`: the CLI's output as it came.
    let events: LogFile
    /// Whether the session's start is in the journal yet.
    var sessionRecorded = false
}

/// What `--resume` does with a ticket whose work awaited review.
public enum ReviewState: Sendable, Equatable {
    /// Nobody decided yet: it awaits review again, without running.
    case pending
    /// Approved: it succeeds (its kept work from `run` lands, with --worktree).
    case approved(run: String)
    /// Rejected: it runs again; a prompt ticket in its session, told the reason.
    case rejected(reason: String?, session: String?)
}
