import ParrunModel
import ParrunPlatform
import ParrunState

/// Problems with how parrun was called (exit status 2), each rendered as one
/// line followed by a pointer to `--help`.
public enum UsageError: Error, Equatable, Sendable {
    case unknownOption(String, suggestion: String?)
    case missingValue(option: String, valueName: String)
    case unexpectedValue(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case invalidEnvironment(name: String, value: String, expected: String)
    case tooManyManifests(first: String, extra: String)
    case tooManyTickets(first: String, extra: String, command: String)
    case optionForOtherCommand(option: String, command: String)
    /// `parrun help a b`, `parrun completions bash zsh`: the command takes one word.
    case tooManyArguments(first: String, extra: String, command: String)
    /// `parrun help nosuch`, `parrun completions csh`, a missing word: what was expected.
    case invalidArgument(command: String, value: String?, expected: String, suggestion: String?)
    /// Two options that cannot both hold, and why.
    case conflictingOptions(String, String, reason: String)
    case unknownTicket(String, suggestion: String?)
    /// Targets no ticket of the manifest has (`TargetProblems`).
    case unknownTargets(manifest: String, [TicketSelection.UnknownTarget])
    /// `--label` matched no ticket.
    case noTicketLabelled(manifest: String, [String], withinTargets: Bool, known: [String])
    /// The first operand is no file, so it was read as a ticket id, and no default manifest exists.
    case noManifestForTarget(String, directory: String)
    case noManifestFound(directory: String)
    case cannotChangeDirectory(SystemError)
    case cannotReadManifest(SystemError)
    /// The manifest (or store) is larger than `--max-manifest-size` allows; it was not read whole.
    case manifestTooLarge(String, limit: Int)
    case cannotWriteState(SystemError)
    case cannotReadFile(what: String, SystemError)
    case cannotWriteFile(what: String, SystemError)
    case worktree(String)
    case missingTicketIDs(command: String)
    /// `parrun diff` of a ticket whose work has no branch or commit to compare.
    case nothingToCompare(String)
    case notAwaitingReview(String)
    /// `approve` after `reject` or the reverse: the first decision stands until `--resume` acts on it.
    case alreadyDecided(String)
    case journal(JournalError)

    public var message: String {
        switch self {
        case .unknownOption(let option, let suggestion):
            return "unknown option '\(option)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .missingValue(let option, let valueName):
            return "option '\(option)' needs a value (\(valueName))"
        case .unexpectedValue(let option):
            return "option '\(option)' takes no value"
        case .invalidValue(let option, let value, let expected):
            return "invalid value '\(value.truncatedForMessage)' for '\(option)': expected \(expected)"
        case .invalidEnvironment(let name, let value, let expected):
            return "invalid \(name)='\(value.truncatedForMessage)' in the environment: expected \(expected); unset it or fix it"
        case .tooManyManifests(let first, let extra):
            return "more than one manifest given ('\(first)' and '\(extra)'); parrun reads one manifest"
        case .tooManyTickets(let first, let extra, let command):
            return "more than one ticket given ('\(first)' and '\(extra)'); parrun \(command) takes one"
        case .tooManyArguments(let first, let extra, let command):
            return "more than one argument given ('\(first.truncatedForMessage)' and '\(extra.truncatedForMessage)'); parrun \(command) takes one"
        case .invalidArgument(let command, let value, let expected, let suggestion):
            let given = value.map { "unknown argument '\($0.truncatedForMessage)' for" } ?? "missing argument for"
            return "\(given) 'parrun \(command)': expected \(expected)" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .optionForOtherCommand(let option, let command):
            return "option '\(option)' belongs to 'parrun \(command)'"
        case .conflictingOptions(let first, let second, let reason):
            return "'\(first)' and '\(second)' cannot be used together: \(reason)"
        case .unknownTicket(let id, let suggestion):
            return "no ticket '\(id.truncatedForMessage)' in the manifest" + (suggestion.map { "; did you mean '\($0)'?" } ?? "")
        case .unknownTargets, .noTicketLabelled, .noManifestForTarget:
            return TargetProblems.message(self)
        case .noManifestFound(let directory):
            return "no manifest: none of tickets.json, Parrunfile, .beads/issues.jsonl, .sage/tickets/index.json, .specs/tasks/tasks.json in \(directory); name one, e.g. parrun -f FILE"
        case .cannotChangeDirectory(let error):
            return "cannot change to directory \(error.path ?? ""): \(error.reason)"
        case .worktree(let message), .notAwaitingReview(let message), .alreadyDecided(let message), .nothingToCompare(let message):
            return message
        case .missingTicketIDs(let command):
            return "parrun \(command) needs the ids of the tickets, e.g. parrun \(command) ID"
        case .cannotReadFile(let what, let error):
            return "cannot read \(what) \(error.path ?? ""): \(error.reason)"
        case .cannotWriteFile(let what, let error):
            return "cannot write \(what) \(error.path ?? ""): \(error.reason)"
        case .cannotReadManifest(let error):
            return "cannot read manifest \(error.path ?? ""): \(error.reason)"
        case .manifestTooLarge(let name, let limit):
            return "\(name): the manifest is larger than \(ManifestSizeLimit.describe(limit)) (the limit); raise it with --max-manifest-size SIZE"
        case .journal(let error):
            return error.message
        case .cannotWriteState(let error) where error.isSymbolicLink:
            return "cannot prepare the state directory: refusing to follow the symbolic link at \(error.path ?? "?")"
        case .cannotWriteState(let error):
            return "cannot prepare the state directory: \(error.description)"
        }
    }

    public var rendered: String {
        switch self {
        case .cannotWriteState, .cannotWriteFile, .journal, .worktree, .alreadyDecided, .nothingToCompare: return "parrun: error: \(message)\n"
        default: break
        }
        return "parrun: error: \(message)\nRun 'parrun --help' for usage.\n"
    }
}
