import ParrunModel

/// `--launcher CMD`: every recipe runs under a command of the user's (ssh,
/// docker exec, ...). Its argv is appended to the command, or, where the
/// command has a `{}` word, put there as one shell-quoted string: what `ssh
/// host {}` or `sh -c {}` need, since they hand their arguments to a shell.
enum CommandLauncher {
    static let placeholder = "{}"

    static func wrap(_ arguments: [String], template: [String]) -> [String] {
        guard template.contains(placeholder) else { return template + arguments }
        let command = arguments.map(Template.shellQuotedIfNeeded).joined(separator: " ")
        return template.map { $0 == placeholder ? command : $0 }
    }
}
