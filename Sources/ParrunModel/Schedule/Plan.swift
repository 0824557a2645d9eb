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
        var prompts = 0
        var shells = 0
        // A ticket without a recipe takes no time: it never runs beside another.
        for ticket in graph.tickets.indices where runs[ticket] && graph.tickets[ticket].recipe != .none {
            if graph.tickets[ticket].recipe.kind == "prompt" { prompts += 1 } else { shells += 1 }
        }
        self.hasAgents = graph.tickets.contains { $0.recipe.kind == "prompt" }
        // Without agents, -j as it always was.
        self.concurrency = prompts == 0 ? jobs.value : max(1, (shells > 0 ? jobs.value : 0) + min(self.agents.value, prompts))
        self.heldBack = HeldBack.reasonsIfAny(graph)
    }

    /// Some ticket is a prompt for an agent, so agent slots are in use.
    public let hasAgents: Bool

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
