import ParrunSupport

/// A manifest after reading: settings and tickets in manifest order. It is not
/// yet known to be a valid graph; `TicketGraph.build` checks that.
public struct Manifest: Sendable {
    public var source: SourceFile
    public var format: ManifestFormat
    public var settings: ManifestSettings
    public var tickets: [Ticket]
    /// Fields the store's own tool leaves out when they are empty (beads'
    /// `acceptance_criteria`, `design`, ...): a template gives them as empty text.
    public var optionalFields: Set<String> = []
    /// The store the tickets came from, when they came from one (read
    /// directly, or through `import`): where write-back writes.
    public var storeKind: StoreKind?
    /// `import`: the store file read, and where its bytes start in the
    /// offsets of diagnostics (`StoreImporter`). Nil when the manifest is the store.
    public var importedStore: SourceFile?
    public var importOffset = 0

    public init(source: SourceFile, format: ManifestFormat, settings: ManifestSettings = ManifestSettings(), tickets: [Ticket]) {
        self.source = source
        self.format = format
        self.settings = settings
        self.tickets = tickets
    }
}

public enum ManifestFormat: String, Sendable {
    case json
    case text
}

/// Top-level settings, from JSON keys or `key = value` lines.
public struct ManifestSettings: Sendable {
    /// `jobs`: how many tickets run at once unless `-j` or `PARRUN_JOBS` says otherwise.
    public var jobs: JobsRequest?
    public var jobsSpan: SourceSpan?
    /// `shell`: the command a shell recipe is given to, as argv; the script is its last argument.
    public var shell: [String]?
    /// `claude`: the command a prompt recipe runs, as argv.
    public var claude: [String]?
    /// `codex`: the command a codex prompt recipe (`agent: codex`) runs, as argv.
    public var codex: [String]?
    /// `launcher = slurm`: every ticket runs as a Slurm job (as `--launcher slurm`).
    public var slurm = false
    /// `launcher = docker exec box`: a command every recipe runs under (see `CommandLauncher`).
    public var launcherCommand: [String]?
    /// `worktreeSetup`: a shell script run in each new worktree before the recipe (e.g. `npm ci`).
    public var worktreeSetup: String?
    /// `isolate = worktree`: every ticket in a git worktree of its own (as `--worktree`).
    public var isolateInWorktrees = false
    /// `pools`: name -> how many of the pool's tickets may run at once.
    public var pools: [PoolLimit] = []
    /// `prices`: model -> what its tokens cost, for estimated agent costs.
    public var prices: [String: TokenPrice] = [:]
    /// `import`: the store the tickets come from, with defaults and overrides.
    public var storeImport: StoreImport?
    /// `on`: commands run when tickets start, succeed or fail, and when the run ends.
    public var hooks: Hooks?
    /// Settings parrun does not know, kept for later stages (e.g. `version` in ticket indexes).
    public var extra: [JSONMember] = []

    public init() {}

    public func poolLimit(_ name: String) -> Int? {
        pools.first { $0.name == name }?.limit
    }
}

public struct PoolLimit: Sendable, Equatable {
    public var name: String
    public var limit: Int
    public var span: SourceSpan

    public init(name: String, limit: Int, span: SourceSpan) {
        self.name = name
        self.limit = limit
        self.span = span
    }
}

/// A requested number of parallel jobs, before it is resolved against the machine.
public enum JobsRequest: Sendable, Equatable, CustomStringConvertible {
    /// floor(cores / 2), clamped to 1...8, capped at the tickets left.
    case auto
    /// A fixed number; 0 means no limit, as in ninja and GNU parallel.
    case count(Int)

    /// Parses `auto` (any case) or a whole number >= 0.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed.lowercased() == "auto" {
            self = .auto
        } else if let value = Int(trimmed), value >= 0 {
            self = .count(value)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .auto: "auto"
        case .count(let value): String(value)
        }
    }
}
