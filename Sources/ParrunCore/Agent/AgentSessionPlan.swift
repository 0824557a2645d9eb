/// How a prompt ticket's attempt talks to its agent session.
struct AgentSessionPlan: Sendable, Equatable {
    /// The session to start (an agent that names new sessions itself) or to
    /// continue; for an agent whose CLI names its sessions, a new session's is
    /// a placeholder, never passed or recorded.
    var id: String
    /// Continue the session with a short prompt, instead of starting it.
    var resume: Bool
    /// Why it continues, for the continuation prompt.
    var reason: String = ""
    /// A follow-up prompt of its own (the verifier's output), instead of the continuation prompt.
    var followUp: String?

    /// What the agent is told when its session continues.
    var continuationPrompt: String {
        if let followUp { return followUp }
        return "Your previous attempt at this task was \(reason) before it finished. "
            + "Continue from where you stopped, check what is already done, and complete the task.\n"
    }
}
