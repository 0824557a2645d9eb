/// Decides which ticket starts when. Pure logic: the run loop tells it what
/// happened (a ticket succeeded, failed, will be retried) and asks what to
/// start; it knows nothing of processes or clocks, so tests drive it with a
/// simulated clock.
///
/// Invariants: a ticket starts only after every dependency in the run has
/// succeeded; at most `jobs` shell tickets and `agents` prompt tickets run at
/// once (slots of their own: `-j` is about CPUs, an agent waits on the API),
/// and at most a pool's limit of that pool's tickets.
public struct Scheduler: Sendable {
    /// What to do after a ticket fails for good.
    public struct FailurePolicy: Sendable, Equatable {
        /// `-k`: go on with everything that does not depend on a failure.
        public var keepGoing: Bool
        /// Stop starting tickets after this many failures (make stops after 1 without -k).
        public var maxFailures: Int?

        public init(keepGoing: Bool = false, maxFailures: Int? = nil) {
            self.keepGoing = keepGoing
            self.maxFailures = maxFailures
        }
    }

    public let plan: Plan
    public let policy: FailurePolicy
    public private(set) var states: [TicketState]
    /// Final failures so far (retried attempts do not count).
    public private(set) var failureCount = 0
    /// Set once no new ticket may start: a failure without -k, --max-failures, or an interrupt.
    public private(set) var isStopped = false

    /// Ready tickets by the kind of slot they take: shell (0) and agent (1).
    private var ready: [ReadyQueue]
    /// Dependencies in the run that have not succeeded yet, per ticket.
    private var unfinishedDependencies: [Int32]
    /// Per ticket, its pool's index in `poolLimits`, or -1 for no pool limit.
    private let poolOfTicket: [Int32]
    /// Effective limits (the agent pool's may be lowered while the API rate-limits).
    private var poolLimits: [Int]
    private let configuredLimits: [Int]
    private var poolRunning: [Int]
    /// Per agent, the index of the pool its prompt tickets share by default, if any ticket uses it.
    private let agentPoolIndices: [AgentKind: Int]
    /// Tickets whose `touches` overlap, which never run at the same time.
    private let exclusions: Exclusions
    /// Per ticket: its recipe is a prompt for an agent.
    private let isPrompt: [Bool]
    /// Per ticket: the agent its prompt runs through.
    private let agentOfTicket: [AgentKind]
    /// Prompt tickets are not started (`--max-cost`).
    public private(set) var holdingPrompts = false
    /// One agent's prompt tickets are not started (its usage limit).
    public private(set) var heldAgents = Set<AgentKind>()
    /// ... and never will be in this run: held tickets leave the ready queue.
    private var promptsHeldForGood = false
    /// Per kind of slot, the slot numbers not in use, lowest last so it is
    /// reused first: shell slots are 0..<jobs, agent slots come after them.
    private var freeWorkers: [[Int]]
    public private(set) var runningCount = 0
    private var retryingCount = 0
    /// Tickets another process is running, and tickets still waiting for dependencies.
    public private(set) var elsewhereCount = 0
    private var waitingCount = 0

    public init(plan: Plan, policy: FailurePolicy = FailurePolicy()) {
        self.plan = plan
        self.policy = policy
        let graph = plan.graph
        var states = [TicketState](repeating: .notInRun, count: graph.count)
        var unfinished = [Int32](repeating: 0, count: graph.count)
        for ticket in 0..<graph.count where plan.runs[ticket] {
            for dependency in graph.dependencies(of: ticket) where plan.runs[Int(dependency)] {
                unfinished[ticket] += 1
            }
        }
        // The claude pool's size is the agent count (`--agents` wins over the manifest's).
        var limits = plan.pools.map { (name: $0.name, limit: $0.name == Self.agentPool ? plan.agents.value : $0.limit) }
        // An agent's prompt tickets share the pool named as the agent, so that
        // its limit can be lowered when that agent's API rate-limits.
        for agent in AgentKind.allCases where !limits.contains(where: { $0.name == agent.pool })
            && graph.tickets.contains(where: { $0.pool == nil && $0.recipe.kind == "prompt" && $0.agentKind == agent }) {
            limits.append((agent.pool, plan.slots(for: agent)))
        }
        poolLimits = limits.map(\.limit)
        configuredLimits = poolLimits
        var poolIndex: [String: Int32] = [:]
        for (index, pool) in limits.enumerated() where poolIndex[pool.name] == nil { poolIndex[pool.name] = Int32(index) }
        var agentPools: [AgentKind: Int] = [:]
        for agent in AgentKind.allCases { agentPools[agent] = poolIndex[agent.pool].map(Int.init) }
        agentPoolIndices = agentPools
        // Prompt tickets are in their agent's pool unless they name another (it limits them only if declared).
        poolOfTicket = graph.tickets.map { ticket in
            (ticket.pool ?? (ticket.recipe.kind == "prompt" ? ticket.agentKind.pool : nil)).flatMap { poolIndex[$0] } ?? -1
        }
        isPrompt = graph.tickets.map { $0.recipe.kind == "prompt" }
        agentOfTicket = graph.tickets.map(\.agentKind)
        exclusions = Exclusions(graph: graph, runs: plan.runs)
        poolRunning = [Int](repeating: 0, count: limits.count)
        let queue = ReadyQueue(priorities: graph.tickets.map(\.priority), remaining: plan.criticalPath.remaining)
        ready = [queue, queue]
        for ticket in 0..<graph.count where plan.runs[ticket] {
            if unfinished[ticket] == 0 {
                states[ticket] = .ready
                ready[isPrompt[ticket] ? 1 : 0].push(ticket)
            } else {
                states[ticket] = .waiting
                waitingCount += 1
            }
        }
        self.states = states
        self.unfinishedDependencies = unfinished
        let jobs = plan.jobs.value
        self.freeWorkers = [Array((0..<jobs).reversed()), Array((jobs..<jobs + plan.agentSlots).reversed())]
    }

    /// Tickets to start now, each with its worker slot, best first; they are
    /// marked running. A ready ticket whose pool is full is passed over (not
    /// waited for) and stays ready.
    public mutating func start() -> [(ticket: Int, worker: Int)] {
        var started: [(ticket: Int, worker: Int)] = []
        start(into: &started)
        return started
    }

    /// `start()`, appending to `started`: a caller that keeps the array spares an allocation a start.
    public mutating func start(into started: inout [(ticket: Int, worker: Int)]) {
        guard !isStopped else { return }
        for kind in ready.indices { start(kind, into: &started) }
    }

    private mutating func start(_ kind: Int, into started: inout [(ticket: Int, worker: Int)]) {
        var passedOver: [Int] = []
        while !freeWorkers[kind].isEmpty, let ticket = ready[kind].pop() {
            if isPrompt[ticket] && (holdingPrompts || heldAgents.contains(agentOfTicket[ticket])) {
                if promptsHeldForGood {
                    states[ticket] = .notStarted
                } else {
                    passedOver.append(ticket)
                }
                continue
            }
            let pool = Int(poolOfTicket[ticket])
            if !exclusions.isEmpty && exclusions.partners[ticket].contains(where: { if case .running = states[Int($0)] { true } else { false } }) {
                passedOver.append(ticket)
                continue
            }
            if pool >= 0 && poolRunning[pool] >= poolLimits[pool] {
                passedOver.append(ticket)
                continue
            }
            if pool >= 0 { poolRunning[pool] += 1 }
            let worker = freeWorkers[kind].removeLast()
            states[ticket] = .running(worker: worker)
            runningCount += 1
            started.append((ticket, worker))
        }
        for ticket in passedOver { ready[kind].push(ticket) }
    }

    private mutating func pushReady(_ ticket: Int) { ready[isPrompt[ticket] ? 1 : 0].push(ticket) }

    private mutating func removeReady(_ ticket: Int) { ready[isPrompt[ticket] ? 1 : 0].remove(ticket) }

    /// A ticket `start` handed out that did not start after all (the run began
    /// stopping first): it stays not started and its slot is free again.
    public mutating func unstart(_ ticket: Int) {
        guard case .running = states[ticket] else { return }
        release(ticket)
        states[ticket] = .notStarted
    }

    /// The ticket's attempt ended and another will follow; its slot is freed
    /// until `requeue` puts it back among the ready tickets.
    public mutating func retryLater(_ ticket: Int) {
        guard case .running = states[ticket] else { return }
        release(ticket)
        states[ticket] = .retrying
        retryingCount += 1
    }

    /// A ticket that was waiting to be retried is ready again.
    public mutating func requeue(_ ticket: Int) {
        guard states[ticket] == .retrying else { return }
        retryingCount -= 1
        if isStopped {
            states[ticket] = .failed
            failureCount += 1
            return
        }
        states[ticket] = .ready
        pushReady(ticket)
    }

    /// The ticket succeeded: dependents whose every dependency has now succeeded become ready.
    public mutating func succeeded(_ ticket: Int) {
        guard case .running = states[ticket] else { return }
        release(ticket)
        states[ticket] = .succeeded
        releaseDependents(of: ticket)
    }

    private mutating func releaseDependents(of ticket: Int) {
        for dependent in plan.graph.dependents(of: ticket).map(Int.init) where states[dependent] == .waiting {
            unfinishedDependencies[dependent] -= 1
            if unfinishedDependencies[dependent] == 0 {
                states[dependent] = .ready
                waitingCount -= 1
                pushReady(dependent)
            }
        }
    }

    /// The pool prompt tickets are in unless they name one.
    public static let agentPool = "claude"

    /// The agent pool's effective and configured limits, if prompt tickets use it.
    public func agentLimit(_ agent: AgentKind = .claude) -> (effective: Int, configured: Int)? {
        agentPoolIndices[agent].map { (poolLimits[$0], configuredLimits[$0]) }
    }

    /// The agent pool's limit for now (`AgentThrottle` decides it), kept within 1...configured.
    public mutating func setAgentLimit(_ limit: Int, for agent: AgentKind = .claude) {
        guard let index = agentPoolIndices[agent] else { return }
        poolLimits[index] = min(max(1, limit), configuredLimits[index])
    }

    /// Holds back one agent's prompt tickets (they stay ready: its usage
    /// limit), or lets them start again.
    public mutating func holdAgent(_ agent: AgentKind, _ hold: Bool) {
        if hold { heldAgents.insert(agent) } else { heldAgents.remove(agent) }
    }

    /// Holds back prompt tickets (they stay ready) or lets them start again;
    /// `forGood`: they will not start in this run at all.
    public mutating func holdPrompts(_ hold: Bool, forGood: Bool = false) {
        holdingPrompts = hold
        promptsHeldForGood = hold && forGood
        if promptsHeldForGood {
            for ticket in ready[1].ordered {
                ready[1].remove(ticket)
                states[ticket] = .notStarted
            }
        }
    }

    /// A ticket `start` handed out is claimed by another process: give its slot
    /// back; it stays unfinished here until that process records its end.
    public mutating func runsElsewhere(_ ticket: Int) {
        guard case .running = states[ticket] else { return }
        release(ticket)
        states[ticket] = .elsewhere
        elsewhereCount += 1
    }

    /// The ticket's work awaits a person's approval: its slot is free, its dependents keep waiting.
    public mutating func awaitsReview(_ ticket: Int) {
        switch states[ticket] {
        case .running: release(ticket)
        case .ready: removeReady(ticket)
        case .elsewhere: elsewhereCount -= 1
        default: return
        }
        states[ticket] = .awaitingReview
    }

    /// The process that had `ticket` let go of it unfinished: it is ready here again.
    public mutating func returnFromElsewhere(_ ticket: Int) {
        guard states[ticket] == .elsewhere else { return }
        elsewhereCount -= 1
        states[ticket] = .ready
        pushReady(ticket)
    }

    /// Another process recorded that `ticket` succeeded: true if that changed
    /// anything here (the ticket was not already finished).
    @discardableResult
    public mutating func succeededElsewhere(_ ticket: Int) -> Bool {
        switch states[ticket] {
        case .elsewhere: elsewhereCount -= 1
        case .waiting: waitingCount -= 1
        case .ready: removeReady(ticket)
        case .notInRun, .running, .retrying, .succeeded, .failed, .skipped, .notStarted, .awaitingReview: return false
        }
        states[ticket] = .succeeded
        releaseDependents(of: ticket)
        return true
    }

    /// Another process recorded that `ticket` failed for good.
    @discardableResult
    public mutating func failedElsewhere(_ ticket: Int) -> [Int] {
        guard states[ticket] == .elsewhere else { return [] }
        elsewhereCount -= 1
        states[ticket] = .failed
        failureCount += 1
        if !policy.keepGoing || failureCount >= (policy.maxFailures ?? Int.max) { stop() }
        return skipDependents(of: ticket)
    }

    /// The ticket failed for good (or timed out). Returns the tickets skipped
    /// because of it (with `-k`; without it nothing new starts at all).
    @discardableResult
    public mutating func failed(_ ticket: Int) -> [Int] {
        switch states[ticket] {
        case .running: release(ticket)
        case .retrying: retryingCount -= 1
        default: return []
        }
        states[ticket] = .failed
        failureCount += 1
        if !policy.keepGoing || failureCount >= (policy.maxFailures ?? Int.max) { stop() }
        return skipDependents(of: ticket)
    }

    /// No new ticket starts from now on; running ones are left to finish (or be
    /// stopped by the run loop). Ready and waiting tickets become `notStarted`
    /// once the run ends (`finish`).
    public mutating func stop() {
        isStopped = true
    }

    /// True when nothing runs or waits for a retry and nothing more can start
    /// (tickets waiting on another process's tickets keep the run going).
    public var isDone: Bool {
        runningCount == 0 && retryingCount == 0
            && (isStopped || (ready.allSatisfy(\.isEmpty) && (waitingCount == 0 || elsewhereCount == 0)))
    }

    /// Marks everything that never started as `notStarted`; call once the loop ends.
    public mutating func finish() {
        for ticket in states.indices where states[ticket] == .waiting || states[ticket] == .ready {
            states[ticket] = .notStarted
        }
    }

    /// Tickets ready but not started, best first (for the status line).
    public var readyTickets: [Int] { ready[0].ordered + ready[1].ordered }

    private mutating func release(_ ticket: Int) {
        guard case .running(let worker) = states[ticket] else { return }
        runningCount -= 1
        let kind = isPrompt[ticket] ? 1 : 0
        freeWorkers[kind].append(worker)
        freeWorkers[kind].sort(by: >)
        let pool = Int(poolOfTicket[ticket])
        if pool >= 0 { poolRunning[pool] -= 1 }
    }

    /// Marks every ticket downstream of `failed` as skipped, iteratively.
    private mutating func skipDependents(of failed: Int) -> [Int] {
        var skipped: [Int] = []
        var stack = [failed]
        while let ticket = stack.popLast() {
            for dependent in plan.graph.dependents(of: ticket).map(Int.init) {
                switch states[dependent] {
                case .waiting, .ready:
                    if states[dependent] == .waiting { waitingCount -= 1 } else { removeReady(dependent) }
                    states[dependent] = .skipped(dependency: ticket, cause: failed)
                    skipped.append(dependent)
                    stack.append(dependent)
                default:
                    continue
                }
            }
        }
        return skipped
    }
}
