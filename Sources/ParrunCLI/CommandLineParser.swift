import ParrunCore
import ParrunModel
import ParrunState
import ParrunSupport

/// What the command line asked for.
public struct Invocation: Sendable, Equatable {
    /// `parrun [MANIFEST]` runs; `parrun status|logs|clean` look at the state.
    public enum Command: String, Sendable, Equatable, CaseIterable {
        case run, status, logs, show, diff, clean, approve, reject
        case trace, schema, completions, help, man

        /// Commands that take one ticket id as their argument.
        var takesOneTicket: Bool { self == .logs || self == .show || self == .diff }
    }

    public var command = Command.run
    /// The arguments as given, to show the command that continues a run.
    public var arguments: [String] = []
    public var manifestPath: String?
    /// `parrun logs ID`, `show ID`, `diff ID`.
    public var ticketID: String?
    /// `parrun approve ID...` and `parrun reject ID...`.
    public var ticketIDs: [String] = []
    /// `parrun reject --reason TEXT`.
    public var reason: String?
    /// `parrun help COMMAND` and `parrun completions SHELL`: the word after the command.
    public var word: String?
    /// `parrun trace -o FILE`.
    public var traceFile: String?
    /// `--list-ids`: print the manifest's ids for completion, run nothing.
    public var listIDs = false
    /// `--verbose`: each decision and spawned command, on standard error.
    public var verbose = false
    /// `--color`: nil is auto.
    public var color: ColorChoice?
    public var tail: Int?
    public var follow = false
    /// `parrun diff --no-pager`: git's own option, passed on.
    public var noPager = false
    public var force = false
    public var directory: String?
    /// `--max-manifest-size`, in bytes; nil means `ManifestSizeLimit.defaultBytes`.
    public var maxManifestSize: Int?
    /// `--strict`: an unknown key in the manifest is an error, not a warning.
    public var strict = false
    public var jobs: JobsRequest?
    public var dryRun = false
    public var graphFormat: GraphFormat?
    public var summaryOnly = false
    public var showHelp = false
    public var showVersion = false
    public var keepGoing = false
    /// `-B`: no ticket is skipped as up to date.
    public var alwaysRun = false
    public var failFast = false
    public var maxFailures: Int?
    public var timeout: Double?
    public var retries: Int?
    public var retryDelay: Double?
    public var grace: Double?
    public var prefix: RunOptions.Prefix?
    public var output: RunOptions.OutputMode?
    public var quiet = false
    public var json = false
    public var resume = false
    public var stateDirectory: String?
    public var noJournal = false
    /// `--no-write-back`: the store the tickets came from is left as it is.
    public var noWriteBack = false
    /// `--claude`, split into words.
    public var claude: [String]?
    /// `--codex`, split into words.
    public var codex: [String]?
    /// `--agent`: the agent of prompt tickets that do not choose theirs.
    public var agent: AgentKind?
    public var freshSessions = false
    public var maxCost: Double?
    /// `--agents N`: agent slots (the claude pool's size).
    public var agents: Int?
    public var rateLimitWait: Double?
    public var promptTemplate: String?
    public var worktree = false
    public var into: String?
    public var base: String?
    public var merge: String?
    public var keepWorktrees = false
    public var rerunOnConflict = false
    public var rerunConflicts = false
    public var agentLimitQuiet: Double?
    public var verifyFeedbackBytes: Int?
    /// `--launcher slurm` (true), `--launcher local` (false), or not given.
    public var slurm: Bool?
    /// `--launcher 'docker exec box'`: a command every recipe runs under (see `CommandLauncher`).
    public var launcherCommand: [String]?
    public var usageLimitWait: Double?
    /// `parrun [MANIFEST] ID...`: the tickets to run, with what they depend on (`TargetOperands`).
    public var targets: [String] = []
    /// `manifestPath` is the first operand, not `-f`'s: it may turn out to be a target.
    public var manifestFromOperand = false
    /// `--label L` (repeatable) and `--limit N`.
    public var labels: [String] = []
    public var limit: Int?

    public init() {}

    /// `--graph` and `--summary` only print, so they imply `--dry-run`.
    public var printsOnly: Bool { dryRun || graphFormat != nil || summaryOnly }
}

/// Parses arguments the way users of make and swift-argument-parser expect:
/// `-j4`, `-j 4`, `--jobs=4`, `--jobs 4`, bundled flags (`-nk`), `--` to end
/// options, `-` as a file name.
public enum CommandLineParser {
    public static func parse(_ arguments: [String]) throws(UsageError) -> Invocation {
        var invocation = Invocation()
        invocation.arguments = arguments
        var index = 0
        var optionsEnded = false
        // A subcommand is the first argument, spelled exactly; a manifest with
        // such a name is still reachable as ./status or -f status.
        if let first = arguments.first, let command = Invocation.Command(rawValue: first), command != .run {
            invocation.command = command
            index = 1
        }

        func value(for option: OptionSpec, spelled: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            guard index < arguments.count else {
                throw .missingValue(option: spelled, valueName: option.valueName ?? "")
            }
            defer { index += 1 }
            return arguments[index]
        }

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || argument == "-" || !argument.hasPrefix("-") {
                if invocation.command == .help || invocation.command == .completions {
                    if let first = invocation.word { throw .tooManyArguments(first: first, extra: argument, command: invocation.command.rawValue) }
                    invocation.word = argument
                } else if invocation.command == .approve || invocation.command == .reject {
                    invocation.ticketIDs.append(argument)
                } else if invocation.command.takesOneTicket && argument != "-" {
                    if let first = invocation.ticketID { throw .tooManyTickets(first: first, extra: argument, command: invocation.command.rawValue) }
                    invocation.ticketID = argument
                } else if invocation.command == .run {
                    TargetOperands.add(argument, to: &invocation)
                } else {
                    try addManifest(argument, to: &invocation)
                }
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                guard let option = OptionTable.option(long: name) else {
                    let candidates = OptionTable.options.map { "--" + $0.long }
                    throw .unknownOption("--" + name, suggestion: SpellingSuggestion.closest(to: "--" + name, among: candidates))
                }
                if option.valueName == nil {
                    if inline != nil { throw .unexpectedValue(option: "--" + name) }
                    try apply(option, value: nil, spelled: "--" + name, to: &invocation)
                } else {
                    try apply(option, value: try value(for: option, spelled: "--" + name, inline: inline), spelled: "--" + name, to: &invocation)
                }
                continue
            }
            // Short options: flags may be bundled; an option taking a value takes the rest.
            var rest = Substring(argument.dropFirst())
            while let letter = rest.first {
                rest = rest.dropFirst()
                guard let option = OptionTable.option(short: letter) else {
                    let suggestion = OptionTable.options.first { $0.long.first == letter }.map { "--" + $0.long }
                    throw .unknownOption("-\(letter)", suggestion: suggestion)
                }
                if option.valueName == nil {
                    try apply(option, value: nil, spelled: "-\(letter)", to: &invocation)
                    continue
                }
                let inline = rest.isEmpty ? nil : String(rest.hasPrefix("=") ? rest.dropFirst() : rest)
                try apply(option, value: try value(for: option, spelled: "-\(letter)", inline: inline), spelled: "-\(letter)", to: &invocation)
                break
            }
        }
        try checkCommandOptions(invocation)
        return invocation
    }

    /// Options that belong to one subcommand are refused elsewhere, rather than
    /// ignored; so are options that contradict each other.
    private static func checkCommandOptions(_ invocation: Invocation) throws(UsageError) {
        let misplaced: [(used: Bool, option: String, command: Invocation.Command)] = [
            (invocation.tail != nil, "--tail", .logs), (invocation.follow, "--follow", .logs),
            (invocation.force, "--force", .clean), (invocation.reason != nil, "--reason", .reject),
            (invocation.noPager, "--no-pager", .diff), (invocation.traceFile != nil, "--output-file", .trace),
        ]
        if let wrong = misplaced.first(where: { $0.used && $0.command != invocation.command }) {
            throw .optionForOtherCommand(option: wrong.option, command: wrong.command.rawValue)
        }
        if invocation.resume && invocation.noJournal {
            throw .conflictingOptions("--resume", "--no-journal", reason: "--resume continues the run the journal recorded, and --no-journal reads and records none")
        }
    }

    private static func addManifest(_ path: String, to invocation: inout Invocation) throws(UsageError) {
        if let first = invocation.manifestPath { throw .tooManyManifests(first: first, extra: path) }
        invocation.manifestPath = path
    }

    private static func apply(_ option: OptionSpec, value: String?, spelled: String, to invocation: inout Invocation) throws(UsageError) {
        let value = value ?? ""
        switch option.key {
        case .file:
            TargetOperands.fileGiven(to: &invocation)
            try addManifest(value, to: &invocation)
        case .directory:
            // As make: each -C is relative to the one before.
            if let earlier = invocation.directory, !value.hasPrefix("/") {
                invocation.directory = earlier + "/" + value
            } else {
                invocation.directory = value
            }
        case .maxManifestSize:
            guard let bytes = ManifestSizeLimit.bytes(parsing: value) else {
                throw .invalidValue(option: spelled, value: value, expected: "a size in bytes, or with K, M or G (such as 64M)")
            }
            invocation.maxManifestSize = bytes
        case .strict:
            invocation.strict = true
        case .jobs:
            guard let jobs = JobsRequest(parsing: value) else {
                throw .invalidValue(option: spelled, value: value, expected: "a number of jobs or auto")
            }
            invocation.jobs = jobs
        case .dryRun:
            invocation.dryRun = true
        case .graph:
            guard let format = GraphFormat(rawValue: value) else {
                throw .invalidValue(option: spelled, value: value, expected: GraphFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            invocation.graphFormat = format
        case .summary:
            invocation.summaryOnly = true
        case .label:
            guard !value.isEmpty else { throw .invalidValue(option: spelled, value: value, expected: "a label, such as backend") }
            invocation.labels.append(value)
        case .limit:
            invocation.limit = try count(value, spelled, minimum: 1)
        case .keepGoing:
            invocation.keepGoing = true
        case .alwaysRun:
            invocation.alwaysRun = true
        case .failFast:
            invocation.failFast = true
        case .maxFailures:
            invocation.maxFailures = try count(value, spelled, minimum: 1)
        case .agents:
            invocation.agents = try count(value, spelled, minimum: 1)
        case .timeout:
            invocation.timeout = try duration(value, spelled)
        case .retries:
            invocation.retries = try count(value, spelled, minimum: 0)
        case .retryDelay:
            invocation.retryDelay = try duration(value, spelled, allowZero: true)
        case .grace:
            invocation.grace = try duration(value, spelled, allowZero: true)
        case .prefix:
            guard let prefix = RunOptions.Prefix(rawValue: value), prefix != .auto else {
                throw .invalidValue(option: spelled, value: value, expected: "id, worker or none")
            }
            invocation.prefix = prefix
        case .output:
            guard let output = RunOptions.OutputMode(rawValue: value) else {
                throw .invalidValue(option: spelled, value: value, expected: "lines or grouped")
            }
            invocation.output = output
        case .quiet:
            invocation.quiet = true
        case .json:
            invocation.json = true
        case .resume:
            invocation.resume = true
        case .stateDirectory:
            invocation.stateDirectory = value
        case .noJournal:
            invocation.noJournal = true
        case .noWriteBack:
            invocation.noWriteBack = true
        case .claude:
            guard case .success(let words) = ShellWords.split(value) else {
                throw .invalidValue(option: spelled, value: value, expected: "a command, split into words as a shell would")
            }
            invocation.claude = words
        case .codex:
            guard case .success(let words) = ShellWords.split(value), !words.isEmpty else {
                throw .invalidValue(option: spelled, value: value, expected: "a command, split into words as a shell would")
            }
            invocation.codex = words
        case .agent:
            guard let agent = AgentKind(rawValue: value) else {
                throw .invalidValue(option: spelled, value: value, expected: AgentKind.names.joined(separator: " or "))
            }
            invocation.agent = agent
        case .freshSessions:
            invocation.freshSessions = true
        case .maxCost:
            guard let dollars = Double(value), dollars > 0, dollars.isFinite else {
                throw .invalidValue(option: spelled, value: value, expected: "an amount of dollars above 0, such as 5 or 2.50")
            }
            invocation.maxCost = dollars
        case .worktree:
            invocation.worktree = true
        case .into:
            invocation.into = value
        case .base:
            invocation.base = value
        case .merge:
            guard WorktreeIsolation.MergeMode(rawValue: value) != nil else {
                throw .invalidValue(option: spelled, value: value, expected: "rebase, merge or squash")
            }
            invocation.merge = value
        case .onConflict:
            guard value == "fail" || value == "rerun" else {
                throw .invalidValue(option: spelled, value: value, expected: "fail or rerun")
            }
            invocation.rerunOnConflict = value == "rerun"
        case .launcher:
            if value == "slurm" || value == "local" {
                invocation.slurm = value == "slurm"
            } else {
                guard case .success(let words) = ShellWords.split(value) else {
                    throw .invalidValue(option: spelled, value: value, expected: "local, slurm, or a command such as 'docker exec box' or 'ssh build-7 {}'")
                }
                invocation.slurm = false
                invocation.launcherCommand = words
            }
        case .verifyFeedback:
            invocation.verifyFeedbackBytes = try count(value, spelled, minimum: 1)
        case .reason:
            invocation.reason = value
        case .agentLimitQuiet:
            invocation.agentLimitQuiet = try duration(value, spelled, allowZero: true)
        case .rerunConflicts:
            invocation.rerunConflicts = true
        case .keepWorktrees:
            invocation.keepWorktrees = true
        case .promptTemplate:
            invocation.promptTemplate = value
        case .rateLimitWait:
            invocation.rateLimitWait = try duration(value, spelled, allowZero: true)
        case .usageLimitWait:
            invocation.usageLimitWait = try duration(value, spelled, allowZero: true)
        case .tail:
            invocation.tail = try count(value, spelled, minimum: 0)
        case .follow:
            invocation.follow = true
        case .noPager:
            invocation.noPager = true
        case .force:
            invocation.force = true
        case .traceFile:
            invocation.traceFile = value
        case .listIDs:
            invocation.listIDs = true
        case .verbose:
            invocation.verbose = true
        case .color:
            guard let choice = ColorChoice(rawValue: value) else {
                throw .invalidValue(option: spelled, value: value, expected: "auto, always or never")
            }
            invocation.color = choice
        case .help:
            invocation.showHelp = true
        case .version:
            invocation.showVersion = true
        }
    }

    private static func count(_ value: String, _ spelled: String, minimum: Int) throws(UsageError) -> Int {
        guard let number = Int(value), number >= minimum else {
            throw .invalidValue(option: spelled, value: value, expected: "a whole number of at least \(minimum)")
        }
        return number
    }

    private static func duration(_ value: String, _ spelled: String, allowZero: Bool = false) throws(UsageError) -> Double {
        switch DurationText.seconds(from: value) {
        case .success(let seconds): return seconds
        case .failure(.zero) where allowZero: return 0
        case .failure: throw .invalidValue(option: spelled, value: value, expected: "a duration such as 90s, 30m or 1h")
        }
    }
}
