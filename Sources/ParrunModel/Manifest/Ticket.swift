import ParrunSupport

/// One unit of work in the manifest, as both formats describe it.
///
/// Its fields live in one box that copies share until one of them changes
/// (`unshare`): a run passes tickets around by value (about 15 copies of
/// each in a run of `true` tickets), and a copy of the fields themselves
/// retained some 20 strings and arrays, 9% of parrun's work in that run.
public struct Ticket: Sendable {
    /// Unique within the manifest; matches `[A-Za-z0-9][A-Za-z0-9._-]*`.
    public var id: String { get { box.fields.pointee.id } _modify { unshare(); yield &box.fields.pointee.id } }
    /// Where the id is written; diagnostics about the ticket point here.
    public var idSpan: SourceSpan { get { box.fields.pointee.idSpan } _modify { unshare(); yield &box.fields.pointee.idSpan } }
    public var title: String? { get { box.fields.pointee.title } _modify { unshare(); yield &box.fields.pointee.title } }
    public var description: String? { get { box.fields.pointee.description } _modify { unshare(); yield &box.fields.pointee.description } }
    /// Tickets that must succeed before this one starts, in the order written.
    public var dependencies: [TicketReference] { get { box.fields.pointee.dependencies } _modify { unshare(); yield &box.fields.pointee.dependencies } }
    /// Lower runs first among ready tickets; default 0.
    public var priority: Int { get { box.fields.pointee.priority } _modify { unshare(); yield &box.fields.pointee.priority } }
    public var recipe: Recipe { get { box.fields.pointee.recipe } _modify { unshare(); yield &box.fields.pointee.recipe } }
    /// Seconds the recipe may run before it is stopped; nil means no limit.
    public var timeoutSeconds: Double? { get { box.fields.pointee.timeoutSeconds } _modify { unshare(); yield &box.fields.pointee.timeoutSeconds } }
    /// How many times a failed attempt is run again; nil means the run's default.
    public var retries: Int? { get { box.fields.pointee.retries } _modify { unshare(); yield &box.fields.pointee.retries } }
    /// Which of those two came from the manifest's `defaults`, not the ticket:
    /// a command-line value wins over a default, not over the ticket's own.
    public var inherited: InheritedFields { get { box.fields.pointee.inherited } _modify { unshare(); yield &box.fields.pointee.inherited } }
    /// The pool bounding how many tickets of its kind run at once.
    public var pool: String? { get { box.fields.pointee.pool } _modify { unshare(); yield &box.fields.pointee.pool } }
    public var poolSpan: SourceSpan? { get { box.fields.pointee.poolSpan } _modify { unshare(); yield &box.fields.pointee.poolSpan } }
    /// Where the recipe runs, relative to the manifest's directory.
    public var workingDirectory: String? { get { box.fields.pointee.workingDirectory } _modify { unshare(); yield &box.fields.pointee.workingDirectory } }
    /// Added to the environment the recipe inherits, in the order written.
    public var environment: [EnvironmentVariable] { get { box.fields.pointee.environment } _modify { unshare(); yield &box.fields.pointee.environment } }
    /// The status the manifest gives, if any (`done`, `open`, ...).
    public var status: String? { get { box.fields.pointee.status } _modify { unshare(); yield &box.fields.pointee.status } }
    /// `review`: a person approves the work before it counts (text: `@review`).
    public var review: Bool { get { box.fields.pointee.review } _modify { unshare(); yield &box.fields.pointee.review } }
    /// `daemons`: what the recipe leaves running in the background (a server
    /// it starts) outlives the ticket; by default it is killed when the ticket ends.
    public var daemons: Bool { get { box.fields.pointee.daemons } _modify { unshare(); yield &box.fields.pointee.daemons } }
    /// `verify`: the shell script that must exit 0 after the recipe succeeds.
    public var verifyScript: String? { get { box.fields.pointee.verifyScript } _modify { unshare(); yield &box.fields.pointee.verifyScript } }
    /// `verifyRetries`: how often a prompt ticket that fails `verify` goes back
    /// to its agent; nil means `Verify`'s default.
    public var verifyRetries: Int? { get { box.fields.pointee.verifyRetries } _modify { unshare(); yield &box.fields.pointee.verifyRetries } }
    /// `allowNoChange`: with `--worktree`, a prompt ticket whose agent changed
    /// nothing succeeds (research tickets); otherwise that ends `no-change`, a failure.
    public var allowNoChange: Bool { get { box.fields.pointee.allowNoChange } _modify { unshare(); yield &box.fields.pointee.allowNoChange } }

    /// With `--worktree`: an agent that changed nothing did not do its task.
    public var mustChangeSomething: Bool {
        guard case .prompt = recipe else { return false }
        return !allowNoChange
    }
    /// `continuations`: how often a prompt ticket's session that ran out of
    /// turns or context is continued; nil means `Continuations`' default.
    public var continuations: Int? { get { box.fields.pointee.continuations } _modify { unshare(); yield &box.fields.pointee.continuations } }
    /// `touches`: glob patterns of the paths the ticket may change; nil when it
    /// does not say, and then it excludes no other ticket.
    public var touches: [String]? { get { box.fields.pointee.touches } _modify { unshare(); yield &box.fields.pointee.touches } }
    /// `labels`: words to choose tickets by (`--label`); a store's labels too.
    public var labels: [String] { get { box.fields.pointee.labels } _modify { unshare(); yield &box.fields.pointee.labels } }
    /// `cpus`, `mem`, `partition`, `slurmArgs`: the job it asks for under `--launcher slurm`.
    public var slurm: SlurmRequest {
        get { box.fields.pointee.rarelySet.first?.slurm ?? SlurmRequest() }
        set { store(RarelySet(slurm: newValue, claudeOptions: claudeOptions, agent: agent)) }
    }
    /// `model`, `maxTurns`, ...: flags of the claude command of a prompt ticket.
    public var claudeOptions: ClaudeOptions {
        get { box.fields.pointee.rarelySet.first?.claudeOptions ?? ClaudeOptions() }
        set { store(RarelySet(slurm: slurm, claudeOptions: newValue, agent: agent)) }
    }
    /// `inputs` and `outputs`: the files that decide whether it is up to date
    /// (docs/up-to-date.md); nil when it declares neither, and then it always runs.
    public var files: DeclaredFiles? {
        get { box.fields.pointee.declaredFiles.first }
        set {
            unshare()
            box.fields.pointee.declaredFiles = newValue.map { [$0] } ?? []
        }
    }
    /// `agent`: the CLI a prompt ticket runs through; nil: claude (`agentKind`).
    public var agent: AgentKind? {
        get { box.fields.pointee.rarelySet.first?.agent }
        set {
            var value = box.fields.pointee.rarelySet.first ?? RarelySet()
            value.agent = newValue
            store(value)
        }
    }
    /// The agent a prompt ticket runs through (claude unless it says).
    public var agentKind: AgentKind { agent ?? .claude }
    /// The fields above, out of line (none or one element): most tickets set
    /// none, and 100,000 tickets in memory would otherwise carry ~150 bytes each.
    fileprivate struct RarelySet: Sendable, Equatable {
        var slurm = SlurmRequest()
        var claudeOptions = ClaudeOptions()
        var agent: AgentKind?
    }

    private mutating func store(_ value: RarelySet) {
        unshare()
        box.fields.pointee.rarelySet = value == RarelySet() ? [] : [value]
    }
    /// Every other field as written, and the ones above too (the readers type
    /// them; templates name any field): only the readers and templates look here.
    public var fields: [JSONMember] { get { box.fields.pointee.fields } _modify { unshare(); yield &box.fields.pointee.fields } }
    /// Why the ticket is held back and must not run (a beads status such as
    /// `blocked`); its dependents are held back with it.
    public var hold: String? { get { box.fields.pointee.hold } _modify { unshare(); yield &box.fields.pointee.hold } }
    /// Only groups its dependencies, never runs a recipe (a beads epic): no template applies.
    public var isGroup: Bool { get { box.fields.pointee.isGroup } _modify { unshare(); yield &box.fields.pointee.isGroup } }
    /// Deleted in its store but kept there (a beads `tombstone`): done, never run.
    public var isDeleted: Bool { get { box.fields.pointee.isDeleted } _modify { unshare(); yield &box.fields.pointee.isDeleted } }

    public init(
        id: String, idSpan: SourceSpan, title: String? = nil, description: String? = nil,
        dependencies: [TicketReference] = [], priority: Int = 0, recipe: Recipe = .none,
        timeoutSeconds: Double? = nil, retries: Int? = nil, pool: String? = nil, poolSpan: SourceSpan? = nil,
        workingDirectory: String? = nil, environment: [EnvironmentVariable] = [], status: String? = nil,
        fields: [JSONMember] = []
    ) {
        box = TicketBox.holding(Fields(
            id: id, idSpan: idSpan, title: title, description: description, dependencies: dependencies,
            priority: priority, recipe: recipe, timeoutSeconds: timeoutSeconds, retries: retries, pool: pool,
            poolSpan: poolSpan, workingDirectory: workingDirectory, environment: environment, status: status,
            fields: fields))
    }

    /// The stored fields, each documented at its property above.
    fileprivate struct Fields: Sendable {
        var id: String
        var idSpan: SourceSpan
        var title: String?
        var description: String?
        var dependencies: [TicketReference]
        var priority: Int
        var recipe: Recipe
        var timeoutSeconds: Double?
        var retries: Int?
        var inherited = InheritedFields()
        var pool: String?
        var poolSpan: SourceSpan?
        var workingDirectory: String?
        var environment: [EnvironmentVariable]
        var status: String?
        var review = false
        var daemons = false
        var verifyScript: String?
        var verifyRetries: Int?
        var allowNoChange = false
        var continuations: Int?
        var touches: [String]?
        var labels: [String] = []
        var declaredFiles: [DeclaredFiles] = []
        var rarelySet: [RarelySet] = []
        var fields: [JSONMember]
        var hold: String?
        var isGroup = false
        var isDeleted = false
    }

    /// Unchecked Sendable: a box is changed only through `unshare`, when no
    /// other copy refers to it.
    nonisolated(unsafe) private var box: TicketBox

    /// Gives this copy a box of its own before it changes, if others share it.
    private mutating func unshare() {
        if !isKnownUniquelyReferenced(&box) { box = TicketBox.holding(box.fields.pointee) }
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

/// A ticket's fields, shared by its copies: the header of a `ManagedBuffer`,
/// reached through its pointer. Reading a class's stored property (the
/// buffer's `header` is one) checks exclusivity at run time, which cost more
/// than the copies the box saves; `Ticket.unshare` is what keeps a box from
/// being changed while another copy refers to it.
private final class TicketBox: ManagedBuffer<Ticket.Fields, Void> {
    static func holding(_ fields: Ticket.Fields) -> TicketBox {
        unsafeDowncast(create(minimumCapacity: 0) { _ in fields }, to: TicketBox.self)
    }

    /// Valid while the box lives: a ticket holds it for as long as it reads.
    var fields: UnsafeMutablePointer<Ticket.Fields> {
        withUnsafeMutablePointerToHeader { $0 }
    }
}
