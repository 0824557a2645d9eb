import ParrunModel
import ParrunSupport

/// `codex exec --json`: the CLI names each new session (a thread, reported by
/// its `thread.started` event) and continues one with `resume THREAD_ID`; the
/// prompt is read from standard input (`-`). Of the ticket's agent fields
/// only `model` applies (`-m`); the claude-only ones (`maxTurns`, ...) do not.
struct CodexAgent: AgentCLI {
    var kind: AgentKind { .codex }
    var namesNewSessions: Bool { false }

    func command(_ base: [String], ticket: Ticket, session: AgentSessionPlan?, isolated: Bool) -> [String] {
        var arguments = base
        if isolated && !Self.choosesSandbox(base) {
            // As claude's acceptEdits: edits in its own worktree, never a question nobody is there to answer.
            arguments += ["--sandbox", Self.worktreeSandbox, "-c", "approval_policy=\"never\""]
        }
        if let model = ticket.claudeOptions.model { arguments += ["-m", model] }
        // Options before `resume`: codex takes exec's own there for a resumed thread too.
        if let session, session.resume { arguments += ["resume", session.id] }
        return arguments + ["-"]
    }

    /// codex reports each turn's own tokens: nothing of the session before is needed.
    func makeStream(for ticket: Ticket, base: [String], sessionBefore: AgentStats) -> any AgentStream {
        CodexStream(model: ticket.claudeOptions.model ?? Self.model(in: base))
    }

    /// `--worktree`: the sandbox a codex ticket gets unless its command chooses one.
    static let worktreeSandbox = "workspace-write"

    /// The command chooses the sandbox itself (or does without one).
    static func choosesSandbox(_ command: [String]) -> Bool {
        command.contains { word in
            ["-s", "--sandbox", "--full-auto", "--dangerously-bypass-approvals-and-sandbox"].contains(word)
                || word.hasPrefix("--sandbox=") || word.hasPrefix("sandbox_mode")
        }
    }

    /// The model the command names (`-m M`, `--model M`, `-c model=M`), for pricing its tokens.
    static func model(in command: [String]) -> String? {
        var found: String?
        for (index, word) in command.enumerated() {
            let next = index + 1 < command.count ? command[index + 1] : nil
            if word == "-m" || word == "--model" { found = next ?? found }
            if word.hasPrefix("--model=") { found = String(word.dropFirst("--model=".count)) }
            if word == "-c" || word == "--config", let next, next.hasPrefix("model=") {
                found = String(next.dropFirst("model=".count)).trimming("\"'")
            }
        }
        return found
    }
}
