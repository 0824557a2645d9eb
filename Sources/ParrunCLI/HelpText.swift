import ParrunCore
import ParrunState

/// Every help text, generated from `OptionTable` and `CommandTable` so that
/// help, the man page and the completions never disagree with the parser.
public enum HelpText {
    public static let version = "0.1.0"

    /// Lines of help are cut at this many columns.
    static let helpWidth = 100

    /// The options `parrun --help` shows; `parrun help run` shows them all.
    static let commonOptions: [(OptionKey, String)] = [
        (.jobs, "run N tickets at once (auto: half the cores, 1..8)"),
        (.dryRun, "print the plan (waves, critical path), run nothing"),
        (.keepGoing, "after a failure, go on with what does not depend on it"),
        (.resume, "continue the latest run: rerun only what did not succeed"),
        (.worktree, "each ticket in its own git worktree, landed one at a time"),
        (.file, "the manifest (`-` reads standard input)"),
        (.quiet, "plain event lines instead of the live status line"),
        (.json, "one JSON event per line on standard output"),
        (.verbose, "each decision and spawned command, on standard error"),
        (.help, "this help; parrun help COMMAND for a command's"),
        (.version, "the version and the commit it was built from"),
    ]

    static let summaryLine = "parrun \(version): run a dependency graph of tickets (shell scripts or agent prompts) in parallel"

    /// `text` in lines of at most `width` columns, later ones indented by `indent`.
    static func wrapped(_ text: String, width: Int, indent: Int) -> String {
        guard width > 20, text.count > width else { return text }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n" + String(repeating: " ", count: indent))
    }

    /// `-j, --jobs N|auto` and its help, one option a line; short options line
    /// up under `-j, `, long-only ones start where their long name would.
    static func optionLines(_ options: [OptionSpec], stripping prefix: String? = nil, overriding: [OptionKey: String] = [:]) -> String {
        let columns = options.map { option in
            (option.short == nil ? "      " : "  ") + OptionTable.spelling(of: option) + (option.valueName.map { " " + $0 } ?? "")
        }
        let width = max(24, (columns.map(\.count).max() ?? 0) + 2)
        var out = ""
        for (option, column) in zip(options, columns) {
            var help = overriding[option.key] ?? option.help
            if let prefix, help.hasPrefix(prefix + ": ") { help = String(help.dropFirst(prefix.count + 2)) }
            out += column.padding(to: width) + wrapped(help, width: helpWidth - width, indent: width) + "\n"
        }
        return out
    }

    static func options(_ keys: [OptionKey]) -> [OptionSpec] {
        keys.compactMap { key in OptionTable.options.first { $0.key == key } }
    }

    /// `parrun --help`: one screen, pointing to the rest.
    public static func renderSummary() -> String {
        var out = summaryLine + "\n\n"
        out += "Usage: parrun [OPTIONS] [MANIFEST] [ID...]  run the tickets (IDs: only those and what they need)\n"
        out += "       parrun COMMAND [ARGUMENTS]           see the commands below\n\n"
        out += "MANIFEST: JSON or text (Grammar.md); default ./tickets.json, ./Parrunfile, ...\n\nCommands:\n"
        let names = CommandTable.visible.map { "  " + $0.command.rawValue + ($0.arguments.isEmpty ? "" : " " + usageWords($0.arguments)) }
        let width = (names.map(\.count).max() ?? 0) + 2
        for (spec, name) in zip(CommandTable.visible, names) {
            out += name.padding(to: width) + spec.summary + "\n"
        }
        out += "\nCommon options (`parrun help run` lists all \(OptionTable.options.count)):\n"
        out += optionLines(options(commonOptions.map(\.0)), overriding: Dictionary(uniqueKeysWithValues: commonOptions))
        out += """

            Examples:
              parrun -j auto                   run ./tickets.json, half the cores at once
              parrun -n Examples/tickets.json  show the plan, run nothing
              parrun logs --tail 50            the end of the latest failure's log

            More: parrun help COMMAND, parrun COMMAND --help, man parrun, docs/README.md.
            Exit status: 0 ok; 1 a ticket failed; 2 usage or manifest error; 3 awaiting review;
            4 clean refused; 5 state not writable; 128+N a signal.

            """
        return out
    }

    /// A usage line's arguments without its options: `[ID] [--tail N]` is `[ID]`.
    private static func usageWords(_ arguments: String) -> String {
        var words: [Substring] = []
        var inOption = false
        for word in arguments.split(separator: " ") {
            if word.hasPrefix("[-") { inOption = true }
            if !inOption { words.append(word) }
            if inOption && word.hasSuffix("]") { inOption = false }
        }
        return words.joined(separator: " ")
    }

    /// `parrun COMMAND --help` and `parrun help COMMAND`; `run` has every option.
    static func render(for command: Invocation.Command) -> String {
        guard command != .run, let spec = CommandTable.spec(command) else { return render() }
        var out = "Usage: parrun \(command.rawValue)\(spec.arguments.isEmpty ? "" : " " + spec.arguments)\n\n"
        out += wrapped(spec.description, width: helpWidth - 10, indent: 0) + "\n"
        let keys = spec.options + [.help]
        out += "\nOptions:\n" + optionLines(options(keys), stripping: command.rawValue, overriding: spec.optionHelp)
        return out
    }

    /// `parrun help run`: every option, generated from `OptionTable`.
    public static func render() -> String {
        var out = summaryLine + "\n\n"
        out += """
            Usage: parrun [OPTIONS] [MANIFEST] [ID...]

            Runs the tickets of MANIFEST, a JSON file ({"tickets": [...]}) or a plain-text file (see
            Grammar.md); the format is read from the content. `-` reads standard input. Without one,
            parrun uses ./tickets.json, ./Parrunfile, .beads/issues.jsonl, .sage/tickets/index.json or
            .specs/tasks/tasks.json, the first that exists. IDs run only those tickets and what they
            need. Without -f, the first operand is the manifest when it is `-`, contains a `/`, is an
            existing file or ends in .json or .jsonl; the others are ticket ids (docs/targets.md).
            Options marked `logs:`, `diff:` and so on belong to that command.

            Options:

            """
        out += optionLines(OptionTable.options)
        out += """

            Examples:
              parrun -j auto                     run ./tickets.json, half the cores at once
              parrun -k -j4 --timeout 10m Parrunfile
              parrun -n Examples/tickets.json    show the plan, run nothing
              parrun --graph dot | dot -Tsvg > graph.svg
              parrun --json | jq -r 'select(.event == "ticket-end") | .id + " " + .status'
              cat tickets.json | parrun -n -
              parrun --resume                    continue an interrupted run; -n --resume says why each reruns
              parrun --max-cost 5 -j auto agents.json
                                                 prompt tickets through claude, at most $5
              parrun --worktree -j 3             each ticket in its own git worktree, landed one at a time

            Logs: .parrun/logs/ID.log next to the manifest. The manual: docs/README.md.
            Exit status: 0 all succeeded; 1 a ticket failed or timed out; 2 usage or
            manifest error; 3 some tickets await review; 4 clean refused while a run
            is live; 5 the state could not be written; 129/130/143 interrupted by
            SIGHUP/SIGINT/SIGTERM.

            """
        return out
    }
}
