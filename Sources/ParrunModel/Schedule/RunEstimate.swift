/// What a run is expected to take, from earlier runs: its wall time at the
/// plan's jobs (a list-schedule simulation over past durations, which drives
/// the real `Scheduler` on a simulated clock, so priorities, pools, agent
/// slots and `touches` count as they will), its critical path, and what its
/// agents are expected to cost. Pure: the plan and each ticket's history in.
public struct RunEstimate: Sendable, Equatable {
    /// Expected wall time in seconds.
    public var wallSeconds: Double
    /// The longest chain of tickets to run, by expected durations.
    public var criticalPathSeconds: Double
    public var criticalPath: [Int]
    /// Shell tickets at once (`-j`), as simulated.
    public var jobs: Int
    /// Tickets to run with a recipe, and how many of them never succeeded before.
    public var tickets: Int
    public var withoutHistory: Int
    /// The duration assumed for those: the median of the known ones.
    public var assumedSeconds: Double
    /// Prompt tickets to run, how many of them have no recorded cost, and the
    /// expected cost and tokens of the others.
    public var prompts: Int
    public var promptsWithoutHistory: Int
    public var costUSD: Double
    public var tokens: Int
    /// Seconds parrun spends on each ticket besides its recipe, measured in
    /// the latest run, added to every ticket's duration.
    public var overheadSeconds: Double

    /// True when some ticket to run has run before: otherwise there is nothing to estimate from.
    public var hasHistory: Bool { withoutHistory < tickets }

    /// `seconds[i]`: ticket i's last successful duration, if any; `stats[i]`:
    /// what its agent cost then, if it is a prompt ticket that ran.
    /// `overhead`: seconds a slot stays busy around each recipe (starting it,
    /// syncing its end record), which dominates when recipes take milliseconds.
    public init(plan: Plan, seconds: [Double?], stats: [AgentStats?], overhead: Double = 0) {
        let graph = plan.graph
        let toRun = graph.tickets.indices.filter { plan.runs[$0] && graph.tickets[$0].recipe != .none }
        let known = toRun.compactMap { seconds[$0] }.sorted()
        // Unknown tickets are neither free nor huge: they take what a typical one took.
        assumedSeconds = known.isEmpty ? 0 : known[known.count / 2]
        var durations = [Double](repeating: 0, count: graph.count)
        overheadSeconds = overhead
        for ticket in toRun { durations[ticket] = (seconds[ticket] ?? assumedSeconds) + overhead }
        tickets = toRun.count
        withoutHistory = toRun.count - known.count
        jobs = plan.jobs.value
        let prompts = toRun.filter { graph.tickets[$0].recipe.kind == "prompt" }
        self.prompts = prompts.count
        promptsWithoutHistory = prompts.filter { stats[$0] == nil }.count
        costUSD = prompts.reduce(0) { $0 + (stats[$1]?.costUSD ?? 0) }
        tokens = prompts.reduce(0) { $0 + (stats[$1]?.totalTokens ?? 0) }
        let path = CriticalPath(graph: graph, runs: plan.runs, weights: durations.map { max($0, 1e-9) })
        criticalPath = path.path
        criticalPathSeconds = path.path.reduce(0) { $0 + durations[$1] }
        wallSeconds = Self.simulate(plan, durations: durations)
    }

    /// The makespan of the plan when every ticket takes its duration and succeeds.
    static func simulate(_ plan: Plan, durations: [Double]) -> Double {
        var scheduler = Scheduler(plan: plan)
        var running: [(end: Double, ticket: Int)] = []
        var now = 0.0
        while true {
            for (ticket, _) in scheduler.start() { running.append((now + durations[ticket], ticket)) }
            // As many run at once as there are slots: a scan is cheaper than a heap.
            guard let next = running.indices.min(by: { (running[$0].end, running[$0].ticket) < (running[$1].end, running[$1].ticket) }) else { break }
            let (end, ticket) = running.remove(at: next)
            now = end
            scheduler.succeeded(ticket)
        }
        return now
    }

    /// How the real wall time compares, in words: "3% over", "12% under", "as estimated".
    public static func deviation(actual: Double, estimated: Double) -> String {
        guard estimated > 0 else { return "no estimate" }
        let percent = Int(((actual - estimated) / estimated * 100).rounded())
        if percent == 0 { return "as estimated" }
        return percent > 0 ? "\(percent)% over" : "\(-percent)% under"
    }
}
