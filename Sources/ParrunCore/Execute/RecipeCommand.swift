import ParrunModel
import ParrunPlatform
import ParrunSupport

/// The process a ticket's recipe becomes.
struct RecipeCommand: Sendable, Equatable {
    var arguments: [String]
    /// Standard input: `/dev/null`, or the file holding a prompt.
    var inputPath: String
    /// A shell recipe run without the shell (see `DirectCommand`).
    var isDirect = false

    /// Nil for a ticket without a recipe (it succeeds at once).
    /// A shell script is the last argument of the shell command (`/bin/sh -ec SCRIPT`);
    /// a prompt goes to its agent's command (`AgentCLI`) on standard input, never through a shell.
    /// `session`: the agent session a prompt ticket's attempt starts or continues;
    /// `isolated`: it runs in a worktree of its own (`--worktree`).
    static func make(for ticket: Ticket, options: RunOptions, promptPath: String, session: AgentSessionPlan? = nil, isolated: Bool = false) -> RecipeCommand? {
        switch ticket.recipe {
        case .none:
            return nil
        case .shell(let script):
            if let words = DirectCommand.words(of: script, shell: options.shell) {
                return RecipeCommand(arguments: words, inputPath: "/dev/null", isDirect: true)
            }
            return RecipeCommand(arguments: options.shell + [script], inputPath: "/dev/null")
        case .prompt:
            let agent = Agents.cli(ticket.agentKind)
            return RecipeCommand(arguments: agent.command(Agents.baseCommand(agent.kind, options: options), ticket: ticket, session: session, isolated: isolated),
                                 inputPath: promptPath)
        }
    }

    /// The program a spawn of `arguments` executes, found on the PATH its process
    /// gets, as `/bin/sh` or `env` would find it. A recipe run without the shell
    /// whose ticket sets `PATH` in its `env` looks there (a spawn would look
    /// on parrun's own PATH); other programs (a shell, a launcher) go through the
    /// run's cached lookup on parrun's PATH. Nil leaves the search to the spawn (parrun's PATH).
    static func executable(of arguments: [String], command: RecipeCommand, ticket: Ticket, directory: String?, lookup: ExecutableLookup) -> String? {
        guard let program = arguments.first else { return nil }
        // The first of a name wins, as getenv finds it in the environment the child gets.
        guard let path = ticket.environment.first(where: { $0.name == "PATH" })?.value else { return lookup.resolve(program) }
        guard command.isDirect, program == command.arguments.first else { return nil }
        return ExecutableLookup.search(program, path: path, directory: directory)
    }

    /// The status a shell gives a command it cannot run: 127 not found, 126 not executable.
    static func shellStatus(for error: SystemError) -> Int32? {
        error.call == ProcessSpawner.call ? error.shellStatus : nil
    }

    /// What a recipe's environment adds to parrun's own: the ticket's `env`, then
    /// the `PARRUN_*` variables (which a ticket cannot override by accident).
    /// A `daemons` ticket gets no `PARRUN_SUPERVISOR`: the guardian stops what
    /// carries it when parrun dies, and the daemons it leaves are meant to outlive parrun.
    static func environment(ticket: Ticket, worker: Int, attempt: Int, runID: String, supervisor: String) -> [EnvironmentVariable] {
        // One array, filled in place: built from literals and joined, it took three allocations a start.
        var variables: [EnvironmentVariable] = []
        variables.reserveCapacity(givenNames.count + ticket.environment.count)
        if !ticket.daemons { variables.append(EnvironmentVariable(name: "PARRUN_SUPERVISOR", value: supervisor)) }
        variables.append(EnvironmentVariable(name: "PARRUN_TICKET_ID", value: ticket.id))
        variables.append(EnvironmentVariable(name: "PARRUN_TICKET_TITLE", value: ticket.title ?? ""))
        variables.append(EnvironmentVariable(name: "PARRUN_WORKER", value: String(worker)))
        variables.append(EnvironmentVariable(name: "PARRUN_ATTEMPT", value: String(attempt)))
        variables.append(EnvironmentVariable(name: "PARRUN_RUN_ID", value: runID))
        for variable in ticket.environment where !givenNames.contains(variable.name) { variables.append(variable) }
        return variables
    }

    /// Variables parrun sets for every recipe.
    static let givenNames: Set<String> = [
        "PARRUN_SUPERVISOR", "PARRUN_TICKET_ID", "PARRUN_TICKET_TITLE", "PARRUN_WORKER", "PARRUN_ATTEMPT", "PARRUN_RUN_ID",
    ]

    /// Variables that set up parrun itself (`PARRUN_JOBS` its -j, ...): they are
    /// for this parrun, so they are not passed on to recipes, where a nested
    /// parrun would take them as its own. A ticket's `env` may set them.
    static let settingNames: Set<String> = ["PARRUN_JOBS", "PARRUN_CLAUDE", "PARRUN_CODEX", "PARRUN_HELPER_TIMEOUT", "PARRUN_NO_PIDFD"]

    /// Names left out of the environment recipes inherit from parrun.
    static let reservedNames = givenNames.union(settingNames)

    /// Where a ticket runs: the manifest's directory, or its `cwd` relative to it;
    /// nil when that is parrun's own directory (no `chdir` needed in the child).
    static func directory(for ticket: Ticket, manifestDirectory: String) -> String? {
        guard let cwd = ticket.workingDirectory, !cwd.isEmpty else {
            return manifestDirectory == "." ? nil : manifestDirectory
        }
        return cwd.hasPrefix("/") ? cwd : manifestDirectory + "/" + cwd
    }
}
