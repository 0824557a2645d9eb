/// What a run would do: which tickets run, in which waves, along which critical
/// path, with how many jobs. Pure: built from the graph alone, so the dry run
/// prints exactly what the scheduler would start from.
public struct Plan: Sendable {
    public let graph: TicketGraph
    /// `runs[i]`: ticket i will run (it is not already done).
    public let runs: [Bool]
    public let waves: Waves
    public let criticalPath: CriticalPath
    public let jobs: JobCount
    /// Slots for agent (prompt) tickets, apart from `jobs`' (used only when there are some).
    public let agents: AgentCount
    /// Limits on how many tickets of a pool run at once, from the manifest.
    public let pools: [PoolLimit]

    /// Expected seconds per ticket from earlier runs; nil when none are known.
    public let weights: [Double]?
    /// Per ticket, why it is held back (`HeldBack`), or nil; empty when no
    /// ticket is. A held-back ticket never runs, and it is not done either.
    public let heldBack: [String?]

    public init(graph: TicketGraph, runs: [Bool], jobs: JobCount, agents: AgentCount? = nil, pools: [PoolLimit] = [], weights: [Double]? = nil) {
        self.graph = graph
        self.runs = runs
        self.pools = pools
        self.weights = weights
        self.waves = Waves(graph: graph, runs: runs)
        self.criticalPath = CriticalPath(graph: graph, runs: runs, weights: weights)
        self.jobs = jobs
        self.agents = agents ?? .resolve(commandLine: nil, manifest: pools.last { $0.name == Scheduler.agentPool }?.limit)
        self.codexAgents = pools.last { $0.name == AgentKind.codex.pool }.map { max(1, $0.limit) } ?? AgentKind.codex.defaultSlots
        var prompts: [AgentKind: Int] = [:]
        var shells = 0
        // A ticket without a recipe takes no time: it never runs beside another.
        for ticket in graph.tickets.indices where runs[ticket] && graph.tickets[ticket].recipe != .none {
            if graph.tickets[ticket].recipe.kind == "prompt" { prompts[graph.tickets[ticket].agentKind, default: 0] += 1 } else { shells += 1 }
        }
        self.agentKinds = Set(graph.tickets.filter { $0.recipe.kind == "prompt" }.map(\.agentKind)).sorted()
        self.hasAgents = !agentKinds.isEmpty
        // Without agents, -j as it always was.
        let agentRunning = min(self.agents.value, prompts[.claude] ?? 0) + min(codexAgents, prompts[.codex] ?? 0)
        self.concurrency = prompts.isEmpty ? jobs.value : max(1, (shells > 0 ? jobs.value : 0) + agentRunning)
        self.heldBack = HeldBack.reasonsIfAny(graph)
    }

    /// Some ticket is a prompt for an agent, so agent slots are in use.
    public let hasAgents: Bool
    /// The agents some prompt ticket uses, each with a pool of its own.
    public let agentKinds: [AgentKind]
    /// Slots for codex tickets: the manifest's `pool codex = N`, else `AgentKind.codex.defaultSlots`.
    public let codexAgents: Int

    /// How many of `agent`'s tickets may run at once.
    public func slots(for agent: AgentKind) -> Int {
        agent == .codex ? codexAgents : agents.value
    }

    /// Where the codex pool's size comes from, for the dry run.
    public var codexAgentsExplanation: String {
        pools.contains { $0.name == AgentKind.codex.pool } ? "manifest pool codex = \(codexAgents)" : "default; set with pool codex = N"
    }

    /// Agent slots in all, apart from `jobs`': one set per agent in use.
    public var agentSlots: Int { agentKinds.reduce(0) { $0 + slots(for: $1) } }

    /// At most this many of the tickets to run can run at once: `-j` of the
    /// shell tickets and `agents` of the prompt tickets.
    public let concurrency: Int

    public var heldBackCount: Int { heldBack.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    public func isHeldBack(_ index: Int) -> Bool { !heldBack.isEmpty && heldBack[index] != nil }

    /// Every ticket runs that the manifest does not mark done and that is not
    /// held back (a beads `blocked` issue and everything waiting for it).
    public static func freshRunMask(_ graph: TicketGraph) -> [Bool] {
        let held = HeldBack.reasonsIfAny(graph)
        return graph.tickets.indices.map { !graph.tickets[$0].isDone && (held.isEmpty || held[$0] == nil) }
    }

    public var ticketsToRun: Int { waves.waves.reduce(0) { $0 + $1.count } }

    public var counts: Counts {
        let widest = waves.widestWave
        let held = heldBackCount
        return Counts(
            tickets: graph.count, toRun: ticketsToRun, done: graph.count - ticketsToRun - held,
            edges: graph.edgeCount, waves: waves.waves.count,
            widestWave: widest.map { waves.waves[$0].count } ?? 0, widestWaveNumber: widest.map { $0 + 1 },
            criticalPath: criticalPath.path.count, heldBack: held)
    }

    public struct Counts: Sendable, Equatable {
        public var tickets: Int
        public var toRun: Int
        /// Not run because done (or, resuming, already succeeded); held-back tickets are not counted here.
        public var done: Int
        public var edges: Int
        public var waves: Int
        public var widestWave: Int
        /// 1-based, as printed; nil when nothing runs.
        public var widestWaveNumber: Int?
        /// Tickets on the critical path.
        public var criticalPath: Int
        /// Not run because held back (a beads `blocked` issue and what waits for it).
        public var heldBack = 0
    }
}
