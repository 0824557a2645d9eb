import ParrunCore
import ParrunState

public enum HelpText {
    public static let version = "0.1.0"

    /// Lines of help are cut at this many columns.
    static let helpWidth = 100

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

    /// `parrun COMMAND --help`: that command's usage; `run` has the whole help.
    static func render(for command: Invocation.Command) -> String {
        let common = """

              -f, --file FILE       the manifest (default: as for a run)
              -C, --directory DIR   change to DIR first
              --state-dir DIR       the state directory (default: .parrun next to the manifest)

            """
        switch command {
        case .run:
            return render()
        case .status:
            return "Usage: parrun status [MANIFEST] [--json]\n\nEach ticket's state in the latest run of MANIFEST (and the runs it continued),\n"
                + "with attempts, time, exit codes, agents' cost, Slurm jobs and review decisions.\n\n"
                + "  --json                the report as one JSON object\n" + common
        case .logs:
            return "Usage: parrun logs [ID] [-f MANIFEST] [--tail N] [--follow]\n\nA ticket's log from the latest run; without ID, the most recent failure's.\n\n"
                + "  --tail N              only the last N lines\n  --follow              keep printing until the ticket ends\n" + common
        case .show:
            return "Usage: parrun show ID [-f MANIFEST] [--json]\n\nOne ticket as the latest run left it: state, each attempt (start, time, outcome, exit),\n"
                + "agent session, cost and tokens, worktree, branch and landed commit (--worktree),\n"
                + "the end of its verify output, and the review decision. Unknown ID: exit 2.\n\n"
                + "  --json                the same as one JSON object\n" + common
        case .diff:
            return "Usage: parrun diff ID [-f MANIFEST] [--no-pager]\n\nWhat a --worktree ticket changed: `git diff BASE TIP`, TIP its landed commit or its branch.\n"
                + "git's pager rules apply (GIT_PAGER, core.pager; none when the output is not a terminal).\n\n"
                + "  --no-pager            no pager, as git --no-pager\n" + common
        case .clean:
            return "Usage: parrun clean [MANIFEST] [--force]\n\nRemoves the manifest's state (journal, logs, claims, worktrees and parrun/ branches).\n"
                + "Refused (exit 4) while a run is live, unless --force.\n\n  --force               remove it even then\n" + common
        case .approve:
            return "Usage: parrun approve ID... [-f MANIFEST]\n\nApproves tickets awaiting review; `parrun --resume` then counts them as succeeded\n"
                + "(with --worktree, lands their work).\n" + common
        case .reject:
            return "Usage: parrun reject ID... [-f MANIFEST] [--reason TEXT]\n\nRejects tickets awaiting review; `parrun --resume` runs them again (a prompt\n"
                + "ticket in its session, told the reason).\n\n  --reason TEXT         why, for the agent and the journal\n" + common
        }
    }

    /// Generated from `OptionTable`, so every option is listed exactly once.
    public static func render() -> String {
        var out = """
            parrun \(version): run a dependency graph of tickets (shell scripts or agent prompts) in parallel

            Usage: parrun [OPTIONS] [MANIFEST]          run the tickets
                   parrun status [MANIFEST] [--json]    each ticket's state in the latest run
                   parrun logs [ID] [--tail N] [--follow]
                                                        a ticket's log (no ID: the latest failure)
                   parrun show ID [--json]              one ticket: attempts, session, worktree, verify, review
                   parrun diff ID [--no-pager]          what a --worktree ticket changed, through git's pager
                   parrun clean [MANIFEST] [--force]    remove the state (journal, logs)
                   parrun approve ID...                 approve work awaiting review
                   parrun reject ID... [--reason TEXT]  reject it; --resume runs it again

            MANIFEST is a JSON file ({"tickets": [...]}) or a plain-text file (see Grammar.md);
            the format is read from the content. `-` reads standard input. Without one, parrun
            uses ./tickets.json, ./Parrunfile, .beads/issues.jsonl, .sage/tickets/index.json or
            .specs/tasks/tasks.json, the first that exists.

            Options:

            """
        // Short options line up under `-j, `; long-only ones start where their long name would.
        let columns = OptionTable.options.map { option in
            (option.short == nil ? "      " : "  ") + OptionTable.spelling(of: option) + (option.valueName.map { " " + $0 } ?? "")
        }
        let width = (columns.map(\.count).max() ?? 0) + 2
        for (option, column) in zip(OptionTable.options, columns) {
            out += column.padding(to: width) + wrapped(option.help, width: helpWidth - width, indent: width) + "\n"
        }
        out += """

            Examples:
              parrun -j auto                     run ./tickets.json, half the cores at once
              parrun -k -j4 --timeout 10m Parrunfile
              parrun -n Examples/tickets.json    show the plan, run nothing
              parrun --graph dot | dot -Tsvg > graph.svg
              parrun --json | jq -r 'select(.event == "ticket-end") | .id + " " + .status'
              cat tickets.json | parrun -n -
              parrun --resume                    continue an interrupted run; -n --resume says why each reruns
              parrun logs --tail 50              the end of the latest failure's log
              parrun --max-cost 5 -j auto agents.json
                                                 prompt tickets through claude, at most $5
              parrun --worktree -j 3             each ticket in its own git worktree, landed one at a time

            Logs: .parrun/logs/ID.log next to the manifest.
            Exit status: 0 all succeeded; 1 a ticket failed or timed out; 2 usage or
            manifest error; 3 some tickets await review; 4 clean refused while a run
            is live; 129/130/143 interrupted by SIGHUP/SIGINT/SIGTERM.

            """
        return out
    }
}
