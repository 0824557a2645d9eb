/// Every subcommand, in the one table that `--help`, `parrun help COMMAND`,
/// the man page and the completion scripts read.
struct CommandSpec: Sendable {
    let command: Invocation.Command
    /// What follows `parrun NAME` in the usage line.
    let arguments: String
    /// One line for the list of commands.
    let summary: String
    /// The paragraph `parrun help NAME` prints under the usage line.
    let description: String
    /// The options this command takes, besides `-h, --help`.
    let options: [OptionKey]
    /// What the command's positional arguments are, for completion.
    let operand: Operand
    /// Help for an option that means something else here (`--json`).
    var optionHelp: [OptionKey: String] = [:]
    /// Left out of `--help`, the man page's list and completion (tools' commands).
    var hidden = false

    enum Operand: Sendable { case none, manifest, ticket, tickets, command, shell }
}

enum CommandTable {
    /// The options every command that reads a manifest's state takes.
    static let manifestOptions: [OptionKey] = [.file, .directory, .stateDirectory]

    static let commands: [CommandSpec] = [
        CommandSpec(command: .status, arguments: "[MANIFEST] [--json]", summary: "each ticket's state in the latest run",
                    description: "Each ticket's state in the latest run of MANIFEST (and the runs it continued), with attempts, time, exit codes, agents' cost, Slurm jobs and review decisions.",
                    options: [.json] + manifestOptions, operand: .manifest, optionHelp: [.json: "print the report as one JSON object"]),
        CommandSpec(command: .logs, arguments: "[ID] [--tail N] [--follow]", summary: "a ticket's log (no ID: the latest failure)",
                    description: "A ticket's log from the latest run, bytes as the ticket wrote them; without ID, the log of the most recent failure. Exit 1 when nothing failed or the ticket has not run.",
                    options: [.tail, .follow] + manifestOptions, operand: .ticket),
        CommandSpec(command: .show, arguments: "ID [--json]", summary: "one ticket: attempts, session, worktree, verify, review",
                    description: "One ticket as the latest run left it: state, each attempt (start, time, outcome, exit), agent session, cost and tokens, worktree, branch and landed commit (--worktree), the end of its verify output, and the review decision. Unknown ID: exit 2.",
                    options: [.json] + manifestOptions, operand: .ticket, optionHelp: [.json: "print the same as one JSON object"]),
        CommandSpec(command: .diff, arguments: "ID [--no-pager]", summary: "what a --worktree ticket changed, through git's pager",
                    description: "What a --worktree ticket changed: `git diff BASE TIP`, TIP its landed commit or its branch. git's pager rules apply (GIT_PAGER, core.pager; none when the output is not a terminal).",
                    options: [.noPager] + manifestOptions, operand: .ticket),
        CommandSpec(command: .approve, arguments: "ID...", summary: "approve work awaiting review",
                    description: "Approves tickets awaiting review; `parrun --resume` then counts them as succeeded (with --worktree, lands their work).",
                    options: manifestOptions, operand: .tickets),
        CommandSpec(command: .reject, arguments: "ID... [--reason TEXT]", summary: "reject it; --resume runs it again",
                    description: "Rejects tickets awaiting review; `parrun --resume` runs them again (a prompt ticket in its session, told the reason).",
                    options: [.reason] + manifestOptions, operand: .tickets),
        CommandSpec(command: .clean, arguments: "[MANIFEST] [--force]", summary: "remove the state (journal, logs, worktrees)",
                    description: "Removes the manifest's state (journal, logs, claims, worktrees and parrun/ branches). Refused (exit 4) while a run is live, unless --force.",
                    options: [.force] + manifestOptions, operand: .manifest),
        CommandSpec(command: .trace, arguments: "[MANIFEST] [-o FILE]", summary: "the latest run as a Chrome trace (Perfetto, chrome://tracing)",
                    description: "Writes the latest run, read from the journal, as Chrome trace-event JSON: one lane per worker slot, each attempt a span, retries and landings marked, the critical path flagged. Open it in Perfetto (ui.perfetto.dev) or chrome://tracing.",
                    options: [.traceFile] + manifestOptions, operand: .manifest),
        CommandSpec(command: .schema, arguments: "", summary: "print the JSON Schema of tickets.json",
                    description: "Prints the JSON Schema of the JSON manifest (docs/tickets.schema.json). A manifest names it with a top-level \"$schema\" key, which parrun ignores, for editors to check and complete it.",
                    options: [], operand: .none),
        CommandSpec(command: .completions, arguments: "bash|zsh|fish", summary: "print a shell completion script",
                    description: "Prints a script that completes parrun's options, commands, manifest files and ticket ids (read from the manifest with `parrun --list-ids`). Install: parrun completions bash > ~/.local/share/bash-completion/completions/parrun; zsh: into a directory on $fpath as _parrun; fish: ~/.config/fish/completions/parrun.fish.",
                    options: [], operand: .shell),
        CommandSpec(command: .help, arguments: "[COMMAND]", summary: "help on a command; `parrun help run` lists every option",
                    description: "Help on COMMAND; `parrun help run` lists every option of a run.",
                    options: [], operand: .command),
        CommandSpec(command: .man, arguments: "", summary: "print the man page (roff)",
                    description: "Prints the man page, generated from the option table: `parrun man > docs/parrun.1`.",
                    options: [], operand: .none, hidden: true),
    ]

    static func spec(_ command: Invocation.Command) -> CommandSpec? {
        commands.first { $0.command == command }
    }

    static var visible: [CommandSpec] { commands.filter { !$0.hidden } }
}
