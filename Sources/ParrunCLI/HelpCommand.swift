import ParrunPlatform
import ParrunSupport

/// `parrun help [COMMAND]`: the summary, one command's help, or (`run`) every option.
enum HelpCommand {
    static func execute(_ invocation: Invocation) throws(UsageError) -> ExitCode {
        guard let word = invocation.word else {
            Terminal.writeOutput(HelpText.renderSummary())
            return .success
        }
        let names = ["run"] + CommandTable.visible.map(\.command.rawValue)
        guard let command = Invocation.Command(rawValue: word) else {
            throw .invalidArgument(command: "help", value: word, expected: "one of " + names.joined(separator: ", "),
                                   suggestion: SpellingSuggestion.closest(to: word, among: names))
        }
        Terminal.writeOutput(HelpText.render(for: command))
        return .success
    }
}
