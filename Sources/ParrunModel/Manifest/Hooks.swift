import ParrunSupport

/// `on`: shell commands run when a ticket starts, succeeds or fails, and when
/// the run ends (`{"on": {"success": "notify {{id}}", "timeout": "30s"}}`, or
/// `on success = notify {{id}}` lines). `{{id}}`, `{{title}}`, `{{status}}`,
/// `{{log}}` and `{{run}}` (and any ticket field) are filled in, shell-quoted.
/// A hook runs beside the run, never holding it up, and is stopped after
/// `timeoutSeconds`; its failure is a warning.
public struct Hooks: Sendable, Equatable {
    public enum Event: String, Sendable, CaseIterable {
        case start, success, failure, end
    }

    public var commands: [Event: String] = [:]
    public var timeoutSeconds = Hooks.defaultTimeout
    public static let defaultTimeout = 60.0

    public init(commands: [Event: String] = [:], timeoutSeconds: Double = Hooks.defaultTimeout) {
        self.commands = commands
        self.timeoutSeconds = timeoutSeconds
    }

    static func decode(_ member: JSONMember, diagnostics: inout DiagnosticList) -> Hooks? {
        guard case .object(let entries) = member.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: "on", ticket: nil, expected: "an object of event: command (start, success, failure, end) and timeout", found: member.value.typeDescription, at: member.value.span))
            return nil
        }
        var hooks = Hooks()
        for entry in entries {
            let reader = FieldReader(member: entry, ticket: nil)
            if entry.key == "timeout" {
                if let seconds = reader.duration(&diagnostics) { hooks.timeoutSeconds = seconds }
            } else if let event = Event(rawValue: entry.key) {
                if let command = reader.lines(&diagnostics) {
                    hooks.commands[event] = command
                    ShellScriptLimit.check(command, field: "on." + entry.key, ticket: nil, at: entry.value.span, diagnostics: &diagnostics)
                }
            } else {
                let names = Event.allCases.map(\.rawValue) + ["timeout"]
                let suggestion = SpellingSuggestion.closest(to: entry.key, among: names)
                diagnostics.append(Diagnostic(
                    .error, "`on` has no event `\(entry.key.truncatedForMessage)`", at: entry.keySpan,
                    help: (suggestion.map { "did you mean `\($0)`? " } ?? "") + "events: start, success, failure, end; and timeout"))
            }
        }
        return hooks
    }
}
