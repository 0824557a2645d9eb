/// The agent side of one running attempt of a prompt ticket: the event
/// stream being read, and the raw events kept next to the log.
struct AgentAttempt {
    /// The ticket's agent CLI's decoder of this attempt's output.
    var stream: any AgentStream
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
