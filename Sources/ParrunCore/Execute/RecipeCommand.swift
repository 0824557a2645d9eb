/// The process a ticket's recipe becomes.
struct RecipeCommand: Sendable, Equatable {
    var arguments: [String]
    /// Standard input: `/dev/null`, or the file holding a prompt.
    var inputPath: String

    /// Nil for a ticket without a recipe (it succeeds at once).
    /// A shell script is the last argument of the shell command (`/bin/sh -ec SCRIPT`);
    /// a prompt goes to the claude command on standard input, never through a shell.
    static func make(for ticket: Ticket, options: RunOptions, promptPath: String) -> RecipeCommand? {
        switch ticket.recipe {
        case .none:
            return nil
        case .shell(let script):
            return RecipeCommand(arguments: options.shell + [script], inputPath: "/dev/null")
        case .prompt:
            return RecipeCommand(arguments: options.claude, inputPath: promptPath)
        }
    }

    /// The recipe's environment: parrun's own, then the ticket's `env`, then the
    /// `PARRUN_*` variables (which a ticket cannot override by accident).
    static func environment(
        base: [String: String], ticket: Ticket, worker: Int, attempt: Int, jobs: Int, runID: String
    ) -> [String] {
        var variables = base
        for variable in ticket.environment { variables[variable.name] = variable.value }
        variables["PARRUN_TICKET_ID"] = ticket.id
        variables["PARRUN_TICKET_TITLE"] = ticket.title ?? ""
        variables["PARRUN_WORKER"] = String(worker)
        variables["PARRUN_ATTEMPT"] = String(attempt)
        variables["PARRUN_JOBS"] = String(jobs)
        variables["PARRUN_RUN_ID"] = runID
        return variables.map { $0.key + "=" + $0.value }
    }

    /// Where a ticket runs: the manifest's directory, or its `cwd` relative to it.
    static func directory(for ticket: Ticket, manifestDirectory: String) -> String {
        guard let cwd = ticket.workingDirectory, !cwd.isEmpty else { return manifestDirectory }
        return cwd.hasPrefix("/") ? cwd : manifestDirectory + "/" + cwd
    }
}
