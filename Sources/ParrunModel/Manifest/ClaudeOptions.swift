import ParrunSupport

/// Ticket fields that become flags of the claude command, each flag and its
/// value separate argv elements (never through a shell). Both formats write
/// them as plain fields (`"maxTurns": 5`, `@maxTurns 5`), `defaults` applies
/// to them as to any field, and they are checked as the ticket is read.
public struct ClaudeOptions: Sendable, Equatable {
    /// `model` (`--model`).
    public var model: String?
    /// `permissionMode` (`--permission-mode`).
    public var permissionMode: String?
    /// `maxTurns` (`--max-turns`), at least 1.
    public var maxTurns: Int?
    /// `maxBudgetUsd` (`--max-budget-usd`), a number above 0 kept as written,
    /// so the flag gets the user's text rather than a reformatted number.
    public var maxBudgetUsd: String?
    /// `appendSystemPrompt` (`--append-system-prompt`).
    public var appendSystemPrompt: String?
    /// `allowedTools` (`--allowedTools`), never empty.
    public var allowedTools: [String]?

    public init() {}

    /// The flags, in a fixed order after the caller's own: the list option is
    /// last, since the CLI reads its items as a variadic option.
    package var arguments: [String] {
        var arguments: [String] = []
        if let model { arguments += ["--model", model] }
        if let permissionMode { arguments += ["--permission-mode", permissionMode] }
        if let maxTurns { arguments += ["--max-turns", String(maxTurns)] }
        if let maxBudgetUsd { arguments += ["--max-budget-usd", maxBudgetUsd] }
        if let appendSystemPrompt { arguments += ["--append-system-prompt", appendSystemPrompt] }
        if let allowedTools { arguments += ["--allowedTools"] + allowedTools }
        return arguments
    }

    /// Sets the option `reader`'s member names, or reports why it cannot become its flag.
    mutating func read(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) {
        let value = reader.member.value
        switch reader.member.key {
        case "model": model = text(reader, &diagnostics)
        case "permissionMode": permissionMode = text(reader, &diagnostics)
        case "appendSystemPrompt": appendSystemPrompt = text(reader, &diagnostics)
        case "maxTurns":
            guard let number = value.integerValue, number >= 1 else { return reader.wrongValue("a whole number of at least 1", &diagnostics) }
            maxTurns = number
        case "maxBudgetUsd":
            guard let text = value.scalarText?.trimmingSpaces, let number = Double(text), number > 0, number.isFinite else {
                return reader.wrongValue("a number above 0", &diagnostics)
            }
            maxBudgetUsd = text
        case "allowedTools":
            guard let tools = reader.commaList(), !tools.isEmpty else {
                return reader.wrongValue("a list of tool names (or one string, comma-separated)", &diagnostics)
            }
            allowedTools = tools
        default:
            break
        }
    }

    private func text(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) -> String? {
        guard let text = reader.member.value.stringValue, !text.isEmpty else {
            reader.wrongValue("a string", &diagnostics)
            return nil
        }
        // An argv element ends at a NUL: the flag would silently get less than was written.
        return reader.withoutNUL(text, reader.member.value, &diagnostics)
    }
}
