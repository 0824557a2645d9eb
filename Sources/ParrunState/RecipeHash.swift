import ParrunModel
import ParrunSupport

/// A hash of everything that decides what a ticket does when it runs, so that
/// `--resume` reruns a ticket whose recipe, shell, environment or directory changed.
public enum RecipeHash {
    public static func of(_ ticket: Ticket, shell: [String], claude: [String], codex: [String] = RunOptions.defaultCodex) -> String {
        var parts: [String] = [ticket.recipe.kind]
        switch ticket.recipe {
        case .none: break
        case .shell(let script): parts += shell + [script]
        // A claude ticket hashes as it did before there was a second agent.
        case .prompt(let prompt): parts += (ticket.agentKind == .codex ? ["agent", "codex"] + codex : claude) + [prompt]
        }
        parts.append(ticket.workingDirectory ?? "")
        for variable in ticket.environment { parts += [variable.name, variable.value] }
        return StableHash.hex(parts)
    }
}
