import ParrunModel
import ParrunPlatform
import ParrunState
#if canImport(Glibc)
import Glibc
#endif

/// Runs a plan: the one loop that starts processes, reads their output,
/// enforces timeouts, handles signals and feeds the scheduler. Single-threaded:
/// one `poll` waits on every ticket's output pipe and on a signalfd.
///
/// Invariant: a ticket's process group is killed (SIGKILL) as soon as its top
/// process exits, before it is reaped, so no background process of a recipe
/// outlives its ticket, and the group id cannot have been reused.
public final class Runner {
    private let plan: Plan
    private let options: RunOptions
    private var reporter: any RunReporter
    /// Where the reporter writes; flushed before every wait.
    private let sink: any OutputSink
    private let signals: SignalWatcher
    private let baseEnvironment: PreparedEnvironment
    /// Commands run without a shell, found on PATH once.
    private let executables: ExecutableLookup
    private let runID: String
    private let manifestName: String

    private var scheduler: Scheduler
    private var records: [TicketRecord]
    private var running: [Int32: RunningAttempt] = [:]  // by output descriptor
    /// Output descriptor by exit descriptor (pidfd), for the attempts that have one.
    private var byExitDescriptor: [Int32: Int32] = [:]
    private var retries: [(due: Double, ticket: Int)] = []
    private var startedAt = 0.0
    private var interruptedBy: Int32?
    /// The run is winding down: no new starts, running tickets are being stopped.
    private var stopping = false
    private var random = SystemRandomNumberGenerator()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var lastTick = 0.0
    /// Ids whose log file was there when the run started.
    private let existingLogs: Set<String>
    /// Nil with `--no-journal`.
    private let journal: RunJournal?
    /// `PARRUN_SUPERVISOR` for every recipe: this process's pid (see `Guardian`).
    private let supervisor = String(getpid())

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

        public init(writer: JournalWriter, recipeHashes: [String], owner: ProcessIdentity, claims: Claims,
                    journalOffset: Int, openAttempts: [String: ProcessIdentity] = [:], sessionsToContinue: [String: String] = [:]) {
            self.sessionsToContinue = sessionsToContinue
            self.writer = writer
            self.recipeHashes = recipeHashes
            self.owner = owner
            self.claims = claims
            self.journalOffset = journalOffset
            self.openAttempts = openAttempts
        }
    }

    /// Nil with `--no-journal`.
    private let coordination: RunCoordination?
    /// Prompt tickets do not start before this (monotonic clock); 0: no pause.
    private var agentPauseEnds = 0.0
    /// `--max-cost` was reached: no prompt ticket starts any more.
    private var costLimitReached = false
    private var limitWaits = LimitWaits()
    /// Per ticket, an agent session its next attempt continues (an interrupted
    /// run's, or this run's after a rate limit); nil starts a new session.
    private var sessionsToContinue: [Int: AgentSessionPlan] = [:]
    /// Per prompt ticket, attempts sent back to the agent because its verify gate failed.
    private var verifyRetriesUsed: [Int: Int] = [:]
    /// `--worktree`: each ticket in a worktree of its own, its work landed when it succeeds.
    private let isolation: WorktreeIsolation?
    /// `--resume`: tickets interrupted in that run, whose work may have landed already.
    private var interruptedRuns: [Int: String] = [:]
    /// `--resume`: tickets whose work awaited review, and what was decided.
    private var reviews: [Int: ReviewState] = [:]
    /// Tickets approved in review: they succeed without awaiting it again.
    private var approved = Set<Int>()
    /// Tickets found landed already: they succeed without landing again.
    private var alreadyLanded = Set<Int>()
    /// `--resume`: conflict tickets whose kept branch (of that run) lands instead of a rerun.
    private var conflictsToLand: [Int: String] = [:]
    /// `--launcher slurm`: per running ticket, its job and the state last reported.
    private var slurmJobs: SlurmJobTracker
    /// When a rate limit last lowered (or a quiet period raised) the agent limit.
    private var lastAgentLimitChange = 0.0
    /// Tickets rerun once after a conflict (`--on-conflict rerun`).
    private var conflictReruns = Set<Int>()
    /// Per ticket, attempts that hit a rate or usage limit (they do not count against `retries`).
    private var limitedAttempts: [Int: Int] = [:]
    private var lastNews = 0.0
    /// How often the journal is read for other processes' results while waiting on them.
    static let newsInterval = 0.1

    public init(plan: Plan, options: RunOptions, reporter: any RunReporter, sink: any OutputSink, signals: SignalWatcher, environment: [String: String], runID: String, manifestName: String, recording: Recording? = nil, isolation: WorktreeIsolation? = nil,
                conflictsToLand: [String: String] = [:], interruptedRuns: [String: String] = [:],
                reviews: [String: ReviewState] = [:]) {
        self.isolation = isolation
        for (id, review) in reviews {
            if let ticket = plan.graph.indexByID[id] { self.reviews[ticket] = review }
        }
        for (id, run) in interruptedRuns {
            if let ticket = plan.graph.indexByID[id] { self.interruptedRuns[ticket] = run }
        }
        for (id, run) in conflictsToLand {
            if let ticket = plan.graph.indexByID[id] { self.conflictsToLand[ticket] = run }
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
        self.scheduler = Scheduler(plan: plan, policy: options.policy)
        self.slurmJobs = SlurmJobTracker(jobDirectory: options.slurm ? FileSystem.absolutePath(options.slurmJobDirectory) : nil)
        self.records = [TicketRecord](repeating: TicketRecord(), count: plan.graph.count)
        if let recording, !options.freshSessions {
            for (id, session) in recording.sessionsToContinue {
                if let ticket = plan.graph.indexByID[id] { sessionsToContinue[ticket] = AgentSessionPlan(id: session, resume: true, reason: "interrupted") }
            }
        }
        self.existingLogs = Set(FileSystem.directoryEntries(options.logDirectory).filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) })
        self.journal = recording.map {
            RunJournal(writer: $0.writer, runID: runID, plan: plan, recipeHashes: $0.recipeHashes, owner: $0.owner)
        }
        self.coordination = recording.map {
            RunCoordination(
                claims: $0.claims, journalPath: $0.writer.path, journalOffset: $0.journalOffset, run: runID,
                owner: $0.owner, graph: plan.graph, openAttempts: $0.openAttempts,
                ownBytesWritten: { [writer = $0.writer] in writer.bytesWritten })
        }
    }

    public func run() -> RunResult {
        startedAt = Clock.monotonic()
        reporter.report(.runStarted(RunStart(
            runID: runID, manifestName: manifestName, jobs: plan.jobs.value, tickets: plan.graph.count,
            toRun: plan.ticketsToRun, startedAt: Clock.wall())), elapsed: 0)
        checkCostLimit()
        while true {
            startReadyTickets()
            if running.isEmpty && scheduler.isDone { break }
            sink.flush()
            let watched = [signals.descriptor] + running.keys + byExitDescriptor.keys
            let ready = Poller.wait(watched, timeout: nextWakeUp())
            // A process has ended when its exit descriptor is readable; where the
            // kernel gives none, end of output and timer ticks are the cues.
            var mayHaveExited: [Int32] = []
            var exited: [Int32] = []
            for descriptor in ready {
                if descriptor == signals.descriptor {
                    handleSignals()
                } else if let output = byExitDescriptor[descriptor] {
                    readOutput(output)
                    exited.append(output)
                } else if readOutput(descriptor) && running[descriptor]?.exitDescriptor == nil {
                    mayHaveExited.append(descriptor)
                }
            }
            collectExitedProcesses(among: mayHaveExited)
            collectExitedProcesses(among: exited, known: true)
            if handleTimers() {
                collectExitedProcesses(among: running.filter { $0.value.exitDescriptor == nil }.map(\.key))
            }
        }
        scheduler.finish()
        let result = finalResult()
        journal?.finished(result)
        reporter.report(.runFinished(result), elapsed: result.wallSeconds)
        sink.flush()
        return result
    }

    private var elapsed: Double { Clock.monotonic() - startedAt }

    // MARK: - Starting

    private func startReadyTickets() {
        // A ticket without a recipe succeeds at once and may make others ready: repeat.
        while !stopping {
            let starts = scheduler.start()
            if starts.isEmpty { return }
            for (ticket, worker) in starts { start(ticket, worker: worker) }
        }
    }

    private func start(_ ticket: Int, worker: Int) {
        let definition = plan.graph.tickets[ticket]
        if let coordination {
            switch coordination.claim(ticket, id: definition.id) {
            case .elsewhere(let holder):
                scheduler.runsElsewhere(ticket)
                reporter.report(.ticketElsewhere(ticket: ticket, holder: holder?.pid ?? 0), elapsed: elapsed)
                return
            case .alreadyFinished(.succeeded):
                scheduler.succeeded(ticket)
                records[ticket].status = .ranElsewhere(succeeded: true)
                reporter.report(.notice("info: \(definition.id) already succeeded in another parrun"), elapsed: elapsed)
                return
            case .alreadyFinished(.awaitingReview):
                scheduler.awaitsReview(ticket)
                records[ticket].status = .awaitingReview
                reporter.report(.notice("info: \(definition.id) already ran in another parrun and awaits review"), elapsed: elapsed)
                return
            case .alreadyFinished(.failed):
                reporter.report(.notice("info: \(definition.id) already ran in another parrun and did not succeed"), elapsed: elapsed)
                failedElsewhere(ticket, skipping: scheduler.failed(ticket))
                return
            case .run(let takenOver):
                if let takenOver {
                    reporter.report(.notice("parrun: taking over \(definition.id) from parrun pid \(takenOver.pid), which is gone"), elapsed: elapsed)
                }
            }
        }
        switch reviews.removeValue(forKey: ticket) {
        case .pending?:
            scheduler.awaitsReview(ticket)
            records[ticket].status = .awaitingReview
            reporter.report(.notice("parrun: \(definition.id) still awaits review: parrun approve \(definition.id), or parrun reject \(definition.id) --reason TEXT"), elapsed: elapsed)
            return
        case .approved(let run)?:
            approved.insert(ticket)
            reporter.report(.notice("parrun: \(definition.id) was approved" + (isolation == nil ? "" : "; landing its work")), elapsed: elapsed)
            let adoption = isolation?.adopt(definition.id, fromRun: run) ?? .adopted
            if adoption == .gone {
                reporter.report(.notice("parrun: warning: the approved work of \(definition.id) is gone (no worktree or branch); running it again"), elapsed: elapsed)
                break
            }
            records[ticket].attempts += 1
            let attempt = records[ticket].attempts
            if case .unfinished(let operation, let paths) = adoption {
                keepUnfinished(ticket, attempt: attempt, worker: worker, operation: operation, paths: paths)
                return
            }
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
            return
        case .rejected(let reason, let session)?:
            if case .prompt = definition.recipe, let session, !options.freshSessions {
                var plan = AgentSessionPlan(id: session, resume: true, reason: "rejected in review")
                plan.followUp = "A reviewer rejected your work on this task" + (reason.map { ": \($0)" } ?? ".")
                    + "\nAddress that, in the same files, and finish the task.\n"
                sessionsToContinue[ticket] = plan
            }
        case nil:
            break
        }
        records[ticket].attempts += 1
        let attempt = records[ticket].attempts
        journal?.willStart(ticket)
        let promptPath = options.stateDirectory + "/prompts/" + definition.id + ".txt"
        var session: AgentSessionPlan?
        if case .prompt = definition.recipe {
            if let earlier = sessionsToContinue.removeValue(forKey: ticket) {
                session = earlier
            } else {
                session = AgentSessionPlan(id: SessionID.make(using: &random), resume: false)
            }
        }
        if let isolation, let run = interruptedRuns.removeValue(forKey: ticket), isolation.landedBefore(definition.id, run: run) {
            reporter.report(.notice("parrun: \(definition.id) had landed before its parrun stopped; it does not run again"), elapsed: elapsed)
            alreadyLanded.insert(ticket)
            isolation.remove(definition.id)
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
            return
        }
        if let isolation, let run = conflictsToLand.removeValue(forKey: ticket), case let adoption = isolation.adopt(definition.id, fromRun: run), adoption != .gone {
            if case .unfinished(let operation, let paths) = adoption {
                keepUnfinished(ticket, attempt: attempt, worker: worker, operation: operation, paths: paths)
                return
            }
            reporter.report(.notice("parrun: landing \(definition.id) from the branch it kept after its conflict (--rerun-conflicts runs it again instead)"), elapsed: elapsed)
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
            return
        }
        var workingDirectory: String?
        if let isolation, definition.recipe != .none {
            do throws(WorktreeIsolation.Problem) {
                // An attempt that continues its agent's session continues in its files too.
                if session?.resume == true, let continued = isolation.reuse(definition.id) {
                    workingDirectory = continued
                } else {
                    workingDirectory = try isolation.create(definition.id)
                }
            } catch {
                couldNotStart(ticket, attempt: attempt, worker: worker, error.message)
                return
            }
        }
        guard let command = RecipeCommand.make(for: definition, options: options, promptPath: promptPath, session: session) else {
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
            return
        }
        do {
            try launch(ticket, attempt: attempt, worker: worker, command: command, session: session, in: workingDirectory)
        } catch {
            let launched = options.slurm || options.launcherCommand != nil
            guard command.isDirect, !launched, let status = RecipeCommand.shellStatus(for: error) else {
                couldNotStart(ticket, attempt: attempt, worker: worker, error.description)
                return
            }
            // Run without a shell, but fail the way the shell would have: 127 or 126.
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            let line = "parrun: \(command.arguments[0]): \(status == 127 ? "not found" : error.reason)"
            writeLog(of: ticket, attempt: attempt, line)
            reporter.report(.output(ticket: ticket, attempt: attempt, worker: worker, line: line), elapsed: elapsed)
            finish(ticket, attempt: attempt, worker: worker, outcome: .failed(.exited(status)), seconds: 0)
        }
    }

    /// An attempt that ends without a process of its own (it could not start, or
    /// its outcome was known already) is journalled and reported as started first.
    private func startedWithoutProcess(_ ticket: Int, attempt: Int, worker: Int) {
        journal?.started(ticket, attempt: attempt, worker: worker, pid: 0)
        reporter.report(.ticketStarted(ticket: ticket, attempt: attempt, worker: worker, pid: 0), elapsed: elapsed)
    }

    /// `--worktree`: the user left a rebase or merge under way in the ticket's
    /// kept worktree. Nothing lands; the ticket stays a conflict for the next `--resume`.
    private func keepUnfinished(_ ticket: Int, attempt: Int, worker: Int, operation: String, paths: [String]) {
        let id = plan.graph.tickets[ticket].id
        reporter.report(.notice("parrun: \(id)'s worktree has \(operation) (\(isolation?.path(for: id) ?? id)): resolve it (finish or abort), then parrun --resume lands it"), elapsed: elapsed)
        startedWithoutProcess(ticket, attempt: attempt, worker: worker)
        finish(ticket, attempt: attempt, worker: worker, outcome: .conflict(paths), seconds: 0)
    }

    /// The ticket failed before a process ran: its log says why (not what an
    /// earlier attempt printed).
    private func couldNotStart(_ ticket: Int, attempt: Int, worker: Int, _ reason: String) {
        startedWithoutProcess(ticket, attempt: attempt, worker: worker)
        writeLog(of: ticket, attempt: attempt, "parrun: could not start: " + reason)
        finish(ticket, attempt: attempt, worker: worker, outcome: .couldNotStart(reason), seconds: 0)
    }

    /// The attempt's whole log: one line of parrun's own.
    private func writeLog(of ticket: Int, attempt: Int, _ line: String) {
        var log = LogFile(id: plan.graph.tickets[ticket].id, directory: options.logDirectory, attempt: attempt)
        (line + "\n").utf8.withContiguousStorageIfAvailable { log.write(UnsafeRawBufferPointer($0)) }
        log.close()
    }

    /// `arguments` under the launcher: as an srun job, or after `--launcher CMD`.
    private func launched(_ arguments: [String], ticket definition: Ticket, directory: String?, jobFile: String?) -> [String] {
        if options.slurm {
            return SlurmLauncher.wrap(arguments, ticket: definition, run: runID, directory: FileSystem.absolutePath(directory ?? ".") ?? directory, jobFile: jobFile)
        }
        // The launcher runs here, in the ticket's directory; stopping the ticket signals it (its process group).
        guard let template = options.launcherCommand else { return arguments }
        return CommandLauncher.wrap(arguments, template: template)
    }

    /// A Slurm job learnt of: new ones go into the journal; every change is an event.
    private func apply(_ change: SlurmJobTracker.Change) {
        if change.isNewJob { journal?.slurmJob(change.ticket, attempt: change.attempt, job: change.job) }
        reporter.report(.ticketSlurm(ticket: change.ticket, job: change.job, state: change.state), elapsed: elapsed)
    }

    /// `worktree`: the manifest's directory inside the ticket's worktree, with `--worktree`.
    private func launch(_ ticket: Int, attempt: Int, worker: Int, command: RecipeCommand, session: AgentSessionPlan?, in worktree: String? = nil) throws(SystemError) {
        let definition = plan.graph.tickets[ticket]
        if case .prompt(let prompt) = definition.recipe {
            try FileSystem.writeAtomically(command.inputPath, session?.resume == true ? session!.continuationPrompt : prompt)
        }
        var arguments = command.arguments
        let directory = RecipeCommand.directory(for: definition, manifestDirectory: worktree ?? options.manifestDirectory)
        if let directory, !FileSystem.isDirectory(directory) {
            // Said as such: posix_spawn would report it as the program missing.
            throw SystemError(call: "chdir", path: "directory " + directory, code: FileSystem.exists(directory) ? ENOTDIR : ENOENT)
        }
        let pipe = try OutputPipe.make()
        if worktree != nil, let setup = options.worktreeSetup {
            // Setup first, in the same process group and output; the recipe only if it succeeds.
            arguments = ["/bin/sh", "-c", #"/bin/sh -ec "$0" </dev/null || exit $?; exec "$@""#, setup] + arguments
        }
        let jobFile = slurmJobs.jobFile(definition.id)
        if let jobFile { FileSystem.truncateIfPresent(jobFile) }  // not an earlier attempt's id
        arguments = launched(arguments, ticket: definition, directory: directory, jobFile: jobFile)
        var request = SpawnRequest(
            arguments: arguments,
            environment: baseEnvironment,
            extraEnvironment: RecipeCommand.environment(ticket: definition, worker: worker, attempt: attempt, jobs: plan.jobs.value, runID: runID, supervisor: supervisor),
            directory: directory, inputPath: command.inputPath, outputDescriptor: pipe.writeEnd)
        if !definition.environment.contains(where: { $0.name == "PATH" }) {
            request.executable = executables.resolve(arguments[0])
        }
        let (pid, exitDescriptor) = try spawnWatched(request, pipe: pipe)
        journal?.started(ticket, attempt: attempt, worker: worker, pid: pid, session: session?.id)
        let now = Clock.monotonic()
        let timeout = definition.timeoutSeconds ?? options.defaultTimeout
        running[pipe.readEnd] = RunningAttempt(
            ticket: ticket, attempt: attempt, worker: worker, pid: pid, outputDescriptor: pipe.readEnd,
            exitDescriptor: exitDescriptor,
            log: LogFile(id: definition.id, directory: options.logDirectory, attempt: attempt, mayExist: existingLogs.contains(definition.id)),
            startedAt: now, deadline: timeout.map { now + $0 }, timeoutSeconds: timeout,
            agent: session.map {
                AgentAttempt(plan: $0, events: LogFile(id: definition.id, directory: options.logDirectory, attempt: attempt, suffix: ".events.jsonl"))
            },
            directory: request.directory)
        reporter.report(.ticketStarted(ticket: ticket, attempt: attempt, worker: worker, pid: pid), elapsed: now - startedAt)
    }

    /// Starts the process, keeps only the pipe's read end, and watches for its
    /// exit on a pidfd where the kernel has them.
    private func spawnWatched(_ request: SpawnRequest, pipe: OutputPipe) throws(SystemError) -> (pid: Int32, exitDescriptor: Int32?) {
        let pid: Int32
        do { pid = try ProcessSpawner.spawn(request) } catch {
            Descriptor.close(pipe.readEnd)
            Descriptor.close(pipe.writeEnd)
            throw error
        }
        Descriptor.close(pipe.writeEnd)
        let exitDescriptor = options.useExitDescriptors ? ProcessControl.exitDescriptor(pid) : nil
        if let exitDescriptor { byExitDescriptor[exitDescriptor] = pipe.readEnd }
        return (pid, exitDescriptor)
    }

    // MARK: - Output

    /// Reads what the pipe holds; true when it reached end of file.
    @discardableResult
    private func readOutput(_ descriptor: Int32) -> Bool {
        guard var attempt = running[descriptor], !attempt.outputClosed else { return false }
        // Read what is there now, a bounded amount, so one chatty ticket cannot starve the loop.
        for _ in 0..<16 {
            switch Descriptor.read(descriptor, into: &readBuffer) {
            case .data(let count):
                deliver(readBuffer[0..<count], of: &attempt)
                continue
            case .wouldBlock:
                break
            case .endOfFile:
                attempt.outputClosed = true
            }
            break
        }
        running[descriptor] = attempt
        return attempt.outputClosed
    }

    private func deliver(_ bytes: ArraySlice<UInt8>, of attempt: inout RunningAttempt) {
        guard attempt.agent != nil else {
            bytes.withUnsafeBytes { attempt.log.write($0) }
            if attempt.verifying != nil {
                attempt.verifyOutput += bytes
                if attempt.verifyOutput.count > options.verifyFeedbackBytes {
                    attempt.verifyOutput.removeFirst(attempt.verifyOutput.count - options.verifyFeedbackBytes)
                }
            }
            for line in attempt.lines.append(bytes) {
                reporter.report(.output(ticket: attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, line: line), elapsed: elapsed)
            }
            return
        }
        bytes.withUnsafeBytes { attempt.agent!.events.write($0) }
        for line in attempt.lines.append(bytes) { deliverAgentLine(line, of: &attempt) }
    }

    /// A prompt ticket shows what its agent does, not the raw events: those go
    /// to the events file, these lines to the log and the screen.
    private func deliverAgentLine(_ line: String, of attempt: inout RunningAttempt) {
        let shown = attempt.agent!.stream.consume(line)
        if !attempt.agent!.sessionRecorded, let session = attempt.agent!.stream.session {
            attempt.agent!.sessionRecorded = true
            journal?.sessionBegan(attempt.ticket, attempt: attempt.attempt, session: session)
        }
        for text in shown {
            (text + "\n").utf8.withContiguousStorageIfAvailable { attempt.log.write(UnsafeRawBufferPointer($0)) }
            reporter.report(.output(ticket: attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, line: text), elapsed: elapsed)
        }
    }

    // MARK: - Ending

    /// A ticket is finished when its top process exits, not when its pipe closes
    /// (a background grandchild may hold the pipe open forever).
    /// `known`: the exit descriptors said so already, no need to ask the kernel again.
    private func collectExitedProcesses(among candidates: [Int32], known: Bool = false) {
        for descriptor in candidates {
            guard var attempt = running[descriptor], known || ProcessControl.hasExited(attempt.pid) else { continue }
            ProcessControl.signalGroup(attempt.pid, SIGKILL)
            while !attempt.outputClosed {
                switch Descriptor.read(descriptor, into: &readBuffer) {
                case .data(let count): deliver(readBuffer[0..<count], of: &attempt)
                case .wouldBlock, .endOfFile: attempt.outputClosed = true
                }
            }
            if let rest = attempt.lines.flush() {
                if attempt.agent != nil {
                    deliverAgentLine(rest, of: &attempt)
                } else {
                    reporter.report(.output(ticket: attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, line: rest), elapsed: elapsed)
                }
            }
            Descriptor.close(descriptor)
            if let exitDescriptor = attempt.exitDescriptor {
                Descriptor.close(exitDescriptor)
                byExitDescriptor[exitDescriptor] = nil
            }
            attempt.log.close()
            attempt.agent?.events.close()
            running[descriptor] = nil
            let status = ProcessControl.reap(attempt.pid)
            let seconds = Clock.monotonic() - attempt.startedAt
            if options.slurm && (attempt.timedOut || attempt.interrupted || status != .exited(0)) {
                // srun passes signals on to its job; this makes sure nothing of it stays queued.
                SlurmLauncher.cancel(run: runID, id: plan.graph.tickets[attempt.ticket].id)
            }
            if options.slurm && attempt.verifying == nil {
                // A job too short for a tick's `squeue` still has its id recorded.
                let id = plan.graph.tickets[attempt.ticket].id
                let recorded = slurmJobs.jobFile(id).flatMap(SlurmLauncher.recordedJob)
                if let change = slurmJobs.ended(.init(ticket: attempt.ticket, attempt: attempt.attempt, id: id), recorded: recorded) { apply(change) }
            }
            if let phase = attempt.verifying {
                endVerify(attempt, phase: phase, status: status, seconds: seconds)
                continue
            }
            var outcome: AttemptOutcome =
                if attempt.timedOut { .timedOut(seconds: attempt.timeoutSeconds ?? seconds) }
                else if attempt.interrupted { .interrupted }
                else if status == .exited(0) { .succeeded }
                else { .failed(status) }
            var stats: AgentStats?
            if let agent = attempt.agent {
                stats = agent.stream.result?.stats
                if !attempt.timedOut && !attempt.interrupted {
                    switch agent.stream.verdict(exit: status) {
                    case .succeeded: outcome = .succeeded
                    case .failed(let detail): outcome = .agentFailed(detail)
                    case .rateLimited(let detail): outcome = .rateLimited(detail)
                    case .usageLimited(let resetsAt, let detail): outcome = .usageLimited(resetsAt: resetsAt, detail)
                    }
                }
                // An attempt stopped part-way leaves a session the next attempt can continue.
                if let session = agent.stream.session, !outcome.isSuccess, !options.freshSessions {
                    switch outcome {
                    case .rateLimited, .usageLimited: sessionsToContinue[attempt.ticket] = AgentSessionPlan(id: session, resume: true, reason: "stopped by an API limit")
                    case .timedOut: sessionsToContinue[attempt.ticket] = AgentSessionPlan(id: session, resume: true, reason: "stopped by its timeout")
                    default: break
                    }
                }
            }
            if outcome.isSuccess, let script = Verify.script(of: plan.graph.tickets[attempt.ticket]) {
                let phase = VerifyPhase(script: script, stats: stats, recipeSeconds: seconds, session: attempt.agent?.stream.session)
                do throws(SystemError) {
                    try startVerify(after: attempt, phase: phase)
                    continue
                } catch {
                    outcome = .verifyFailed("could not start: \(error.description)")
                }
            }
            finish(attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, outcome: outcome, seconds: seconds, stats: stats)
        }
    }

    /// The recipe succeeded: its verify gate runs now, in the same directory,
    /// slot and log, under the ticket's timeout.
    private func startVerify(after recipe: RunningAttempt, phase: VerifyPhase) throws(SystemError) {
        let definition = plan.graph.tickets[recipe.ticket]
        let pipe = try OutputPipe.make()
        // Through the launcher too: the gate checks the work where the recipe did it.
        let request = SpawnRequest(
            arguments: launched(options.shell + [phase.script], ticket: definition, directory: recipe.directory, jobFile: nil), environment: baseEnvironment,
            extraEnvironment: RecipeCommand.environment(ticket: definition, worker: recipe.worker, attempt: recipe.attempt, jobs: plan.jobs.value, runID: runID, supervisor: supervisor),
            directory: recipe.directory, outputDescriptor: pipe.writeEnd)
        let (pid, exitDescriptor) = try spawnWatched(request, pipe: pipe)
        let now = Clock.monotonic()
        let timeout = definition.timeoutSeconds ?? options.defaultTimeout
        var log = LogFile(id: definition.id, directory: options.logDirectory, attempt: recipe.attempt)
        log.heading = "--- parrun: verify ---"
        running[pipe.readEnd] = RunningAttempt(
            ticket: recipe.ticket, attempt: recipe.attempt, worker: recipe.worker, pid: pid, outputDescriptor: pipe.readEnd,
            exitDescriptor: exitDescriptor, log: log, startedAt: now, deadline: timeout.map { now + $0 }, timeoutSeconds: timeout,
            directory: recipe.directory, verifying: phase)
    }

    /// The verify gate ended: the ticket succeeds, fails, or (a prompt ticket)
    /// goes back to its agent session with the verifier's output.
    private func endVerify(_ attempt: RunningAttempt, phase: VerifyPhase, status: ExitStatus, seconds: Double) {
        let ticket = attempt.ticket
        let passed = !attempt.timedOut && !attempt.interrupted && status == .exited(0)
        var exitCode: Int?
        if case .exited(let code) = status { exitCode = Int(code) }
        // A gate stopped by Ctrl-C gave no verdict: the ticket was interrupted, not found wanting.
        if !attempt.interrupted {
            journal?.verified(ticket, attempt: attempt.attempt, passed: passed, exitCode: exitCode)
            records[ticket].verifyRuns += 1
            if !passed { records[ticket].verifyFailures += 1 }
            reporter.report(.ticketVerified(ticket: ticket, attempt: attempt.attempt, passed: passed, exitCode: exitCode), elapsed: elapsed)
        }
        let total = phase.recipeSeconds + seconds
        let outcome: AttemptOutcome
        if passed {
            outcome = .succeeded
        } else if attempt.timedOut {
            outcome = .timedOut(seconds: attempt.timeoutSeconds ?? seconds)
        } else if attempt.interrupted {
            outcome = .interrupted
        } else {
            let exit = AttemptOutcome.failed(status).detail
            outcome = .verifyFailed(exit)
            let definition = plan.graph.tickets[ticket]
            if case .prompt = definition.recipe, let session = phase.session, !options.freshSessions,
                verifyRetriesUsed[ticket, default: 0] < Verify.retries(of: definition) {
                let output = String(decoding: attempt.verifyOutput, as: UTF8.self)
                var plan = AgentSessionPlan(id: session, resume: true, reason: "checked by its verifier")
                plan.followUp = Verify.feedback(script: phase.script, exit: exit, output: output)
                sessionsToContinue[ticket] = plan
            }
        }
        finish(ticket, attempt: attempt.attempt, worker: attempt.worker, outcome: outcome, seconds: total, stats: phase.stats)
    }

    private func finish(_ ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, stats: AgentStats? = nil) {
        if outcome.isSuccess, Self.needsReview(plan.graph.tickets[ticket]), !approved.contains(ticket) {
            awaitReview(ticket, attempt: attempt, worker: worker, seconds: seconds, stats: stats)
            return
        }
        let outcome = outcome.isSuccess ? land(ticket, outcome) : outcome
        // Once the run is stopping nothing new starts, retries included.
        let retryDelay = scheduler.isStopped ? nil : delayBeforeRetry(ticket, attempt: attempt, outcome: outcome)
        let willRetry = retryDelay != nil
        journal?.ended(ticket, attempt: attempt, outcome: outcome, seconds: seconds, willRetry: willRetry, stats: stats)
        if !willRetry { coordination?.release(ticket, id: plan.graph.tickets[ticket].id) }
        records[ticket].lastOutcome = outcome
        records[ticket].seconds = seconds
        records[ticket].totalSeconds += seconds
        if let stats {
            records[ticket].stats = (records[ticket].stats ?? AgentStats()) + stats
            checkCostLimit()
        }
        if outcome.isSuccess {
            scheduler.succeeded(ticket)
            records[ticket].status = .succeeded
            reporter.report(.ticketEnded(ticket: ticket, attempt: attempt, worker: worker, outcome: outcome, seconds: seconds, retryIn: nil, stats: stats), elapsed: elapsed)
            return
        }
        if let delay = retryDelay {
            scheduler.retryLater(ticket)
            retries.append((Clock.monotonic() + delay, ticket))
            reporter.report(.ticketEnded(ticket: ticket, attempt: attempt, worker: worker, outcome: outcome, seconds: seconds, retryIn: delay, stats: stats), elapsed: elapsed)
            return
        }
        records[ticket].status = switch outcome {
        case .timedOut: .timedOut
        case .interrupted: .interrupted
        default: .failed
        }
        let skipped = scheduler.failed(ticket)
        reporter.report(.ticketEnded(ticket: ticket, attempt: attempt, worker: worker, outcome: outcome, seconds: seconds, retryIn: nil, stats: stats), elapsed: elapsed)
        if scheduler.isStopped { abandonRetries() }
        reportSkipped(skipped)
        if options.failFast && outcome != .interrupted && !stopping {
            stopAll(signal: nil, reason: "--fail-fast: '\(plan.graph.tickets[ticket].id)' failed, stopping running tickets")
        }
    }

    /// `--worktree`: a ticket succeeds only once its work has landed; this is
    /// the merge queue, one ticket at a time, in the order they finish.
    private func land(_ ticket: Int, _ outcome: AttemptOutcome) -> AttemptOutcome {
        let definition = plan.graph.tickets[ticket]
        guard let isolation, definition.recipe != .none, !alreadyLanded.contains(ticket) else { return outcome }
        switch isolation.land(definition) {
        case .landed(let commit):
            // Declared paths are a promise the scheduler relied on: say when it was broken.
            let outside = Exclusions.outside(isolation.changedPaths(definition.id, landedAt: commit), of: definition)
            if !outside.isEmpty {
                reporter.report(.notice("parrun: warning: \(definition.id) changed paths outside its touches: " + outside.prefix(5).joined(separator: ", ") + (outside.count > 5 ? " (+\(outside.count - 5) more)" : "")), elapsed: elapsed)
            }
            if !options.keepWorktrees { isolation.remove(definition.id) }
            return outcome
        case .nothing:
            if !options.keepWorktrees { isolation.remove(definition.id) }
            return outcome
        case .conflict(let paths):
            return .conflict(paths)
        case .failed(let reason):
            return .landingFailed(reason)
        }
    }

    /// `review: true` (text: `@review`): a person approves the work before it counts.
    static func needsReview(_ ticket: Ticket) -> Bool {
        guard let value = ticket.field("review") else { return false }
        return value.boolValue ?? (value.stringValue?.lowercased() == "true")
    }

    /// The recipe succeeded, but the work waits for `parrun approve`: its
    /// dependents wait, everything else goes on. With --worktree the work is
    /// committed on its branch and lands only once approved.
    private func awaitReview(_ ticket: Int, attempt: Int, worker: Int, seconds: Double, stats: AgentStats?) {
        isolation?.commitWork(plan.graph.tickets[ticket])
        journal?.ended(ticket, attempt: attempt, outcome: .awaitingReview, seconds: seconds, willRetry: false, stats: stats)
        coordination?.release(ticket, id: plan.graph.tickets[ticket].id)
        records[ticket].lastOutcome = .awaitingReview
        records[ticket].seconds = seconds
        records[ticket].totalSeconds += seconds
        if let stats { records[ticket].stats = (records[ticket].stats ?? AgentStats()) + stats }
        records[ticket].status = .awaitingReview
        scheduler.awaitsReview(ticket)
        reporter.report(.ticketEnded(ticket: ticket, attempt: attempt, worker: worker, outcome: .awaitingReview, seconds: seconds, retryIn: nil, stats: stats), elapsed: elapsed)
    }

    /// Seconds until the next attempt, or nil when the ticket has failed for good.
    /// An attempt stopped by a rate or usage limit is retried whatever `retries`
    /// says (up to `limitRetries`); it does not count against them.
    private func delayBeforeRetry(_ ticket: Int, attempt: Int, outcome: AttemptOutcome) -> Double? {
        guard !outcome.isSuccess, !stopping, outcome != .interrupted else { return nil }
        if case .verifyFailed = outcome {
            // Back to the agent with the verifier's output (endVerify prepared it); a shell ticket fails.
            guard sessionsToContinue[ticket]?.followUp != nil else { return nil }
            verifyRetriesUsed[ticket, default: 0] += 1
            limitedAttempts[ticket, default: 0] += 1
            return 0
        }
        if case .conflict = outcome {
            // Once, from the integration branch as it now stands (a fresh worktree).
            guard options.rerunOnConflict, conflictReruns.insert(ticket).inserted else { return nil }
            limitedAttempts[ticket, default: 0] += 1
            return 0
        }
        switch outcome {
        case .rateLimited:
            lowerAgentLimit()
            let count = limitedAttempts[ticket, default: 0] + 1
            guard count <= options.limitRetries else { return nil }
            limitedAttempts[ticket] = count
            let delay = Backoff.delay(base: options.rateLimitWait, afterAttempt: count, using: &random)
            limitWaits.rateLimited += 1
            limitWaits.seconds += delay
            return delay
        case .usageLimited(let resetsAt, _):
            let count = limitedAttempts[ticket, default: 0] + 1
            guard count <= options.limitRetries else { return nil }
            limitedAttempts[ticket] = count
            pauseAgents(until: resetsAt)
            let delay = max(0, agentPauseEnds - Clock.monotonic())
            limitWaits.seconds += delay
            return delay
        default:
            let allowed = plan.graph.tickets[ticket].retries ?? options.defaultRetries
            guard attempt - limitedAttempts[ticket, default: 0] <= allowed else { return nil }
            return Backoff.delay(base: options.retryDelay, afterAttempt: attempt - limitedAttempts[ticket, default: 0], using: &random)
        }
    }

    /// Learns the Slurm job of each running ticket and whether it is queued or
    /// running (one `squeue` a tick); a new job goes into the journal.
    private func followSlurmJobs() {
        let attempts = running.values.filter { $0.verifying == nil }
            .map { SlurmJobTracker.Attempt(ticket: $0.ticket, attempt: $0.attempt, id: plan.graph.tickets[$0.ticket].id) }
        let queue = attempts.isEmpty ? [:] : SlurmLauncher.jobs(ofRun: runID)
        for change in slurmJobs.update(running: attempts, queue: queue) { apply(change) }
    }

    /// Adaptive concurrency: a rate limit halves how many prompt tickets run at once.
    private func lowerAgentLimit() {
        lastAgentLimitChange = Clock.monotonic()
        guard let limit = scheduler.lowerAgentLimit(), let configured = scheduler.agentLimit?.configured else { return }
        limitWaits.agentLimitLowered += 1
        limitWaits.lowestAgentLimit = min(limitWaits.lowestAgentLimit ?? limit, limit)
        reporter.report(.agentLimit(limit: limit, configured: configured), elapsed: elapsed)
    }

    /// ... and each quiet period without one raises it by one, up to the configured limit.
    private func raiseAgentLimitIfQuiet(now: Double) {
        guard let (effective, configured) = scheduler.agentLimit, effective < configured,
            now - lastAgentLimitChange >= options.agentLimitQuiet, let limit = scheduler.raiseAgentLimit()
        else { return }
        lastAgentLimitChange = now
        reporter.report(.agentLimit(limit: limit, configured: configured), elapsed: elapsed)
    }

    /// The usage limit: no prompt ticket starts before `resetsAt` (seconds since
    /// 1970; unknown: the configured wait from now).
    private func pauseAgents(until resetsAt: Double?) {
        let wallNow = Clock.wall()
        let ends = Clock.monotonic() + max(1, (resetsAt ?? wallNow + options.usageLimitWait) - wallNow)
        guard ends > agentPauseEnds + 1 else { return }
        if agentPauseEnds == 0 { limitWaits.usageLimited += 1 }
        agentPauseEnds = ends
        scheduler.holdPrompts(true)
        reporter.report(.agentsPaused(until: wallNow + (ends - Clock.monotonic()), reason: "usage limit reached"), elapsed: elapsed)
    }

    /// `--max-cost`: once the agents have cost that much, no prompt ticket starts.
    private func checkCostLimit() {
        guard let limit = options.maxCostUSD, !costLimitReached else { return }
        let spent = records.reduce(options.costSpentEarlierUSD) { $0 + ($1.stats?.costUSD ?? 0) }
        guard spent >= limit else { return }
        costLimitReached = true
        scheduler.holdPrompts(true, forGood: true)
        reporter.report(.notice("parrun: --max-cost \(AgentStats.dollars(limit)) reached (\(AgentStats.dollars(spent)) spent): no more prompt tickets start"), elapsed: elapsed)
    }

    private func reportSkipped(_ skipped: [Int]) {
        for dependent in skipped {
            if case .skipped(let dependency, let cause) = scheduler.states[dependent] {
                records[dependent].status = .skipped(dependency: dependency, cause: cause)
                journal?.skipped(dependent, attempt: records[dependent].attempts)
                reporter.report(.ticketSkipped(ticket: dependent, dependency: dependency, cause: cause), elapsed: elapsed)
            }
        }
    }

    /// Another parrun ran `ticket` and it failed: its dependents are skipped here too.
    private func failedElsewhere(_ ticket: Int, skipping skipped: [Int]) {
        records[ticket].status = .ranElsewhere(succeeded: false)
        reportSkipped(skipped)
        if scheduler.isStopped { abandonRetries() }
    }

    /// What other parruns on this run finished; read often while waiting on them.
    private func applyNews(now: Double) {
        guard let coordination else { return }
        let interval = scheduler.elsewhereCount > 0 ? Self.newsInterval : StatusTick.interval
        guard now - lastNews >= interval else { return }
        lastNews = now
        for news in coordination.news() {
            switch news {
            case .succeeded(let ticket):
                if scheduler.succeededElsewhere(ticket) { records[ticket].status = .ranElsewhere(succeeded: true) }
            case .failed(let ticket):
                guard scheduler.states[ticket] == .elsewhere else { continue }
                failedElsewhere(ticket, skipping: scheduler.failedElsewhere(ticket))
            case .awaitingReview(let ticket):
                guard scheduler.states[ticket] == .elsewhere else { continue }
                scheduler.awaitsReview(ticket)
                records[ticket].status = .awaitingReview
            }
        }
        for ticket in coordination.abandoned(now: now) where scheduler.states[ticket] == .elsewhere {
            reporter.report(.notice("info: \(plan.graph.tickets[ticket].id) was left unfinished by the other parrun; running it here"), elapsed: elapsed)
            scheduler.returnFromElsewhere(ticket)
        }
    }

    // MARK: - Signals, timeouts, retries

    private func handleSignals() {
        for signal in signals.pending() {
            switch signal {
            case SIGINT, SIGTERM, SIGHUP:
                if interruptedBy == nil {
                    interruptedBy = signal
                    stopAll(signal: signal, reason: "stopping running tickets (again to kill them at once)")
                } else {
                    // A second interrupt: no more grace.
                    for attempt in running.values { ProcessControl.signalGroup(attempt.pid, SIGKILL) }
                }
            default:
                continue
            }
        }
    }

    /// No new ticket starts; every running one gets SIGTERM, then SIGKILL after the grace period.
    private func stopAll(signal: Int32?, reason: String) {
        stopping = true
        scheduler.stop()
        if !running.isEmpty { reporter.report(.stopping(signal: signal, reason: reason), elapsed: elapsed) }
        let killAt = Clock.monotonic() + options.gracePeriod
        for (descriptor, var attempt) in running where attempt.killAt == nil {
            attempt.interrupted = true
            attempt.killAt = killAt
            ProcessControl.signalGroup(attempt.pid, SIGTERM)
            running[descriptor] = attempt
        }
        abandonRetries()
    }

    /// Once nothing new may start, a ticket waiting to be retried has failed for good.
    private func abandonRetries() {
        for (_, ticket) in retries {
            scheduler.requeue(ticket)
            // Stopped by a signal, it was cut short; after another failure, its own failure stands.
            records[ticket].status = interruptedBy == nil ? .failed : .interrupted
            coordination?.release(ticket, id: plan.graph.tickets[ticket].id)
            reporter.report(.retryCancelled(ticket: ticket), elapsed: elapsed)
        }
        retries.removeAll()
    }

    /// Handles deadlines and retries; true on a status tick, which is also when
    /// exits without an exit descriptor are looked for.
    @discardableResult
    private func handleTimers() -> Bool {
        let now = Clock.monotonic()
        for (descriptor, var attempt) in running {
            if let killAt = attempt.killAt {
                if now >= killAt {
                    ProcessControl.signalGroup(attempt.pid, SIGKILL)
                    attempt.killAt = .infinity
                    running[descriptor] = attempt
                }
            } else if let deadline = attempt.deadline, now >= deadline {
                attempt.timedOut = true
                attempt.killAt = now + options.gracePeriod
                ProcessControl.signalGroup(attempt.pid, SIGTERM)
                running[descriptor] = attempt
            }
        }
        applyNews(now: now)
        raiseAgentLimitIfQuiet(now: now)
        if agentPauseEnds > 0 && now >= agentPauseEnds {
            agentPauseEnds = 0
            scheduler.holdPrompts(costLimitReached, forGood: costLimitReached)
            reporter.report(.agentsPaused(until: nil, reason: "the usage limit has reset; prompt tickets start again"), elapsed: elapsed)
        }
        let due = retries.filter { $0.due <= now }
        retries.removeAll { $0.due <= now }
        for (_, ticket) in due { scheduler.requeue(ticket) }
        guard now - lastTick >= StatusTick.interval else { return false }
        lastTick = now
        if options.slurm { followSlurmJobs() }
        journal?.tick()
        reporter.tick(elapsed: now - startedAt)
        return true
    }

    /// Seconds until the next deadline, retry or status-line tick.
    private func nextWakeUp() -> Double {
        var next = lastTick + StatusTick.interval
        for attempt in running.values {
            if let killAt = attempt.killAt { next = min(next, killAt) } else if let deadline = attempt.deadline { next = min(next, deadline) }
        }
        for retry in retries { next = min(next, retry.due) }
        if agentPauseEnds > 0 { next = min(next, agentPauseEnds) }
        if scheduler.elsewhereCount > 0 { next = min(next, lastNews + Self.newsInterval) }
        return max(0, next - Clock.monotonic())
    }

    private func finalResult() -> RunResult {
        for ticket in records.indices {
            switch scheduler.states[ticket] {
            case .notStarted where records[ticket].status == .notInRun: records[ticket].status = .notStarted
            case .skipped(let dependency, let cause) where records[ticket].status == .notInRun: records[ticket].status = .skipped(dependency: dependency, cause: cause)
            case .elsewhere: records[ticket].status = .runningElsewhere
            default: break
            }
        }
        var result = RunResult(records: records, wallSeconds: elapsed, interruptedBy: interruptedBy, jobs: plan.jobs.value)
        result.limitWaits = limitWaits
        result.costLimitReached = costLimitReached
        return result
    }
}
