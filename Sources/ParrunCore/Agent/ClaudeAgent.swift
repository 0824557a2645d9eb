import ParrunModel

/// `claude -p --output-format stream-json --verbose`: parrun names each new
/// session (`--session-id`) and continues one with `--resume`; the ticket's
/// claude fields become flags (`ClaudeOptions`).
struct ClaudeAgent: AgentCLI {
    var kind: AgentKind { .claude }
    var namesNewSessions: Bool { true }

    func command(_ base: [String], ticket: Ticket, session: AgentSessionPlan?, isolated: Bool) -> [String] {
        let sessionFlags = session.map { $0.resume ? ["--resume", $0.id] : ["--session-id", $0.id] } ?? []
        let permission = isolated ? Self.defaultPermission(ticket, claude: base) : []
        return base + sessionFlags + permission + ticket.claudeOptions.arguments
    }

    func makeStream(for ticket: Ticket, base: [String], sessionBefore: AgentStats) -> any AgentStream {
        ClaudeStream(sessionCostBefore: sessionBefore.costUSD)
    }

    /// `--worktree`: the permission mode an agent gets when neither its ticket
    /// (or `defaults`) nor the claude command chooses one. No one is there to
    /// grant a write, so without it an agent denied its edits would end
    /// "successfully" having done nothing; `acceptEdits` lets it edit files in
    /// its own worktree (where nothing lands unseen: landing shows every change)
    /// while other tools still need `allowedTools`, unlike `bypassPermissions`.
    static let worktreePermissionMode = "acceptEdits"

    private static func defaultPermission(_ ticket: Ticket, claude: [String]) -> [String] {
        guard ticket.claudeOptions.permissionMode == nil,
              !claude.contains(where: { $0 == "--permission-mode" || $0.hasPrefix("--permission-mode=") || $0 == "--dangerously-skip-permissions" })
        else { return [] }
        return ["--permission-mode", worktreePermissionMode]
    }
}
