import ParrunSupport

/// Ticket fields that become flags of the claude command, each flag and its
/// value separate argv elements (never through a shell). Both formats keep
/// these as plain fields (`"maxTurns": 5`, `@maxTurns 5`), and `defaults`
/// applies to them as to any field.
package enum ClaudeOptions {
    enum Kind {
        case text, positiveInteger, positiveNumber, list
    }

    static let flags: [(field: String, flag: String, kind: Kind)] = [
        ("model", "--model", .text),
        ("permissionMode", "--permission-mode", .text),
        ("maxTurns", "--max-turns", .positiveInteger),
        ("maxBudgetUsd", "--max-budget-usd", .positiveNumber),
        ("appendSystemPrompt", "--append-system-prompt", .text),
        ("allowedTools", "--allowedTools", .list),
    ]

    /// The flags for `ticket`; fields of the wrong type were reported by `check`
    /// and are left out. Callers put these after their own flags: the list
    /// option is last, since the CLI reads its items as a variadic option.
    package static func arguments(for ticket: Ticket) -> [String] {
        var arguments: [String] = []
        for (field, flag, kind) in flags {
            guard let value = ticket.field(field), let words = values(value, kind) else { continue }
            arguments.append(flag)
            arguments += words
        }
        return arguments
    }


    /// One problem per field that cannot become its flag.
    static func check(_ ticket: Ticket, diagnostics: inout DiagnosticList) {
        for (field, _, kind) in flags {
            guard let value = ticket.field(field), values(value, kind) == nil else { continue }
            let expected: String
            switch kind {
            case .text: expected = "a string"
            case .positiveInteger: expected = "a whole number of at least 1"
            case .positiveNumber: expected = "a number above 0"
            case .list: expected = "a list of tool names (or one string, comma-separated)"
            }
            diagnostics.add(ManifestError.wrongType(field: field, ticket: ticket.id, expected: expected, found: describe(value), at: value.span))
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        value.scalarText.map { "'\($0.truncatedForMessage)'" } ?? value.typeDescription
    }

    /// The flag's values, or nil when the field has the wrong type.
    private static func values(_ value: JSONValue, _ kind: Kind) -> [String]? {
        switch kind {
        case .text:
            guard let text = value.stringValue, !text.isEmpty else { return nil }
            return [text]
        case .positiveInteger:
            guard let number = value.integerValue, number >= 1 else { return nil }
            return [String(number)]
        case .positiveNumber:
            guard let text = value.scalarText, let number = Double(text.trimmingSpaces), number > 0, number.isFinite else { return nil }
            return [text.trimmingSpaces]
        case .list:
            if let text = value.stringValue {
                let items = text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
                return items.isEmpty ? nil : items
            }
            guard let items = value.arrayValue, !items.isEmpty else { return nil }
            let names = items.compactMap(\.stringValue)
            return names.count == items.count ? names : nil
        }
    }
}
