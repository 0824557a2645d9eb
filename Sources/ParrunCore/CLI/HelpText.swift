public enum HelpText {
    public static let version = "0.1.0"

    /// Generated from `OptionTable`, so every option is listed exactly once.
    public static func render() -> String {
        var out = """
            parrun \(version): run a dependency graph of tickets (shell scripts or claude prompts) in parallel

            Usage: parrun [OPTIONS] [MANIFEST]

            MANIFEST is a JSON file ({"tickets": [...]}) or a plain-text file (see Grammar.md);
            the format is read from the content. `-` reads standard input. Without one, parrun
            uses ./tickets.json, then ./Parrunfile.

            Options:

            """
        let spellings = OptionTable.options.map { option in
            OptionTable.spelling(of: option) + (option.valueName.map { " " + $0 } ?? "")
        }
        let width = (spellings.map(\.count).max() ?? 0) + 2
        for (option, spelling) in zip(OptionTable.options, spellings) {
            let lead = option.short == nil ? "      " : "  "
            out += lead + spelling.padding(to: width - (lead.count - 2)) + option.help + "\n"
        }
        out += """

            Examples:
              parrun -n                          show the plan for ./tickets.json
              parrun -n -j auto Examples/tickets.json
              parrun --summary -f Parrunfile     counts only
              parrun --graph dot | dot -Tsvg > graph.svg
              cat tickets.json | parrun -n -

            Exit status: 0 success; 2 usage or manifest error.

            """
        return out
    }
}
