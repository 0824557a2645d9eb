import ParrunSupport

/// Reads one member's value as the type its key needs, reporting a mismatch.
struct FieldReader {
    let member: JSONMember
    let ticket: String?

    private var value: JSONValue { member.value }

    func wrongType(_ expected: String, _ found: JSONValue? = nil, _ diagnostics: inout DiagnosticList) {
        let found = found ?? value
        diagnostics.add(ManifestError.wrongType(field: member.key, ticket: ticket, expected: expected, found: found.typeDescription, at: found.span))
    }

    /// A mismatch whose message quotes a scalar as written (`found '0'`), which
    /// says more than its type when the type is right and the value is not.
    func wrongValue(_ expected: String, _ diagnostics: inout DiagnosticList) {
        let found = value.scalarText.map { "'\($0.truncatedForMessage)'" } ?? value.typeDescription
        diagnostics.add(ManifestError.wrongType(field: member.key, ticket: ticket, expected: expected, found: found, at: value.span))
    }

    func string(_ diagnostics: inout DiagnosticList) -> String? {
        guard case .string(let text) = value.kind else {
            wrongType("a string", nil, &diagnostics)
            return nil
        }
        return withoutNUL(text, value, &diagnostics)
    }

    /// Text given to programs (argv, environment) ends at a NUL, silently; refuse it.
    func withoutNUL(_ text: String, _ value: JSONValue, _ diagnostics: inout DiagnosticList) -> String? {
        guard text.utf8.contains(0) else { return text }
        diagnostics.add(ManifestError.nulCharacter(field: member.key, ticket: ticket, at: value.span))
        return nil
    }

    func integer(minimum: Int, _ diagnostics: inout DiagnosticList) -> Int? {
        guard let number = value.integerValue else {
            if let text = value.scalarText {
                diagnostics.add(ManifestError.invalidInteger(field: member.key, text: text, ticket: ticket, at: value.span))
            } else {
                wrongType("a whole number", nil, &diagnostics)
            }
            return nil
        }
        guard number >= minimum else {
            diagnostics.add(ManifestError.integerTooSmall(field: member.key, value: number, minimum: minimum, ticket: ticket, at: value.span))
            return nil
        }
        return number
    }

    /// `true` or `false`: a JSON boolean, or the word (the text format writes
    /// `@review false`; `@review` alone is true).
    func flag(_ diagnostics: inout DiagnosticList) -> Bool? {
        switch value.kind {
        case .bool(let flag):
            return flag
        case .string(let text) where ["true", "false"].contains(text.trimmingSpaces.lowercased()):
            return text.trimmingSpaces.lowercased() == "true"
        default:
            wrongValue("true or false", &diagnostics)
            return nil
        }
    }

    /// A list of strings, or one string of comma-separated items (blank items
    /// dropped); nil, with nothing reported, when the value has another shape,
    /// so that each field says what it expects.
    func commaList() -> [String]? {
        if let text = value.stringValue {
            return text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        }
        guard let items = value.arrayValue else { return nil }
        let texts = items.compactMap(\.stringValue)
        return texts.count == items.count ? texts : nil
    }

    /// A string, or an array of strings joined as lines (how long scripts read best in JSON).
    func lines(expected: String = "a string or an array of strings", _ diagnostics: inout DiagnosticList) -> String? {
        switch value.kind {
        case .string(let text):
            return withoutNUL(text, value, &diagnostics)
        case .array(let elements):
            var lines: [String] = []
            for element in elements {
                guard case .string(let line) = element.kind else {
                    wrongType(expected, element, &diagnostics)
                    return nil
                }
                guard let line = withoutNUL(line, element, &diagnostics) else { return nil }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        default:
            wrongType(expected, nil, &diagnostics)
            return nil
        }
    }

    /// An array of ticket ids, or a single id.
    func references(_ diagnostics: inout DiagnosticList) -> [TicketReference] {
        switch value.kind {
        case .string(let id):
            return [TicketReference(id: id, span: value.span)]
        case .array(let elements):
            var references: [TicketReference] = []
            references.reserveCapacity(elements.count)
            for element in elements {
                guard case .string(let id) = element.kind else {
                    wrongType("a list of ticket ids (strings)", element, &diagnostics)
                    continue
                }
                references.append(TicketReference(id: id, span: element.span))
            }
            return references
        default:
            wrongType("a list of ticket ids", nil, &diagnostics)
            return []
        }
    }

    func duration(_ diagnostics: inout DiagnosticList) -> Double? {
        guard let text = value.scalarText, !(value.kind.isBool) else {
            wrongType("a duration such as \"90s\"", nil, &diagnostics)
            return nil
        }
        switch DurationText.seconds(from: text) {
        case .success(let seconds):
            return seconds
        case .failure(let problem):
            diagnostics.add(ManifestError.invalidTimeout(text, reason: problem.reason, ticket: ticket, at: value.span))
            return nil
        }
    }

    func environment(_ diagnostics: inout DiagnosticList) -> [EnvironmentVariable] {
        guard case .object(let members) = value.kind else {
            wrongType("an object of NAME: value", nil, &diagnostics)
            return []
        }
        var variables: [EnvironmentVariable] = []
        for variable in members {
            if let problem = EnvironmentName.problem(with: variable.key) {
                diagnostics.add(ManifestError.invalidEnvironmentName(variable.key, problem: problem, ticket: ticket, at: variable.keySpan))
                continue
            }
            guard let text = variable.value.scalarText else {
                wrongType("an object of NAME: value with string values", variable.value, &diagnostics)
                continue
            }
            guard withoutNUL(text, variable.value, &diagnostics) != nil else { continue }
            variables.append(EnvironmentVariable(name: variable.key, value: text))
        }
        return variables
    }

    /// Arguments for a program: a string split like shell words, or an array of
    /// strings (numbers are taken as written). Nil when any of it is wrong.
    func arguments(expected: String, _ diagnostics: inout DiagnosticList) -> [String]? {
        switch value.kind {
        case .string(let text):
            guard let text = withoutNUL(text, value, &diagnostics) else { return nil }
            switch ShellWords.split(text) {
            case .success(let words): return words
            case .failure(let problem):
                diagnostics.add(ManifestError.invalidArguments(field: member.key, reason: problem.reason, ticket: ticket, at: value.span))
                return nil
            }
        case .array(let elements):
            var words: [String] = []
            for element in elements {
                guard case .string(let word) = element.kind else {
                    if case .number(let text) = element.kind {
                        words.append(text)
                        continue
                    }
                    wrongType(expected, element, &diagnostics)
                    return nil
                }
                guard let word = withoutNUL(word, element, &diagnostics) else { return nil }
                words.append(word)
            }
            return words
        default:
            wrongType(expected, nil, &diagnostics)
            return nil
        }
    }

    /// A command as argv: a string split like shell words, or an array of strings.
    func command(_ diagnostics: inout DiagnosticList) -> [String]? {
        var words: [String] = []
        switch value.kind {
        case .string(let text):
            guard let text = withoutNUL(text, value, &diagnostics) else { return nil }
            switch ShellWords.split(text) {
            case .success(let split): words = split
            case .failure(let problem):
                diagnostics.add(ManifestError.invalidCommand(field: member.key, reason: problem.reason, at: value.span))
                return nil
            }
        case .array(let elements):
            for element in elements {
                guard case .string(let word) = element.kind else {
                    wrongType("a command string or an array of strings", element, &diagnostics)
                    return nil
                }
                guard let word = withoutNUL(word, element, &diagnostics) else { return nil }
                words.append(word)
            }
        default:
            wrongType("a command string or an array of strings", nil, &diagnostics)
            return nil
        }
        // `shell = ''` is one empty word: no program to start, and every ticket would fail.
        guard let program = words.first, !program.isEmpty else {
            let reason = words.isEmpty ? "is empty" : "starts with an empty word, so it names no program"
            diagnostics.add(ManifestError.invalidCommand(field: member.key, reason: reason, at: value.span))
            return nil
        }
        return words
    }
}

extension JSONValue.Kind {
    var isBool: Bool {
        if case .bool = self { return true }
        return false
    }
}
