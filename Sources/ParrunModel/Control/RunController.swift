import ParrunSupport

/// The decisions of a run, in one deterministic value with no I/O and no
/// clock of its own: events in (a ticket ended, a signal came, time passed),
/// actions out (start this ticket, signal that one, record, report). The
/// runner performs the actions and turns processes, pipes and signals into
/// events, so every policy here is tested on a simulated clock without
/// spawning anything (`RunControllerTests`).
///
/// It owns the ready set and priorities, pools and `touches` (through the
/// `Scheduler`), timeouts and the grace before SIGKILL, retries and back-off
/// (`RetryPolicy`), the failure modes (stop, `-k`, `--fail-fast`,
/// `--max-failures`), signals, adaptive agent concurrency and the usage-limit
/// pause (`AgentThrottle`), verify gates and their feedback rounds, review,
/// the landing queue (`--worktree`), the cost budget, each ticket's record
/// and so the exit status.
package struct RunController {
    /// What the controller knows of a running attempt's process.
    package struct Clock {
        var deadline: Double?
        var timeoutSeconds: Double?
        /// Set once SIGTERM went out: when SIGKILL follows (infinity: it went out).
        var killAt: Double?
        var timedOut = false
        var interrupted = false

        /// Whether its SIGKILL, or else its timeout, is due at `now`.
        func isDue(_ now: Double) -> Bool {
            if let killAt { return now >= killAt }
            return deadline.map { now >= $0 } ?? false
        }

        /// Why parrun is stopping the attempt, if it is.
        package var stopReason: AttemptOutcome? {
            if timedOut { return .timedOut(seconds: timeoutSeconds ?? 0) }
            return interrupted ? .interrupted : nil
        }
    }

    package let plan: Plan
    package let settings: Settings
    package internal(set) var scheduler: Scheduler
    package internal(set) var records: [TicketRecord]
    package private(set) var retryPolicy: RetryPolicy
    /// Per agent, its pool's adaptive limit and usage-limit pause.
    package internal(set) var throttles: AgentThrottles
    /// claude's throttle.
    package var throttle: AgentThrottle { throttles[.claude] }
    /// Jitter for back-offs; seeded in tests.
    private var random: any RandomNumberGenerator
    /// Tickets waiting for their next attempt, and when it is due.
    package internal(set) var retries: [(due: Double, ticket: Int)] = []
    /// Running attempts' clocks, by ticket. The run loop asks them directly
    /// (`clocks[t]?.stopReason`): calling a method of the controller from the
    /// class that holds it copies the whole controller first, a few times a ticket.
    package internal(set) var clocks: [Int: Clock] = [:]
    /// `--worktree`: successes whose work waits to land, in the order they
    /// ended, and the one landing now. A signal does not cancel them (the
    /// recipes' work is done); the runner's git has a timeout, and a signal
    /// stops the git command running then.
    private var landingQueue: [Ending] = []
    private var landing: Ending?
    /// Recipes that succeeded and whose verify gate runs: their ending, which
    /// the gate's verdict completes.
    private var gates: [Int: Ending] = [:]
    /// Successes whose work is being kept for review.
    private var holding: [Int: Ending] = [:]
    /// What the scheduler started on this event; kept, so asking costs no allocation.
    private var started: [(ticket: Int, worker: Int)] = []
    /// Tickets approved in review: their success does not wait for review again.
    package private(set) var approved = Set<Int>()
    /// The run is winding down: nothing new starts, running tickets are being stopped.
    package internal(set) var stopping = false
    package internal(set) var interruptedBy: Int32?
    package internal(set) var costLimitReached = false
    package private(set) var stateFailure: String?

    package init(plan: Plan, options: RunOptions, random: any RandomNumberGenerator = SystemRandomNumberGenerator()) {
        self.plan = plan
        self.settings = Settings(options)
        self.scheduler = Scheduler(plan: plan, policy: options.policy)
        self.records = [TicketRecord](repeating: TicketRecord(), count: plan.graph.count)
        self.retryPolicy = RetryPolicy(options: options)
        for (id, count) in options.earlierConflicts {
            if let ticket = plan.graph.indexByID[id] { retryPolicy.earlierConflicts[ticket] = count }
        }
        throttles = AgentThrottles { [scheduler] agent in
            AgentThrottle(configured: scheduler.agentLimit(agent)?.configured, quietPeriod: options.agentLimitQuiet, usageLimitWait: options.usageLimitWait)
        }
        self.random = random
    }

    /// Nothing runs, waits for a retry, or can start any more.
    package var isDone: Bool { clocks.isEmpty && landing == nil && gates.isEmpty && holding.isEmpty && scheduler.isDone }

    /// The attempt's number once the runner begins it (a ticket found already
    /// finished elsewhere or awaiting review begins none).
    package mutating func beginAttempt(_ ticket: Int) -> Int {
        records[ticket].attempts += 1
        return records[ticket].attempts
    }

    /// Whether `attempt` is the ticket's current attempt and its process runs.
    private func isRunning(_ ticket: Int, attempt: Int) -> Bool {
        clocks[ticket] != nil && records[ticket].attempts == attempt
    }

    /// Why parrun stopped the running attempt, if it did.
    package func stopReason(_ ticket: Int) -> AttemptOutcome? {
        clocks[ticket]?.stopReason
    }

    /// When the next deadline, kill, retry, pause end or agent-limit raise is
    /// due (nil: none). Kept up to date by `handle`: a stored value, as the run
    /// loop asks every turn and a computed one copied the whole controller.
    package private(set) var nextDue: Double?

    package mutating func handle(_ event: Event, now: Double, wallNow: Double) -> [Action] {
        var actions: [Action] = []
        handle(event, now: now, wallNow: wallNow, into: &actions)
        return actions
    }

    /// `handle`, appending to `actions` (which may hold others): one kept array spares allocations.
    package mutating func handle(_ event: Event, now: Double, wallNow: Double, into actions: inout [Action]) {
        defer { nextDue = dueTime }
        let firstNew = actions.count
        switch event {
        case .begin:
            checkCostLimit(&actions)
        case .launched(let ticket):
            let timeout = plan.graph.tickets[ticket].timeout(commandLine: settings.defaultTimeout)
            var clock = Clock()
            clock.deadline = timeout.map { now + $0 }
            clock.timeoutSeconds = timeout
            if stopping && clock.killAt == nil {
                // Started by the runner's set-up as the run began stopping: stopped at once.
                clock.interrupted = true
                clock.killAt = now + settings.gracePeriod
                actions.append(.terminate(ticket: ticket))
            }
            clocks[ticket] = clock
        case .notStarted(let ticket, let attemptBegun):
            if attemptBegun { records[ticket].attempts -= 1 }
            scheduler.unstart(ticket)
            actions.append(.releaseClaim(ticket: ticket))
        case .ended(var ending):
            clocks[ending.ticket] = nil
            guard ending.fromRecipe, ending.outcome.isSuccess, plan.graph.tickets[ending.ticket].verifyScript != nil else {
                settle(ending, now: now, wallNow: wallNow, &actions)
                break
            }
            if stopping {
                // The run is stopping: the gate would be stopped as it starts.
                ending.outcome = .interrupted
                settle(ending, now: now, wallNow: wallNow, &actions)
            } else {
                gates[ending.ticket] = ending
                actions.append(.verify(ticket: ending.ticket))
            }
        case .verifyEnded(let ticket, let end):
            guard let ending = gates.removeValue(forKey: ticket) else { break }
            let judged = judge(ending, end, &actions)
            clocks[ticket] = nil
            settle(judged, now: now, wallNow: wallNow, &actions)
        case .heldForReview(let ticket, let failure):
            guard var ending = holding.removeValue(forKey: ticket) else { break }
            if let failure {
                // Nothing for a reviewer: it ends here, as its landing would have after approval.
                ending.outcome = failure
                finish(ending, now: now, wallNow: wallNow, &actions)
                break
            }
            actions.append(.recordEnded(ticket: ticket, attempt: ending.attempt, outcome: .awaitingReview, seconds: ending.seconds, willRetry: false, stats: ending.stats))
            record(ending, outcome: .awaitingReview)
            records[ticket].status = .awaitingReview
            scheduler.awaitsReview(ticket)
            actions.append(.report(.ticketEnded(ticket: ticket, attempt: ending.attempt, worker: ending.worker, outcome: .awaitingReview, seconds: ending.seconds, retryIn: nil, stats: ending.stats)))
        case .approved(let ticket):
            approved.insert(ticket)
        case .landingFinished(let ticket, let failure):
            guard var ending = landing, ending.ticket == ticket else { break }
            landing = nil
            if let failure {
                ending.outcome = failure
                ending.landingFailed = true
            }
            finish(ending, now: now, wallNow: wallNow, &actions)
            landNext(&actions)
        case .foundElsewhere(let ticket, nil):
            scheduler.runsElsewhere(ticket)
        case .foundElsewhere(let ticket, .succeeded?):
            scheduler.succeeded(ticket)
            records[ticket].status = .ranElsewhere(succeeded: true)
        case .foundElsewhere(let ticket, .awaitingReview?):
            scheduler.awaitsReview(ticket)
            records[ticket].status = .awaitingReview
        case .foundElsewhere(let ticket, .failed?):
            failedElsewhere(ticket, skipping: scheduler.failed(ticket), &actions)
        case .news(let ticket, let result):
            news(ticket, result, &actions)
        case .abandonedElsewhere(let ticket):
            scheduler.returnFromElsewhere(ticket)
        case .stillAwaitingReview(let ticket):
            scheduler.awaitsReview(ticket)
            records[ticket].status = .awaitingReview
        case .rateLimitSeen(let signal):
            let change = throttles[signal.agent].rateLimitSeen(now: now)
            let throttle = throttles[signal.agent]
            actions.append(.report(.rateLimitSeen(signal, limit: throttle.limit, configured: throttle.configured)))
            apply(change, signal.agent, &actions)
        // Said by a running attempt; one that has ended (a late answer of the queue) is past news.
        case .sessionNamed(let ticket, let attempt, let session):
            guard isRunning(ticket, attempt: attempt) else { break }
            actions.append(.recordSession(ticket: ticket, attempt: attempt, session: session))
        case .jobChanged(let change):
            guard isRunning(change.ticket, attempt: change.attempt) else { break }
            if change.isNewJob { actions.append(.recordJob(ticket: change.ticket, attempt: change.attempt, job: change.job)) }
            actions.append(.report(.ticketSlurm(ticket: change.ticket, job: change.job, state: change.state)))
        case .signal(let signal):
            interrupted(by: signal, now: now, &actions)
        case .stateLost(let reason):
            guard stateFailure == nil else { break }
            stateFailure = reason
            stopAll(signal: nil, reason: "\(reason); no ticket starts without its record, stopping running tickets", now: now, &actions)
            // Said even when nothing runs: it is why the run ends here.
            if !actions[firstNew...].contains(where: { if case .report(.stopping) = $0 { true } else { false } }) {
                actions.append(.report(.stopping(signal: nil, reason: reason)))
            }
        case .timer:
            fireTimers(now: now, wallNow: wallNow, &actions)
        }
        startReady(&actions)
    }

    /// Every ticket's final status, for the summary and the exit status.
    package func result(wallSeconds: Double) -> RunResult {
        var records = records
        for ticket in records.indices {
            switch scheduler.states[ticket] {
            case .notStarted where records[ticket].status == .notInRun:
                // A ticket whose retry came due as the run stopped did run, and failed.
                records[ticket].status = records[ticket].attempts == 0 ? .notStarted : Self.failedStatus(records[ticket].lastOutcome)
            case .skipped(let dependency, let cause) where records[ticket].status == .notInRun: records[ticket].status = .skipped(dependency: dependency, cause: cause)
            case .elsewhere: records[ticket].status = .runningElsewhere
            default: break
            }
        }
        var result = RunResult(records: records, wallSeconds: wallSeconds, interruptedBy: interruptedBy, jobs: plan.jobs.value)
        result.limitWaits = retryPolicy.limitWaits(throttles: throttles.all)
        result.costLimitReached = costLimitReached
        result.stateFailure = stateFailure
        return result
    }

    /// Marks the run finished in the scheduler (nothing more will start).
    package mutating func finishRun() {
        scheduler.finish()
    }

    // MARK: - Starting

    private mutating func startReady(_ actions: inout [Action]) {
        guard !stopping else { return }
        started.removeAll(keepingCapacity: true)
        scheduler.start(into: &started)
        for (ticket, worker) in started {
            actions.append(.start(ticket: ticket, worker: worker))
        }
    }

    // MARK: - Ending

    /// The recipe's outcome is final (after its gate): a success waits for
    /// review unless approved, then lands (`--worktree`); the rest ends here.
    private mutating func settle(_ ending: Ending, now: Double, wallNow: Double, _ actions: inout [Action]) {
        let ticket = ending.ticket
        if ending.outcome.isSuccess, plan.graph.tickets[ticket].review, !approved.contains(ticket) {
            holding[ticket] = ending
            actions.append(.holdForReview(ticket: ticket))
        } else if ending.lands && ending.outcome.isSuccess {
            landingQueue.append(ending)
            landNext(&actions)
        } else {
            finish(ending, now: now, wallNow: wallNow, &actions)
        }
    }

    /// The recipe's ending completed by its verify gate's verdict, which is
    /// recorded and reported unless a signal cut the gate short.
    private mutating func judge(_ recipe: Ending, _ end: VerifyEnd, _ actions: inout [Action]) -> Ending {
        let ticket = recipe.ticket
        let gate = GateVerdict(recipe: recipe, end: end, stopped: stopReason(ticket),
                               mayFeedBack: retryPolicy.mayFeedBack(ticket, verifyRetries: Verify.retries(of: plan.graph.tickets[ticket])))
        if let (passed, exitCode) = gate.verdict {
            records[ticket].verifyRuns += 1
            if !passed { records[ticket].verifyFailures += 1 }
            actions.append(.recordVerified(ticket: ticket, attempt: recipe.attempt, passed: passed, exitCode: exitCode))
            actions.append(.report(.ticketVerified(ticket: ticket, attempt: recipe.attempt, passed: passed, exitCode: exitCode)))
        }
        if gate.feedsBack { actions.append(.feedBack(ticket: ticket)) }
        return gate.ending
    }

    private mutating func landNext(_ actions: inout [Action]) {
        guard landing == nil, !landingQueue.isEmpty else { return }
        let next = landingQueue.removeFirst()
        landing = next
        actions.append(.land(ticket: next.ticket))
    }

    private mutating func record(_ ending: Ending, outcome: AttemptOutcome) {
        records[ending.ticket].lastOutcome = outcome
        records[ending.ticket].seconds = ending.seconds
        records[ending.ticket].totalSeconds += ending.seconds
        if let stats = ending.stats { records[ending.ticket].stats = (records[ending.ticket].stats ?? AgentStats()) + stats }
    }

    private mutating func finish(_ ending: Ending, now: Double, wallNow: Double, _ actions: inout [Action]) {
        let ticket = ending.ticket
        let outcome = ending.outcome
        // Once the run stops starting tickets, retries stop too; but an agent's
        // verify feedback round is the same ticket still at work, and goes on
        // unless a signal (or --fail-fast) is stopping the run.
        let feedbackRound = ending.feedbackReady && !stopping
        let decision = scheduler.isStopped && !feedbackRound ? nil : retryDecision(ending, now: now, wallNow: wallNow, &actions)
        // A session out of turns goes on with the continuation prompt; an ordinary retry of it starts afresh, later.
        let continues = decision?.verdict == .continueSession
        let atOnce = continues || (feedbackRound && !outcome.isOutOfTurns)
        let delay = scheduler.isStopped && !atOnce ? nil : decision?.delay
        if continues {
            records[ticket].continuations += 1
            actions.append(.feedBack(ticket: ticket))
        }
        actions.append(.recordEnded(ticket: ticket, attempt: ending.attempt, outcome: outcome, seconds: ending.seconds, willRetry: delay != nil, stats: ending.stats))
        record(ending, outcome: outcome)
        if ending.stats != nil { checkCostLimit(&actions) }
        let ended = RunEvent.ticketEnded(ticket: ticket, attempt: ending.attempt, worker: ending.worker, outcome: outcome, seconds: ending.seconds, retryIn: delay, stats: ending.stats)
        if outcome.isSuccess {
            scheduler.succeeded(ticket)
            records[ticket].status = .succeeded
            actions.append(.report(ended))
            return
        }
        if delay != nil, atOnce {
            // At once, in the slot it holds: no other ticket takes it in between.
            actions.append(.report(ended))
            actions.append(.start(ticket: ticket, worker: ending.worker))
            return
        }
        if let delay {
            scheduler.retryLater(ticket)
            retries.append((now + delay, ticket))
            actions.append(.report(ended))
            return
        }
        records[ticket].status = Self.failedStatus(outcome)
        let skipped = scheduler.failed(ticket)
        actions.append(.report(ended))
        if scheduler.isStopped { abandonRetries(&actions) }
        reportSkipped(skipped, &actions)
        if settings.failFast && outcome != .interrupted && !stopping {
            stopAll(signal: nil, reason: "--fail-fast: '\(plan.graph.tickets[ticket].id)' failed, stopping running tickets", now: now, &actions)
        }
    }

    private static func failedStatus(_ outcome: AttemptOutcome?) -> TicketRecord.Status {
        switch outcome {
        case .timedOut?: .timedOut
        case .interrupted?: .interrupted
        case .noChange?: .noChange
        default: .failed
        }
    }

    /// Whether and when the ticket is tried again; a rate or usage limit also tells the agent throttle.
    private mutating func retryDecision(_ ending: Ending, now: Double, wallNow: Double, _ actions: inout [Action]) -> RetryPolicy.Decision {
        let definition = plan.graph.tickets[ending.ticket]
        let ended = RetryPolicy.EndedAttempt(
            ticket: ending.ticket, attempt: ending.attempt, outcome: ending.outcome, retries: definition.retries(commandLine: settings.commandLineRetries),
            verifyRetries: Verify.retries(of: definition), feedbackReady: ending.feedbackReady, continuations: Continuations.limit(of: definition),
            fromLanding: ending.landingFailed)
        // A limit throttles the pool of the agent that met it.
        let agent = definition.agentKind
        let decision = retryPolicy.decide(ended, stopping: stopping, throttle: throttles[agent], now: now, wallNow: wallNow, using: &random)
        switch decision.throttle {
        case .rateLimited?: apply(throttles[agent].rateLimited(now: now), agent, &actions)
        case .usageLimited(let resetsAt)?: apply(throttles[agent].usageLimited(resetsAt: resetsAt, now: now, wallNow: wallNow), agent, &actions)
        case nil: break
        }
        return decision
    }

    mutating func reportSkipped(_ skipped: [Int], _ actions: inout [Action]) {
        for dependent in skipped {
            if case .skipped(let dependency, let cause) = scheduler.states[dependent] {
                records[dependent].status = .skipped(dependency: dependency, cause: cause)
                actions.append(.recordSkipped(ticket: dependent, attempt: records[dependent].attempts))
                actions.append(.report(.ticketSkipped(ticket: dependent, dependency: dependency, cause: cause)))
            }
        }
    }
}
