import ParrunModel
import ParrunPlatform
import ParrunState

/// Runs a plan: the event loop. It performs what the `RunController` decides
/// (start, signal, record, report) and turns the world into its events
/// (exits, signals, time). Single-threaded and never blocked: one `poll`
/// waits on every ticket's output pipe and exit descriptor, a signalfd, and
/// room in parrun's own output; helpers it runs (git, squeue) have timeouts.
///
/// Invariant: a ticket's process group is killed (SIGKILL) as soon as its top
/// process exits, before it is reaped, so no background process of a recipe
/// outlives its ticket, and the group id cannot have been reused.
public final class Runner {
    let plan: Plan
    let options: RunOptions
    var reporter: any RunReporter
    /// Where the reporter writes; flushed before every wait.
    let sink: any OutputSink
    let signals: SignalWatcher
    let baseEnvironment: PreparedEnvironment
    /// Commands run without a shell, found on PATH once.
    let executables: ExecutableLookup
    let runID: String
    let manifestName: String

    /// Every decision of the run; this type performs its actions.
    var controller: RunController
    var running: [Int32: RunningAttempt] = [:]  // by output descriptor
    /// Output descriptor by exit descriptor (pidfd), for the attempts that have one.
    var byExitDescriptor: [Int32: Int32] = [:]
    var startedAt = 0.0
    var random = SystemRandomNumberGenerator()
    var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// The descriptors a turn of the loop waits on, rebuilt in place each turn.
    private var watched: [Int32] = []
    var lastTick = 0.0
    /// The launcher's question about running jobs (Slurm: `squeue`), while it
    /// runs: watched by this loop like a ticket, never waited for.
    var launcherQuery: (helper: HelperProcess, attempts: [SlurmJobTracker.Attempt], deadline: Double)?
    /// The names in the logs directory when the run started (`LogFileName`).
    let existingLogs: Set<String>
    /// Tickets whose log could not be written and were said so: once per ticket.
    var logWarnings = Set<Int>()
    /// Nil with `--no-journal`.
    let journal: RunJournal?
    /// `PARRUN_SUPERVISOR` for every recipe: this process's pid (see `Guardian`).
    let supervisor = String(ProcessControl.ownPID)

    /// Where the run is recorded: nil for no journal.
    public struct Recording {
        public var writer: JournalWriter
        public var recipeHashes: [String]
        public var owner: ProcessIdentity
        /// Claims shared with other parruns on the same state directory.
        public var claims: Claims
        /// Where the journal was read up to when the run was planned.
        public var journalOffset: Int
        /// Tickets (by id) started and not ended in the runs this one continues, with their parrun.
        public var openAttempts: [String: ProcessIdentity]
        /// Interrupted prompt tickets (by id) and the agent session they continue.
        public var sessionsToContinue: [String: String]
        /// What each agent session used and cost in the runs this one
        /// continues: a continued session's attempt counts only what it adds.
        public var sessionStats: [String: AgentStats]
        /// Records the files of tickets that declare them; nil when the up-to-date check is off.
        public var files: TicketFileRecorder? = nil

        public init(writer: JournalWriter, recipeHashes: [String], owner: ProcessIdentity, claims: Claims,
                    journalOffset: Int, openAttempts: [String: ProcessIdentity] = [:], sessionsToContinue: [String: String] = [:],
                    sessionStats: [String: AgentStats] = [:]) {
            self.sessionsToContinue = sessionsToContinue
            self.sessionStats = sessionStats
            self.writer = writer
            self.recipeHashes = recipeHashes
            self.owner = owner
            self.claims = claims
            self.journalOffset = journalOffset
            self.openAttempts = openAttempts
        }
    }

    /// Nil with `--no-journal`.
    let coordination: RunCoordination?
    /// Write-back to the tickets' store and the manifest's hooks; nil when there are neither.
    var sideEffects: SideEffects?
    /// Actions the controller decided and this runner has yet to perform.
    var pendingActions: [RunController.Action] = []
    var performingActions = false
    /// Per ticket, an agent session its next attempt continues (an interrupted
    /// run's, or this run's after a rate limit); nil starts a new session.
    var sessionsToContinue: [Int: AgentSessionPlan] = [:]
    /// Per agent session, what its attempts have used and cost as parrun
    /// counted them (reported or estimated): a CLI reports a continued
    /// session's totals from its start (claude its cost, codex its tokens),
    /// so an attempt counts its report less this.
    var sessionStats: [String: AgentStats] = [:]
    /// `--worktree`: each ticket in a worktree of its own, its work landed when
    /// it succeeds. Used by `gitWork`'s jobs only, once the run begins.
    let isolation: WorktreeIsolation?
    /// `--worktree`: git, run beside the loop.
    let gitWork: GitWork?
    /// `--resume`: tickets interrupted in that run, whose work may have landed already.
    var interruptedRuns: [Int: [String]] = [:]
    /// `--resume`: tickets whose work awaited review, and what was decided.
    var reviews: [Int: ReviewState] = [:]
    /// Recipes that succeeded, ready for the verify gate the controller may ask for.
    var pendingGates: [Int: (recipe: RunningAttempt, phase: VerifyPhase)] = [:]
    /// A failed gate's output, or the continuation prompt after the session ran
    /// out of turns, ready to go back to the ticket's agent (`feedBack`).
    var gateFeedback: [Int: AgentSessionPlan] = [:]
    /// Tickets found landed already: they succeed without landing again.
    var alreadyLanded = Set<Int>()
    /// `--resume`: conflict tickets whose kept branch (of that run) lands instead of a rerun.
    var conflictsToLand: [Int: String] = [:]
    /// Tickets whose work conflicted as it landed in this run, with the paths:
    /// their next attempt redoes it from the new head.
    var conflictedPaths: [Int: [String]] = [:]
    /// Per ticket, its conflicts so far, the runs `--resume` continued included.
    var conflictCounts: [Int: Int] = [:]
    /// Per prompt ticket, the agent session of its last attempt (this run's, or
    /// the one whose work conflicted before `--resume`): a rerun after a conflict continues it.
    var agentSessions: [Int: String] = [:]
    /// Conflicting tickets whose reruns are spent: only the user can take them further.
    var resolveByHand = Set<Int>()
    /// Where tickets run: here, under `--launcher CMD`, or as Slurm jobs.
    let launcher: any TicketLauncher
    var lastNews = 0.0
    /// How often the journal is read for other processes' results while waiting on them.
    static let newsInterval = 0.1
    /// How often exits are looked for when the kernel gives no exit descriptors.
    static let exitCheckInterval = 0.01
    /// How long, at most, the loop waits for a process whose output just ended to exit (20 µs;
    /// measured, one yield of the processor is nearly always enough).
    static let exitGrace = 0.00002

    public init(plan: Plan, options: RunOptions, reporter: any RunReporter, sink: any OutputSink, signals: SignalWatcher, environment: [String: String], runID: String, manifestName: String, recording: Recording? = nil, isolation: WorktreeIsolation? = nil,
                conflictsToLand: [String: String] = [:], conflictSessions: [String: String] = [:], interruptedRuns: [String: [String]] = [:],
                reviews: [String: ReviewState] = [:]) {
        self.isolation = isolation
        self.gitWork = isolation.map(GitWork.init)
        for (id, review) in reviews {
            if let ticket = plan.graph.indexByID[id] { self.reviews[ticket] = review }
        }
        for (id, runs) in interruptedRuns {
            if let ticket = plan.graph.indexByID[id] { self.interruptedRuns[ticket] = runs }
        }
        for (id, run) in conflictsToLand {
            if let ticket = plan.graph.indexByID[id] { self.conflictsToLand[ticket] = run }
        }
        for (id, session) in conflictSessions {
            if let ticket = plan.graph.indexByID[id] { agentSessions[ticket] = session }
        }
        for (id, count) in options.earlierConflicts {
            if let ticket = plan.graph.indexByID[id] { conflictCounts[ticket] = count }
        }
        self.plan = plan
        self.options = options
        self.reporter = reporter
        self.sink = sink
        self.signals = signals
        self.baseEnvironment = PreparedEnvironment(environment, reserved: RecipeCommand.reservedNames)
        self.executables = ExecutableLookup(path: environment["PATH"])
        self.runID = runID
        self.manifestName = manifestName
        self.controller = RunController(plan: plan, options: options)
        if options.slurm {
            self.launcher = SlurmJobLauncher(run: runID, jobDirectory: FileSystem.absolutePath(options.slurmJobDirectory))
        } else if let template = options.launcherCommand {
            self.launcher = TemplateLauncher(template: template)
        } else {
            self.launcher = LocalLauncher()
        }
        sessionStats = recording?.sessionStats ?? [:]
        if let recording, !options.freshSessions {
            for (id, session) in recording.sessionsToContinue {
                if let ticket = plan.graph.indexByID[id] { sessionsToContinue[ticket] = AgentSessionPlan(id: session, resume: true, reason: "interrupted") }
            }
        }
        self.existingLogs = Set(FileSystem.directoryEntries(options.logDirectory))
        self.journal = recording.map {
            RunJournal(writer: $0.writer, runID: runID, plan: plan, recipeHashes: $0.recipeHashes, owner: $0.owner, files: $0.files)
        }
        self.coordination = recording.map {
            RunCoordination(
                claims: $0.claims, journalPath: $0.writer.path, journalOffset: $0.journalOffset, run: runID,
                owner: $0.owner, graph: plan.graph, openAttempts: $0.openAttempts,
                ownBytesWritten: { [writer = $0.writer] in writer.bytesWritten })
        }
        self.sideEffects = SideEffects(
            plan: plan, options: options, runID: runID, writer: recording?.writer, executables: executables,
            notice: { [weak self] text in self?.reportNotice(text) })
    }

    public func run() -> RunResult {
        startedAt = Clock.monotonic()
        reporter.report(.runStarted(RunStart(
            runID: runID, manifestName: manifestName, jobs: plan.jobs.value, tickets: plan.graph.count,
            toRun: plan.ticketsToRun, startedAt: Clock.wall())), elapsed: 0)
        journal?.begin()
        // A signal that came during set-up (worktrees, claims, the journal) starts nothing.
        handleSignals()
        send(.begin)
        sideEffects?.begin()
        while true {
            if running.isEmpty && controller.isDone { break }
            flushJournal()
            sink.flush()
            // A pipe at end of file polls readable for ever: it leaves the set at once.
            // While the reader of parrun's output lags, ticket output waits in its
            // pipes (back-pressure); exits, signals and timers go on.
            let readsOutput = !sink.isBacklogged
            // Built in place every turn: a turn per ticket showed its allocations.
            watched.removeAll(keepingCapacity: true)
            watched.append(signals.descriptor)
            watched.append(contentsOf: byExitDescriptor.keys)
            if let query = launcherQuery { watched.append(contentsOf: query.helper.descriptors) }
            if let gitDone = gitWork?.descriptor { watched.append(gitDone) }
            if let sideEffects { watched.append(contentsOf: sideEffects.descriptors) }
            // A ticket being stopped is still read (into its log), so a write it is blocked in cannot delay its end.
            for (descriptor, attempt) in running where !attempt.outputClosed && (readsOutput || controller.clocks[attempt.ticket]?.stopReason != nil) {
                watched.append(descriptor)
            }
            let ready = Poller.wait(watched, writable: sink.descriptorsWaitingForRoom, timeout: nextWakeUp())
            // A process has ended when its exit descriptor is readable; where the
            // kernel gives none, end of output and short waits are the cues.
            var exited: [Int32] = []
            for descriptor in ready {
                if descriptor == signals.descriptor {
                    handleSignals()
                } else if descriptor == gitWork?.descriptor {
                    gitWork?.deliver()
                } else if let output = byExitDescriptor[descriptor] {
                    readOutput(output)
                    exited.append(output)
                } else {
                    readOutput(descriptor)
                    if endedExiting(descriptor, ready: ready) { exited.append(descriptor) }
                }
            }
            collectExitedProcesses(among: exited, known: true)
            sideEffects?.service()
            if let query = launcherQuery, !Set(query.helper.descriptors).isDisjoint(with: ready) { query.helper.readAvailable() }
            finishLauncherQuery()
            collectExitedProcesses(among: withoutExitDescriptor { $0.outputClosed || !readsOutput })
            if handleTimers() {
                collectExitedProcesses(among: withoutExitDescriptor { _ in true })
            }
            // Checked once the turn's events are handled (and recorded), never while actions are performed.
            flushJournal()
            if let failure = journal?.failure, controller.stateFailure == nil {
                send(.stateLost(failure.description))
            }
        }
        finishLauncherQuery(force: true)
        flushJournal()
        // Worktrees of tickets a signal kept from starting are still being removed.
        gitWork?.waitUntilIdle()
        controller.finishRun()
        var result = controller.result(wallSeconds: elapsed)
        result.resolveByHand = resolveByHand.filter { result.records[$0].status == .failed }.sorted()
        sideEffects?.finish(status: result.interruptedBy != nil ? "interrupted" : (result.exitCode == 0 ? "succeeded" : "failed"), interrupt: signals.descriptor)
        journal?.finished(result)
        coordination?.releaseRecorded()
        reporter.report(.runFinished(result), elapsed: result.wallSeconds)
        sink.finish(unless: signals.descriptor)
        return result
    }

    var elapsed: Double { Clock.monotonic() - startedAt }

    /// Writes the turn's journal records in one call, then lets go of the
    /// claims of tickets they end: never before, or another parrun could
    /// take a ticket whose end it cannot read yet.
    private func flushJournal() {
        journal?.flush()
        coordination?.releaseRecorded()
    }

    // MARK: - Starting

    /// Hands `event` to the controller and performs what it decides. Actions
    /// may produce events (a ticket that ends at once): those are handled in
    /// turn, and their actions performed after the ones already waiting.
    func send(_ event: RunController.Event) {
        controller.handle(event, now: Clock.monotonic(), wallNow: Clock.wall(), into: &pendingActions)
        guard !performingActions else { return }
        performingActions = true
        defer { performingActions = false }
        var next = 0
        while next < pendingActions.count {
            perform(pendingActions[next])
            next += 1
        }
        pendingActions.removeAll(keepingCapacity: true)
    }

    private func perform(_ action: RunController.Action) {
        if options.verbose, let line = VerboseNarration(plan: plan).line(for: action, stopping: controller.stopping) {
            sink.writeMessage(VerboseNarration.prefix + line + "\n")
        }
        switch action {
        case .start(let ticket, let worker):
            // Set-up of a ticket may take a while (git): a signal that came meanwhile stops the rest.
            handleSignals()
            if controller.stopping { send(.notStarted(ticket: ticket, attemptBegun: false)) } else { start(ticket, worker: worker) }
        case .land(let ticket):
            land(ticket)
        case .verify(let ticket):
            verify(ticket)
        case .recordVerified(let ticket, let attempt, let passed, let exitCode):
            journal?.verified(ticket, attempt: attempt, passed: passed, exitCode: exitCode)
        case .feedBack(let ticket):
            if let plan = gateFeedback.removeValue(forKey: ticket) { sessionsToContinue[ticket] = plan }
        case .holdForReview(let ticket):
            holdForReview(ticket)
        case .terminate(let ticket):
            if let pid = runningProcess(of: ticket) { ProcessControl.signalGroup(pid, Signal.terminate) }
        case .kill(let ticket):
            if let pid = runningProcess(of: ticket) { ProcessControl.signalGroup(pid, Signal.kill) }
        case .report(let event):
            reporter.report(event, elapsed: elapsed)
        case .recordEnded(let ticket, let attempt, let outcome, let seconds, let willRetry, let stats):
            journal?.ended(ticket, attempt: attempt, outcome: outcome, seconds: seconds, willRetry: willRetry, stats: stats)
            // Held for a gate the controller did not ask for (the run was stopping), or not taken up.
            pendingGates[ticket] = nil
            gateFeedback[ticket] = nil
            if !willRetry {
                coordination?.release(ticket, id: plan.graph.tickets[ticket].id)
                sideEffects?.ended(ticket, outcome: outcome)
            }
        case .recordSession(let ticket, let attempt, let session):
            journal?.sessionBegan(ticket, attempt: attempt, session: session)
        case .recordJob(let ticket, let attempt, let job):
            journal?.slurmJob(ticket, attempt: attempt, job: job)
        case .recordSkipped(let ticket, let attempt):
            journal?.skipped(ticket, attempt: attempt)
        case .releaseClaim(let ticket):
            coordination?.release(ticket, id: plan.graph.tickets[ticket].id)
        }
    }

    func runningProcess(of ticket: Int) -> Int32? {
        running.values.first { $0.ticket == ticket }?.pid
    }

    // MARK: - Signals and time

    func handleSignals() {
        for signal in signals.pending() where [Signal.interrupt, Signal.terminate, Signal.hangUp].contains(signal) {
            send(.signal(signal))
            // git running beside the loop stops too: it may have missed the signal.
            gitWork?.interrupt()
        }
    }

    /// Lets the controller act on deadlines, kills, retries and pauses that are
    /// due; true on a status tick, which is also when exits without an exit
    /// descriptor are looked for.
    @discardableResult
    private func handleTimers() -> Bool {
        let now = Clock.monotonic()
        send(.timer)
        applyNews(now: now)
        guard now - lastTick >= StatusTick.interval else { return false }
        lastTick = now
        pollLauncher()
        journal?.tick()
        reporter.tick(elapsed: now - startedAt)
        return true
    }

    /// Seconds until the next deadline, retry or status-line tick.
    private func nextWakeUp() -> Double {
        var next = lastTick + StatusTick.interval
        if let due = controller.nextDue { next = min(next, due) }
        if let due = sideEffects?.nextDue { next = min(next, due) }
        if let query = launcherQuery { next = min(next, query.helper.exitDescriptor == nil ? Clock.monotonic() + 0.05 : query.deadline) }
        if controller.scheduler.elsewhereCount > 0 { next = min(next, lastNews + Self.newsInterval) }
        let now = Clock.monotonic()
        // Without exit descriptors, an exit is looked for soon after output ends, or
        // while output is not read; a short wait instead of a busy loop.
        if running.values.contains(where: { $0.exitDescriptor == nil && ($0.outputClosed || sink.isBacklogged) }) {
            next = min(next, now + Self.exitCheckInterval)
        }
        return max(0, next - now)
    }
}
