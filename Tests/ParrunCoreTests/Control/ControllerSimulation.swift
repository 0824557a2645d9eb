import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// A fake launcher on a simulated clock, driving a `RunController` the way
/// the runner does: a started ticket "runs" for its scripted time and ends
/// with its scripted outcome, unless the controller stops it first. No
/// processes, no real time: a whole run takes microseconds.
struct ControllerSimulation {
    /// What one attempt of a ticket does.
    struct Behaviour {
        var seconds = 1.0
        var outcome = AttemptOutcome.succeeded
        /// Ignores SIGTERM: only SIGKILL (after the grace period) ends it.
        var ignoresTerm = false
        var stats: AgentStats?
        /// `--worktree`: a success then lands, taking this long, with this
        /// failure (nil: it lands). Nil: no landing.
        var landing: (seconds: Double, failure: AttemptOutcome?)?
        /// A ticket with `verify`: its gate after a successful recipe.
        var gateSeconds = 0.5
        var gatePasses = true
    }

    /// Something that happened, in order, for assertions.
    enum Entry: Equatable {
        case start(String, attempt: Int, at: Double)
        case end(String, attempt: Int, at: Double)
        case terminate(String, at: Double)
        case kill(String, at: Double)
        case landStart(String, at: Double)
        case landEnd(String, at: Double)
        case verifyStart(String, at: Double)
        case verified(String, passed: Bool, at: Double)
        case feedBack(String, at: Double)
        case heldForReview(String, at: Double)
    }

    let plan: Plan
    var controller: RunController
    var now = 0.0
    var entries: [Entry] = []
    var reports: [RunEvent] = []
    /// Each attempt's final outcome as the controller recorded it (after its gate and landing).
    var outcomes: [(id: String, at: Double, outcome: AttemptOutcome)] = []
    /// When the first signal was delivered, if one was.
    var signalledAt: Double?
    /// Per ticket id, its attempts' behaviour (the last one repeats).
    var behaviours: [String: [Behaviour]] = [:]
    /// Tickets approved in an earlier run's review: the runner says so as it starts them.
    var approved: Set<String> = []
    /// Review tickets whose work, when held, turns out to be nothing (`noChange`).
    var nothingToReview: Set<String> = []
    /// Signals to deliver at simulated times.
    var signals: [(at: Double, signal: Int32)] = []
    /// Rate limits a ticket's agent CLI retries itself (`api_retry`), at simulated times.
    var rateLimitSignals: [(at: Double, ticket: String, retryIn: Double)] = []
    /// When the journal is lost ("disk full"), if it is.
    var stateLostAt: Double?
    /// Tickets whose set-up a signal interrupts (the runner's `notStarted`).
    private var running: [Int: (attempt: Int, worker: Int, endsAt: Double, startedAt: Double, behaviour: Behaviour, gate: Bool)] = [:]
    private(set) var maxRunning = 0
    /// Each ticket's slot, for its verify gate.
    private var workers: [Int: Int] = [:]
    /// The landing under way: its ticket, when it ends, and how.
    private var landing: (ticket: Int, endsAt: Double, failure: AttemptOutcome?)?
    private(set) var overlappingLandings = 0

    init(_ manifest: String, jobs: Int, options: RunOptions = RunOptions(), seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let read = readManifest(manifest)
        let settings = try #require(read.manifest, sourceLocation: sourceLocation).settings
        let graph = try validGraph(manifest, sourceLocation: sourceLocation)
        plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 2, ticketsToRun: graph.count), pools: settings.pools)
        controller = RunController(plan: plan, options: options, random: SeededGenerator(seed: seed))
    }

    func id(_ ticket: Int) -> String { plan.graph.tickets[ticket].id }

    /// Runs until nothing is left (or `limit` simulated seconds pass).
    mutating func run(limit: Double = 10_000) -> RunResult {
        deliverDueSignals()
        perform(controller.handle(.begin, now: now, wallNow: now))
        while !(running.isEmpty && controller.isDone) && now < limit {
            let nextEnd = min(running.values.map(\.endsAt).min() ?? .infinity, landing?.endsAt ?? .infinity)
            // A signal after the run ended is never seen.
            let nextSignal = min(signals.map(\.at).min() ?? .infinity, stateLostAt ?? .infinity, rateLimitSignals.map(\.at).min() ?? .infinity)
            let next = min(nextEnd, nextSignal, controller.nextDue ?? .infinity)
            guard next < .infinity else { break }
            now = max(now, next)
            deliverDueSignals()
            perform(controller.handle(.timer, now: now, wallNow: now))
            for ticket in running.keys.sorted() where (running[ticket]?.endsAt ?? .infinity) <= now { end(ticket) }
            if let current = landing, current.endsAt <= now {
                landing = nil
                entries.append(.landEnd(id(current.ticket), at: now))
                perform(controller.handle(.landingFinished(ticket: current.ticket, failure: current.failure), now: now, wallNow: now))
            }
        }
        controller.finishRun()
        return controller.result(wallSeconds: now)
    }

    private mutating func deliverDueSignals() {
        for (_, signal) in signals.filter({ $0.at <= now }) {
            signalledAt = signalledAt ?? now
            perform(controller.handle(.signal(signal), now: now, wallNow: now))
        }
        signals.removeAll { $0.at <= now }
        for (_, id, retryIn) in rateLimitSignals.filter({ $0.at <= now }) {
            guard let ticket = plan.graph.indexByID[id] else { continue }
            var signal = RateLimitSignal(ticket: ticket, attempt: controller.records[ticket].attempts, retryIn: retryIn, status: 429)
            // As the runner: the signal names the agent whose CLI met the limit.
            signal.agent = plan.graph.tickets[ticket].agentKind
            perform(controller.handle(.rateLimitSeen(signal), now: now, wallNow: now))
        }
        rateLimitSignals.removeAll { $0.at <= now }
        if let at = stateLostAt, at <= now {
            stateLostAt = nil
            perform(controller.handle(.stateLost("disk full"), now: now, wallNow: now))
        }
    }

    private mutating func end(_ ticket: Int) {
        guard let process = running.removeValue(forKey: ticket) else { return }
        entries.append(.end(id(ticket), attempt: process.attempt, at: now))
        if process.gate {
            let passes = process.behaviour.gatePasses
            entries.append(.verified(id(ticket), passed: passes, at: now))
            let isPrompt = { if case .prompt = plan.graph.tickets[ticket].recipe { true } else { false } }()
            let end = RunController.VerifyEnd.exited(.exited(passes ? 0 : 1), seconds: now - process.startedAt, canFeedBack: isPrompt)
            perform(controller.handle(.verifyEnded(ticket: ticket, end), now: now, wallNow: now))
            return
        }
        let outcome = controller.stopReason(ticket) ?? process.behaviour.outcome
        var ending = RunController.Ending(
            ticket: ticket, attempt: process.attempt, worker: process.worker, outcome: outcome,
            seconds: now - process.startedAt, stats: process.behaviour.stats)
        ending.lands = process.behaviour.landing != nil
        ending.fromRecipe = true
        // As the runner: a prompt ticket's session out of turns has the continuation prompt ready.
        if case .outOfTurns = outcome, case .prompt = plan.graph.tickets[ticket].recipe { ending.feedbackReady = true }
        perform(controller.handle(.ended(ending), now: now, wallNow: now))
    }

    private mutating func perform(_ actions: [RunController.Action]) {
        for action in actions {
            switch action {
            case .start(let ticket, let worker):
                if approved.contains(id(ticket)) { perform(controller.handle(.approved(ticket: ticket), now: now, wallNow: now)) }
                let attempt = controller.beginAttempt(ticket)
                let script = behaviours[id(ticket)] ?? [Behaviour()]
                let behaviour = script[min(attempt, script.count) - 1]
                entries.append(.start(id(ticket), attempt: attempt, at: now))
                running[ticket] = (attempt, worker, now + behaviour.seconds, now, behaviour, false)
                workers[ticket] = worker
                maxRunning = max(maxRunning, running.count)
                perform(controller.handle(.launched(ticket: ticket), now: now, wallNow: now))
            case .terminate(let ticket):
                entries.append(.terminate(id(ticket), at: now))
                if let process = running[ticket], !process.behaviour.ignoresTerm { running[ticket]?.endsAt = now }
            case .kill(let ticket):
                entries.append(.kill(id(ticket), at: now))
                if running[ticket] != nil { running[ticket]?.endsAt = now }
            case .land(let ticket):
                if landing != nil { overlappingLandings += 1 }
                let attempt = controller.records[ticket].attempts
                let script = behaviours[id(ticket)] ?? [Behaviour()]
                let planned = script[min(attempt, script.count) - 1].landing ?? (0, nil)
                entries.append(.landStart(id(ticket), at: now))
                landing = (ticket, now + planned.seconds, planned.failure)
            case .verify(let ticket):
                // The gate runs in the recipe's slot, under the ticket's timeout.
                let attempt = controller.records[ticket].attempts
                let script = behaviours[id(ticket)] ?? [Behaviour()]
                let behaviour = script[min(attempt, script.count) - 1]
                entries.append(.verifyStart(id(ticket), at: now))
                running[ticket] = (attempt, workers[ticket] ?? 0, now + behaviour.gateSeconds, now, behaviour, true)
                perform(controller.handle(.launched(ticket: ticket), now: now, wallNow: now))
            case .feedBack(let ticket):
                entries.append(.feedBack(id(ticket), at: now))
            case .holdForReview(let ticket):
                entries.append(.heldForReview(id(ticket), at: now))
                let failure: AttemptOutcome? = nothingToReview.contains(id(ticket)) ? .noChange : nil
                perform(controller.handle(.heldForReview(ticket: ticket, failure: failure), now: now, wallNow: now))
            case .report(let event):
                reports.append(event)
            case .recordEnded(let ticket, _, let outcome, _, _, _):
                outcomes.append((id(ticket), now, outcome))
            case .recordVerified, .recordSkipped, .releaseClaim, .recordSession, .recordJob:
                break
            }
        }
        // Ends made due by a signal happen at once, as a killed process's exit would.
        for ticket in running.keys.sorted() where (running[ticket]?.endsAt ?? .infinity) <= now && actions.contains(where: {
            if case .terminate(ticket) = $0 { true } else if case .kill(ticket) = $0 { true } else { false }
        }) {
            end(ticket)
        }
    }

    func starts(of id: String) -> [Double] {
        entries.compactMap { if case .start(id, _, let at) = $0 { at } else { nil } }
    }

    func ends(of id: String) -> [Double] {
        entries.compactMap { if case .end(id, _, let at) = $0 { at } else { nil } }
    }

    func status(_ result: RunResult, _ id: String) -> TicketRecord.Status? {
        plan.graph.indexByID[id].map { result.records[$0].status }
    }
}
