import ParrunSupport

/// One unit of work in the manifest, as both formats describe it.
public struct Ticket: Sendable {
    /// Unique within the manifest; matches `[A-Za-z0-9][A-Za-z0-9._-]*`.
    public var id: String
    /// Where the id is written; diagnostics about the ticket point here.
    public var idSpan: SourceSpan
    public var title: String?
    public var description: String?
    /// Tickets that must succeed before this one starts, in the order written.
    public var dependencies: [TicketReference]
    /// Lower runs first among ready tickets; default 0.
    public var priority: Int
    public var recipe: Recipe
    /// Seconds the recipe may run before it is stopped; nil means no limit.
    public var timeoutSeconds: Double?
    /// How many times a failed attempt is run again; nil means the run's default.
    public var retries: Int?
    /// Which of those two came from the manifest's `defaults`, not the ticket:
    /// a command-line value wins over a default, not over the ticket's own.
    public var inherited = InheritedFields()
    /// The pool bounding how many tickets of its kind run at once.
    public var pool: String?
    public var poolSpan: SourceSpan?
    /// Where the recipe runs, relative to the manifest's directory.
    public var workingDirectory: String?
    /// Added to the environment the recipe inherits, in the order written.
    public var environment: [EnvironmentVariable]
    /// The status the manifest gives, if any (`done`, `open`, ...).
    public var status: String?
    /// `review`: a person approves the work before it counts (text: `@review`).
    public var review = false
    /// `daemons`: what the recipe leaves running in the background (a server
    /// it starts) outlives the ticket; by default it is killed when the ticket ends.
    public var daemons = false
    /// `verify`: the shell script that must exit 0 after the recipe succeeds.
    public var verifyScript: String?
    /// `verifyRetries`: how often a prompt ticket that fails `verify` goes back
    /// to its agent; nil means `Verify`'s default.
    public var verifyRetries: Int?
    /// `allowNoChange`: with `--worktree`, a prompt ticket whose agent changed
    /// nothing succeeds (research tickets); otherwise that ends `no-change`, a failure.
    public var allowNoChange = false

    /// With `--worktree`: an agent that changed nothing did not do its task.
    public var mustChangeSomething: Bool {
        guard case .prompt = recipe else { return false }
        return !allowNoChange
    }
    /// `continuations`: how often a prompt ticket's session that ran out of
    /// turns or context is continued; nil means `Continuations`' default.
    public var continuations: Int?
    /// `touches`: glob patterns of the paths the ticket may change; nil when it
    /// does not say, and then it excludes no other ticket.
    public var touches: [String]?
    /// `labels`: words to choose tickets by (`--label`); a store's labels too.
    public var labels: [String] = []
    /// `cpus`, `mem`, `partition`, `slurmArgs`: the job it asks for under `--launcher slurm`.
    public var slurm: SlurmRequest {
        get { rarelySet.first?.slurm ?? SlurmRequest() }
        set { store(RarelySet(slurm: newValue, claudeOptions: claudeOptions, agent: agent)) }
    }
    /// `model`, `maxTurns`, ...: flags of the claude command of a prompt ticket.
    public var claudeOptions: ClaudeOptions {
        get { rarelySet.first?.claudeOptions ?? ClaudeOptions() }
        set { store(RarelySet(slurm: slurm, claudeOptions: newValue, agent: agent)) }
    }
    /// `inputs` and `outputs`: the files that decide whether it is up to date
    /// (docs/up-to-date.md); nil when it declares neither, and then it always runs.
    public var files: DeclaredFiles? {
        get { declaredFiles.first }
        set { declaredFiles = newValue.map { [$0] } ?? [] }
    }
    /// Out of line like `rarelySet`: most tickets declare no files.
    private var declaredFiles: [DeclaredFiles] = []
    /// `agent`: the CLI a prompt ticket runs through; nil: claude (`agentKind`).
    public var agent: AgentKind? {
        get { rarelySet.first?.agent }
        set {
            var value = rarelySet.first ?? RarelySet()
            value.agent = newValue
            store(value)
        }
    }
    /// The agent a prompt ticket runs through (claude unless it says).
    public var agentKind: AgentKind { agent ?? .claude }
    /// The fields above, out of line (none or one element): most tickets set
    /// none, and 100,000 tickets in memory would otherwise carry ~150 bytes each.
    private var rarelySet: [RarelySet] = []
    private struct RarelySet: Sendable, Equatable {
        var slurm = SlurmRequest()
        var claudeOptions = ClaudeOptions()
        var agent: AgentKind?
    }

    private mutating func store(_ value: RarelySet) {
        rarelySet = value == RarelySet() ? [] : [value]
    }
    /// Every other field as written, and the ones above too (the readers type
    /// them; templates name any field): only the readers and templates look here.
    public var fields: [JSONMember]
    /// Why the ticket is held back and must not run (a beads status such as
    /// `blocked`); its dependents are held back with it.
    public var hold: String?
    /// Only groups its dependencies, never runs a recipe (a beads epic): no template applies.
    public var isGroup = false
    /// Deleted in its store but kept there (a beads `tombstone`): done, never run.
    public var isDeleted = false

    public init(
        id: String, idSpan: SourceSpan, title: String? = nil, description: String? = nil,
        dependencies: [TicketReference] = [], priority: Int = 0, recipe: Recipe = .none,
        timeoutSeconds: Double? = nil, retries: Int? = nil, pool: String? = nil, poolSpan: SourceSpan? = nil,
        workingDirectory: String? = nil, environment: [EnvironmentVariable] = [], status: String? = nil,
        fields: [JSONMember] = []
    ) {
        self.id = id
        self.idSpan = idSpan
        self.title = title
        self.description = description
        self.dependencies = dependencies
        self.priority = priority
        self.recipe = recipe
        self.timeoutSeconds = timeoutSeconds
        self.retries = retries
        self.pool = pool
        self.poolSpan = poolSpan
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.status = status
        self.fields = fields
    }

    /// A ticket the manifest marks done/completed/closed is already satisfied and is not run.
    public var isDone: Bool {
        guard !isDeleted, let status else { return isDeleted }
        return Self.doneStatuses.contains(status.lowercased())
    }

    static let doneStatuses: Set<String> = ["done", "completed", "closed"]

    /// The value of a field as written, for templates; every field parrun
    /// interprets has a typed property instead (internal, so that no later
    /// stage parses a field itself).
    func field(_ name: String) -> JSONValue? {
        fields.first { $0.key == name }?.value
    }
}

/// What a ticket runs.
public enum Recipe: Sendable, Equatable {
    /// No recipe: the ticket only groups its dependencies, like a make target without commands.
    case none
    /// A shell script, run as one script by the manifest's shell.
    case shell(String)
    /// A prompt for an agent CLI (the ticket's `agent`: claude or codex).
    case prompt(String)

    /// The word shown in plans and graph output.
    public var kind: String {
        switch self {
        case .none: "none"
        case .shell: "shell"
        case .prompt: "prompt"
        }
    }
}

/// A dependency as written: the id and where, for "unknown ticket" errors.
public struct TicketReference: Sendable, Equatable {
    public var id: String
    public var span: SourceSpan

    public init(id: String, span: SourceSpan) {
        self.id = id
        self.span = span
    }
}

enum TicketID {
    /// `[A-Za-z0-9][A-Za-z0-9._-]*`: safe in file names, shell words and graph formats.
    static func isValid(_ id: String) -> Bool {
        var utf8 = id.utf8.makeIterator()
        guard let first = utf8.next(), isAlphanumeric(first) else { return false }
        while let byte = utf8.next() {
            guard isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") else {
                return false
            }
        }
        return true
    }

    static func isIDByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}

/// Ticket fields that have a command-line flag too, marked when a ticket took
/// them from `defaults` (precedence: ticket, command line, defaults, built-in).
public struct InheritedFields: OptionSet, Sendable, Equatable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let timeout = InheritedFields(rawValue: 1)
    public static let retries = InheritedFields(rawValue: 2)
    public static let agent = InheritedFields(rawValue: 4)
}

extension Ticket {
    /// The timeout that applies, given `--timeout`'s (nil: none given).
    public func timeout(commandLine: Double?) -> Double? {
        inherited.contains(.timeout) ? commandLine ?? timeoutSeconds : timeoutSeconds ?? commandLine
    }

    /// The agent that runs the ticket's prompt, given `--agent` (nil: none given).
    public func agent(commandLine: AgentKind?) -> AgentKind {
        (inherited.contains(.agent) ? commandLine ?? agent : agent ?? commandLine) ?? .claude
    }

    /// The retries that apply, given `--retries`' (nil: none given).
    public func retries(commandLine: Int?) -> Int? {
        inherited.contains(.retries) ? commandLine ?? retries : retries ?? commandLine
    }
}
