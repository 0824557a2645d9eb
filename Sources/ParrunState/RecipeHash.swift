import ParrunModel
import ParrunSupport

/// A hash of everything that decides what a ticket does when it runs, so that
/// `--resume` reruns a ticket whose recipe, shell, environment or directory changed.
public enum RecipeHash {
    public static func of(_ ticket: Ticket, shell: [String], claude: [String], codex: [String] = RunOptions.defaultCodex) -> String {
        var hash = StableHasher()
        hash.combine(ticket.recipe.kind)
        switch ticket.recipe {
        case .none: break
        case .shell(let script):
            hash.combine(shell)
            hash.combine(script)
        // A claude ticket hashes as it did before there was a second agent.
        case .prompt(let prompt):
            if ticket.agentKind == .codex {
                hash.combine(["agent", "codex"])
                hash.combine(codex)
            } else {
                hash.combine(claude)
            }
            hash.combine(prompt)
        }
        hash.combine(ticket.workingDirectory ?? "")
        for variable in ticket.environment {
            hash.combine(variable.name)
            hash.combine(variable.value)
        }
        return hash.hex
    }
}
