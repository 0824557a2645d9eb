import ParrunSupport

/// Everything that can be wrong with a manifest's syntax or values, each case
/// carrying where. Graph problems (unknown ids, cycles) are `GraphError`.
public enum ManifestError: Error, DiagnosticConvertible, Equatable {
    // Both formats
    case invalidUTF8(at: SourceSpan)
    case emptyManifest(at: SourceSpan)

    // JSON syntax
    case unexpectedCharacter(found: String, expected: String, at: SourceSpan)
    case unexpectedEnd(expected: String, at: SourceSpan)
    case unterminatedString(at: SourceSpan)
    case controlCharacterInString(at: SourceSpan)
    case invalidEscape(at: SourceSpan)
    case invalidUnicodeEscape(reason: String, at: SourceSpan)
    case invalidNumber(at: SourceSpan)
    case trailingComma(at: SourceSpan)
    case nestingTooDeep(limit: Int, at: SourceSpan)
    case trailingContent(at: SourceSpan)
    case duplicateKey(String, at: SourceSpan, first: SourceSpan)

    // Plain-text syntax
    case expectedColonAfterID(at: SourceSpan)
    case invalidIDCharacter(found: String, at: SourceSpan)
    case indentedLineOutsideTicket(at: SourceSpan)
    case missingSettingValue(key: String, at: SourceSpan)
    case missingPoolName(at: SourceSpan)
    case missingPriceModel(at: SourceSpan)
    case missingAttributeName(at: SourceSpan)
    case recipeMixesShellAndPrompt(ticket: String, at: SourceSpan, first: SourceSpan)
    case invalidEnvironmentAttribute(at: SourceSpan)
    case duplicateSetting(String, at: SourceSpan, first: SourceSpan)
    case duplicateAttribute(String, ticket: String, at: SourceSpan, first: SourceSpan)
    case attributeOfHeader(String, ticket: String, at: SourceSpan, header: SourceSpan)

    // Manifest structure and values
    case notAManifest(found: String, at: SourceSpan)
    case missingTicketList(at: SourceSpan)
    case conflictingKeys(String, String, at: SourceSpan, other: SourceSpan)
    case wrongType(field: String, ticket: String?, expected: String, found: String, at: SourceSpan)
    case missingID(at: SourceSpan)
    case invalidID(String, at: SourceSpan)
    case bothRunAndPrompt(ticket: String, at: SourceSpan, other: SourceSpan)
    case invalidTimeout(String, reason: String, ticket: String?, at: SourceSpan)
    case invalidInteger(field: String, text: String, ticket: String?, at: SourceSpan)
    case integerTooSmall(field: String, value: Int, minimum: Int, ticket: String?, at: SourceSpan)
    case invalidJobs(String, at: SourceSpan)
    case invalidCommand(field: String, reason: String, at: SourceSpan)
    case invalidArguments(field: String, reason: String, ticket: String?, at: SourceSpan)
    case forbiddenDefault(String, at: SourceSpan)
    case nulCharacter(field: String, ticket: String?, at: SourceSpan)
    case emptyVerify(ticket: String, at: SourceSpan)
    case scriptTooLong(field: String, ticket: String?, bytes: Int, at: SourceSpan)
    case invalidEnvironmentName(String, problem: EnvironmentName.Problem, ticket: String?, at: SourceSpan)
    case templateField(Template.Problem, field: String, at: SourceSpan)

    public var diagnostic: Diagnostic {
        switch self {
        case .invalidUTF8(let span):
            return Diagnostic(
                .error, "the manifest is not valid UTF-8 text", at: span,
                help: "save the file as UTF-8; a binary file cannot be a manifest")
        case .emptyManifest(let span):
            return Diagnostic(
                .error, "the manifest is empty", at: span,
                help: "write tickets as JSON ({\"tickets\": [...]}) or as `ID: DEPS` lines (see Grammar.md)")
        case .unexpectedCharacter(let found, let expected, let span):
            return Diagnostic(.error, "expected \(expected), found \(found)", at: span)
        case .unexpectedEnd(let expected, let span):
            return Diagnostic(
                .error, "the manifest ends where \(expected) was expected", at: span,
                help: "the JSON is cut short: close every open string, array and object")
        case .unterminatedString(let span):
            return Diagnostic(
                .error, "this string is not closed", at: span,
                help: "add the closing `\"`; a line break inside a string must be written \\n")
        case .controlCharacterInString(let span):
            return Diagnostic(
                .error, "a control character cannot appear inside a JSON string", at: span,
                help: "write a line break as \\n and a tab as \\t")
        case .invalidEscape(let span):
            return Diagnostic(
                .error, "unknown escape sequence in a string", at: span,
                help: "JSON allows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write a backslash as \\\\")
        case .invalidUnicodeEscape(let reason, let span):
            return Diagnostic(
                .error, "invalid \\u escape: \(reason)", at: span,
                help: "write \\u and four hex digits; characters above U+FFFF need a surrogate pair")
        case .invalidNumber(let span):
            return Diagnostic(
                .error, "malformed number", at: span,
                help: "JSON numbers look like 3, -1, 2.5 or 1e3 (no leading zeros, no trailing dot)")
        case .trailingComma(let span):
            return Diagnostic(
                .error, "trailing comma", at: span, help: "JSON does not allow a comma before `]` or `}`: remove it")
        case .nestingTooDeep(let limit, let span):
            return Diagnostic(
                .error, "arrays and objects are nested more than \(limit) deep", at: span,
                help: "a manifest needs only a few levels; check for unbalanced brackets")
        case .trailingContent(let span):
            return Diagnostic(
                .error, "unexpected content after the end of the JSON value", at: span,
                help: "a JSON manifest is a single object or array; remove what follows it")
        case .duplicateKey(let key, let span, let first):
            return Diagnostic(
                .error, "key \"\(key)\" appears twice in this object", at: span,
                help: "keep one of them", notes: [.init("first written here", at: first)])

        case .expectedColonAfterID(let span):
            return Diagnostic(
                .error, "expected `:` after the ticket id", at: span,
                help: "a ticket starts with a line `ID: DEP DEP ...`; a setting is `key = value`")
        case .invalidIDCharacter(let found, let span):
            return Diagnostic(
                .error, "\(found) cannot appear in a ticket id", at: span,
                help: "ids are letters, digits, `.`, `_` and `-`, starting with a letter or digit")
        case .indentedLineOutsideTicket(let span):
            return Diagnostic(
                .error, "indented line outside a ticket", at: span,
                help: "recipe lines belong under a header line `ID: DEPS`; remove the indentation if this is a header or setting")
        case .missingSettingValue(let key, let span):
            return Diagnostic(.error, "setting `\(key)` has no value", at: span, help: "write `\(key) = VALUE`")
        case .missingPoolName(let span):
            return Diagnostic(.error, "pool setting without a name", at: span, help: "write `pool NAME = LIMIT`, e.g. `pool git = 1`")
        case .missingPriceModel(let span):
            return Diagnostic(.error, "price setting without a model", at: span, help: "write `price MODEL = input USD, output USD` (per million tokens), e.g. `price claude-opus-5 = input 5, output 25`")
        case .missingAttributeName(let span):
            return Diagnostic(
                .error, "`@` without an attribute name", at: span,
                help: "write `@key value`, e.g. `@timeout 10m`")
        case .recipeMixesShellAndPrompt(let ticket, let span, let first):
            return Diagnostic(
                .error, "ticket '\(ticket)' mixes shell lines and `>` prompt lines", at: span,
                help: "a ticket is either a shell script or a claude prompt: start every prompt line with `>`, or none",
                notes: [.init("the recipe started here", at: first)])
        case .invalidEnvironmentAttribute(let span):
            return Diagnostic(.error, "`@env` needs NAME=value", at: span, help: "write one variable per line, e.g. `@env LOG_LEVEL=debug`")
        case .duplicateSetting(let key, let span, let first):
            return Diagnostic(
                .error, "setting `\(key)` is set twice", at: span,
                help: "each setting may appear once: keep one of them", notes: [.init("first set here", at: first)])
        case .duplicateAttribute(let name, let ticket, let span, let first):
            return Diagnostic(
                .error, "ticket '\(ticket)' sets `\(name)` twice", at: span,
                help: "each attribute may appear once (only `@env` repeats): keep one of them", notes: [.init("first set here", at: first)])
        case .attributeOfHeader(let name, let ticket, let span, let header):
            let (what, help) = name == "id"
                ? ("its id", "rename the ticket in its header line `ID: DEPS`")
                : ("its dependencies", "list them after the `:` of the header line, e.g. `\(ticket): build test`")
            return Diagnostic(
                .error, "`@\(name)` cannot be an attribute: ticket '\(ticket)' takes \(what) from its header", at: span,
                help: help, notes: [.init("the header is here", at: header)])

        case .notAManifest(let found, let span):
            return Diagnostic(
                .error, "the manifest must be a JSON object or array, not \(found)", at: span,
                help: "write {\"tickets\": [...]} or a bare array of tickets")
        case .missingTicketList(let span):
            return Diagnostic(
                .error, "the manifest has no `tickets` array", at: span,
                help: "add \"tickets\": [ {\"id\": \"...\", \"run\": \"...\"} ] (`tasks` is accepted too)")
        case .conflictingKeys(let first, let second, let span, let other):
            return Diagnostic(
                .error, "both `\(first)` and `\(second)` are given", at: span,
                help: "they mean the same thing: keep one", notes: [.init("`\(first)` is here", at: other)])
        case .wrongType(let field, let ticket, let expected, let found, let span):
            return Diagnostic(
                .error, "\(Self.subject(field, ticket)) must be \(expected), found \(found)", at: span)
        case .missingID(let span):
            return Diagnostic(
                .error, "ticket has no `id`", at: span, help: "give every ticket a unique \"id\", e.g. \"id\": \"build\"")
        case .invalidID(let id, let span):
            return Diagnostic(
                .error, "'\(id.truncatedForMessage)' is not a valid ticket id", at: span,
                help: "ids are letters, digits, `.`, `_` and `-`, starting with a letter or digit")
        case .bothRunAndPrompt(let ticket, let span, let other):
            return Diagnostic(
                .error, "ticket '\(ticket)' has both `run` and `prompt`", at: span,
                help: "a ticket is either a shell script (`run`) or a claude prompt (`prompt`): remove one",
                notes: [.init("`run` is here", at: other)])
        case .invalidTimeout(let text, let reason, let ticket, let span):
            return Diagnostic(
                .error, "timeout '\(text.truncatedForMessage)'\(ticket.map { " of ticket '\($0)'" } ?? "") \(reason)", at: span,
                help: "write a positive duration such as 90s, 30m, 1h or 1h30m")
        case .invalidInteger(let field, let text, let ticket, let span):
            return Diagnostic(
                .error, "\(Self.subject(field, ticket)) must be a whole number, found '\(text.truncatedForMessage)'",
                at: span)
        case .integerTooSmall(let field, let value, let minimum, let ticket, let span):
            return Diagnostic(
                .error, "\(Self.subject(field, ticket)) must be at least \(minimum), found \(value)", at: span)
        case .invalidJobs(let text, let span):
            return Diagnostic(
                .error, "unknown jobs value '\(text.truncatedForMessage)'", at: span,
                help: "use a number of jobs (0 means no limit) or `auto`")
        case .invalidCommand(let field, let reason, let span):
            return Diagnostic(.error, "`\(field)` \(reason)", at: span, help: "write the command as it would be typed in a shell, e.g. \(Self.exampleCommand(field))")
        case .invalidArguments(let field, let reason, let ticket, let span):
            return Diagnostic(
                .error, "\(Self.subject(field, ticket)) \(reason)", at: span,
                help: "write the arguments as they would be typed in a shell, e.g. --exclusive --qos=high, or as a list of strings")
        case .nulCharacter(let field, let ticket, let span):
            return Diagnostic(
                .error, "\(Self.subject(field, ticket)) contains a NUL character", at: span,
                help: "commands and text passed to programs cannot hold NUL (\\u0000): everything after it would be lost; remove it")
        case .emptyVerify(let ticket, let span):
            return Diagnostic(
                .error, "`verify` of ticket '\(ticket)' is empty", at: span,
                help: "give it the shell command that must exit 0 for the ticket to succeed, e.g. `make test`, or remove `verify`")
        case .scriptTooLong(let field, let ticket, let bytes, let span):
            let subject = field == "run" ? "the shell recipe of ticket '\(ticket ?? "")'" : Self.subject(field, ticket)
            let file = switch field {
            case "run": "scripts/\(ticket ?? "recipe").sh"
            case "verify": "scripts/\(ticket ?? "")-verify.sh"
            default: "scripts/\(field).sh"
            }
            return Diagnostic(
                .error, "\(subject) is \(bytes) bytes, too long to run: the system limits a script to \(ShellScriptLimit.maximumBytes) bytes", at: span,
                help: "the script is given to the shell as one argument (128 KiB at most): move it into a file, e.g. \(file), and write `sh \(file)` instead")
        case .invalidEnvironmentName(let name, let problem, let ticket, let span):
            let owner = ticket.map { " of ticket '\($0)'" } ?? ""
            let message = switch problem {
            case .empty: "an environment variable\(owner) has an empty name"
            case .containsEquals: "environment variable name '\(name.truncatedForMessage)'\(owner) contains `=`, which would end the name"
            case .containsNUL: "an environment variable name\(owner) contains a NUL character"
            case .notAShellName: "'\(name.truncatedForMessage)' is not a valid environment variable name\(owner): a shell could not use it"
            }
            return Diagnostic(
                .error, message, at: span,
                help: "a variable name is letters, digits and `_`, and does not start with a digit (e.g. LOG_LEVEL); anything else belongs in the value")
        case .templateField(let problem, let field, let span):
            return Diagnostic(
                .error, "line \(problem.line) of the `\(field)` template: `{{\(problem.name)}}`: \(problem.reason)", at: span,
                help: "give the ticket that field, or change the template")
        case .forbiddenDefault(let key, let span):
            return Diagnostic(
                .error, "`\(key)` cannot be a default", at: span, help: "every ticket needs its own `\(key)`; remove it from `defaults`")
        }
    }

    private static func exampleCommand(_ field: String) -> String {
        switch field {
        case "claude": "claude -p"
        case "launcher": "docker exec box (or remove the setting to run tickets here)"
        default: "/bin/sh -ec"
        }
    }

    private static func subject(_ field: String, _ ticket: String?) -> String {
        if let ticket { return "`\(field)` of ticket '\(ticket)'" }
        return "`\(field)`"
    }
}

/// Things worth saying that do not stop parrun.
public enum ManifestWarning: DiagnosticConvertible, Equatable {
    case unknownSetting(String, suggestion: String?, at: SourceSpan)
    case undeclaredPool(String, ticket: String, suggestion: String?, at: SourceSpan)
    case danglingStoreDependency(ticket: String, dependency: String, at: SourceSpan)

    public var diagnostic: Diagnostic {
        switch self {
        case .unknownSetting(let key, let suggestion, let span):
            return Diagnostic(
                .warning, "unknown setting `\(key)` is ignored", at: span,
                help: suggestion.map { "did you mean `\($0)`?" } ?? "the settings are " + Self.settingList)
        case .undeclaredPool(let pool, let ticket, let suggestion, let span):
            return Diagnostic(
                .warning, "ticket '\(ticket)' names pool '\(pool)', which has no limit", at: span,
                help: suggestion.map { "did you mean '\($0)'?" } ?? "declare it, e.g. \"pools\": {\"\(pool)\": 1} or `pool \(pool) = 1`")
        case .danglingStoreDependency(let ticket, let dependency, let span):
            return Diagnostic(
                .warning, "'\(ticket)' depends on '\(dependency.truncatedForMessage)', which is not in this store; the dependency is ignored", at: span,
                help: "it may live in another store or have been deleted")
        }
    }

    /// "`jobs`, `shell`, ... and `pool NAME`": the settings of the text format, where unknown ones are warned about.
    private static let settingList: String = {
        let names = SettingsDecoder.Setting.textFormatNames.map { "`\($0)`" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }()
}

extension String {
    /// Long values (a 1 MB line) are shortened in messages; the caret shows the place.
    package var truncatedForMessage: String {
        count > 60 ? String(prefix(57)) + "..." : self
    }
}
