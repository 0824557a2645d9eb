import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// Starting an attempt: claims and reviews, a worktree of its own, the
/// recipe's command through the launcher, and the process.
extension Runner {
    func start(_ ticket: Int, worker: Int) {
        let definition = plan.graph.tickets[ticket]
        if let coordination {
            switch coordination.claim(ticket, id: definition.id) {
            case .elsewhere(let holder):
                send(.foundElsewhere(ticket: ticket, nil))
                reporter.report(.ticketElsewhere(ticket: ticket, holder: holder?.pid ?? 0), elapsed: elapsed)
                return
            case .alreadyFinished(.succeeded):
                send(.foundElsewhere(ticket: ticket, .succeeded))
                reporter.report(.notice("info: \(definition.id) already succeeded in another parrun"), elapsed: elapsed)
                return
            case .alreadyFinished(.awaitingReview):
                send(.foundElsewhere(ticket: ticket, .awaitingReview))
                reporter.report(.notice("info: \(definition.id) already ran in another parrun and awaits review"), elapsed: elapsed)
                return
            case .alreadyFinished(.failed):
                reporter.report(.notice("info: \(definition.id) already ran in another parrun and did not succeed"), elapsed: elapsed)
                send(.foundElsewhere(ticket: ticket, .failed))
                return
            case .run(let takenOver):
                if let takenOver {
                    reporter.report(.notice("parrun: taking over \(definition.id) from parrun pid \(takenOver.pid), which is gone"), elapsed: elapsed)
                }
            }
        }
        var approvedRun: String?
        switch reviews.removeValue(forKey: ticket) {
        case .pending?:
            send(.stillAwaitingReview(ticket: ticket))
            reporter.report(.notice("parrun: \(definition.id) still awaits review: parrun approve \(definition.id), or parrun reject \(definition.id) --reason TEXT"), elapsed: elapsed)
            return
        case .approved(let run)?:
            send(.approved(ticket: ticket))
            reporter.report(.notice("parrun: \(definition.id) was approved" + (isolation == nil ? "" : "; landing its work")), elapsed: elapsed)
            guard isolation != nil else {
                let attempt = controller.beginAttempt(ticket)
                startedWithoutProcess(ticket, attempt: attempt, worker: worker)
                finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
                return
            }
            approvedRun = run
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
        let attempt = controller.beginAttempt(ticket)
        // A ticket whose start, or whose dependencies' ends, cannot be made durable does not start:
        // a --resume would not know it ran, or would trust a success it never recorded.
        if let journal, !journal.willStart(ticket) {
            send(.stateLost(journal.failure?.description ?? "the journal \(JournalWriter.fileName) could not be written"))
            send(.notStarted(ticket: ticket, attemptBegun: true))
            return
        }
        var session: AgentSessionPlan?
        if case .prompt = definition.recipe {
            if let earlier = sessionsToContinue.removeValue(forKey: ticket) {
                session = earlier
            } else {
                session = AgentSessionPlan(id: SessionID.make(using: &random), resume: false)
            }
        }
        guard let gitWork else {
            launchRecipe(ticket, attempt: attempt, worker: worker, session: session, in: nil)
            return
        }
        // git runs beside the loop; the ticket starts in a later turn, once it is done.
        var request = WorktreeIsolation.SetUpRequest(
            id: definition.id, approvedRun: approvedRun, interruptedRuns: interruptedRuns.removeValue(forKey: ticket),
            conflictRun: conflictsToLand.removeValue(forKey: ticket), needsWorktree: definition.recipe != .none,
            continuesSession: session?.resume == true)
        request.rerunAfterConflict = conflictedPaths.removeValue(forKey: ticket)
        request.mayRerunConflict = RetryPolicy.mayRerun(afterConflicts: conflictCounts[ticket, default: 0], retries: definition.retries ?? options.defaultRetries)
        gitWork.run(setUpOr: WorktreeIsolation.SetUp(outcome: .skipped), { [request] in $0.setUp(request) }, then: { [self] setUp in
            setUpFinished(ticket, attempt: attempt, worker: worker, session: session, setUp)
        })
    }

    /// git has done its part of the ticket's start (`--worktree`).
    func setUpFinished(_ ticket: Int, attempt: Int, worker: Int, session: AgentSessionPlan?, _ setUp: WorktreeIsolation.SetUp) {
        let id = plan.graph.tickets[ticket].id
        if setUp.approvedWorkGone {
            reporter.report(.notice("parrun: warning: the approved work of \(id) is gone (no worktree or branch); running it again"), elapsed: elapsed)
        }
        switch setUp.outcome {
        case .skipped:
            send(.notStarted(ticket: ticket, attemptBegun: true))
        case .adopted(.unfinished(let operation, let paths), _):
            keepUnfinished(ticket, attempt: attempt, worker: worker, operation: operation, paths: paths)
        case .adopted(.stillConflicts(let paths, _, let branch), _):
            leaveToUser(ticket, attempt: attempt, worker: worker, paths: paths, branch: branch)
        case .rerunAfterConflict(let directory, let paths, let previous):
            if stoppedDuringSetUp(ticket) {
                gitWork?.run({ $0.remove(id) }, then: { _ in })
                return
            }
            reporter.report(.notice("parrun: \(id) runs again from the new head of \(isolation?.integration ?? "the branch"), its work having conflicted in \(ConflictRerun.list(paths))"), elapsed: elapsed)
            launchRecipe(ticket, attempt: attempt, worker: worker, session: conflictSession(ticket, paths: paths, previous: previous, fallback: session), in: directory)
        case .adopted(.failed(let reason), _):
            couldNotStart(ticket, attempt: attempt, worker: worker, reason)
        case .adopted(_, let approvedWork):
            if !approvedWork {
                reporter.report(.notice("parrun: landing \(id) from the branch it kept after its conflict (--rerun-conflicts runs it again instead)"), elapsed: elapsed)
            }
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
        case .landedBefore:
            reporter.report(.notice("parrun: \(id) had landed before its parrun stopped; it does not run again"), elapsed: elapsed)
            alreadyLanded.insert(ticket)
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
        case .failed(let message):
            // Stopped by Ctrl-C, git failed for that reason, not the ticket's.
            if !stoppedDuringSetUp(ticket) { couldNotStart(ticket, attempt: attempt, worker: worker, message) }
        case .ready(let directory):
            // A signal during the worktree's set-up: the recipe does not start.
            if directory != nil, stoppedDuringSetUp(ticket) {
                gitWork?.run({ $0.remove(id) }, then: { _ in })
                return
            }
            launchRecipe(ticket, attempt: attempt, worker: worker, session: session, in: directory)
        }
    }

    /// Starts the ticket's recipe (none: it succeeds at once).
    func launchRecipe(_ ticket: Int, attempt: Int, worker: Int, session: AgentSessionPlan?, in workingDirectory: String?) {
        let definition = plan.graph.tickets[ticket]
        let promptPath = options.stateDirectory + "/prompts/" + LogFileName.name(definition.id, suffix: LogFileName.promptSuffix)
        guard let command = RecipeCommand.make(for: definition, options: options, promptPath: promptPath, session: session, isolated: isolation != nil) else {
            startedWithoutProcess(ticket, attempt: attempt, worker: worker)
            finish(ticket, attempt: attempt, worker: worker, outcome: .succeeded, seconds: 0)
            return
        }
        do {
            try launch(ticket, attempt: attempt, worker: worker, command: command, session: session, in: workingDirectory)
        } catch {
            guard command.isDirect, !launcher.wrapsCommand, let status = RecipeCommand.shellStatus(for: error) else {
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

    /// True when a signal came while the ticket was being set up: it does not
    /// start, counts as not started, and its claim is given back.
    func stoppedDuringSetUp(_ ticket: Int) -> Bool {
        handleSignals()
        guard controller.stopping else { return false }
        send(.notStarted(ticket: ticket, attemptBegun: true))
        return true
    }

    /// An attempt that ends without a process of its own (it could not start, or
    /// its outcome was known already) is journalled and reported as started first.
    func startedWithoutProcess(_ ticket: Int, attempt: Int, worker: Int) {
        journal?.started(ticket, attempt: attempt, worker: worker, pid: 0)
        sideEffects?.started(ticket)
        reporter.report(.ticketStarted(ticket: ticket, attempt: attempt, worker: worker, pid: 0), elapsed: elapsed)
    }

    /// `--worktree`: the user left a rebase or merge under way in the ticket's
    /// kept worktree. Nothing lands; the ticket stays a conflict for the next `--resume`.
    func keepUnfinished(_ ticket: Int, attempt: Int, worker: Int, operation: String, paths: [String]) {
        let id = plan.graph.tickets[ticket].id
        reporter.report(.notice("parrun: \(id)'s worktree has \(operation) (\(isolation?.path(for: id) ?? id)): resolve it (finish or abort), then parrun --resume lands it"), elapsed: elapsed)
        startedWithoutProcess(ticket, attempt: attempt, worker: worker)
        finish(ticket, attempt: attempt, worker: worker, outcome: .conflict(paths), seconds: 0)
    }

    /// `--resume`: the ticket's kept work still conflicts and its conflict
    /// reruns are spent. Nothing runs or lands; it stays a conflict, and the
    /// summary offers no `--resume`, which could do nothing more.
    func leaveToUser(_ ticket: Int, attempt: Int, worker: Int, paths: [String], branch: String) {
        let id = plan.graph.tickets[ticket].id
        reporter.report(.notice("parrun: nothing to do for \(id): its kept work (\(branch)) still conflicts with \(isolation?.integration ?? "the branch") in \(ConflictRerun.list(paths)), and it had every rerun after a conflict it may have"), elapsed: elapsed)
        startedWithoutProcess(ticket, attempt: attempt, worker: worker)
        reportConflict(ticket, paths: paths, branch: branch)
        finish(ticket, attempt: attempt, worker: worker, outcome: .conflict(paths), seconds: 0)
    }

    /// The session a prompt ticket's rerun after a conflict continues, told
    /// what conflicted; a shell ticket (or one without a session) keeps `fallback`.
    func conflictSession(_ ticket: Int, paths: [String], previous: String?, fallback: AgentSessionPlan?) -> AgentSessionPlan? {
        guard case .prompt = plan.graph.tickets[ticket].recipe, !options.freshSessions, let id = agentSessions[ticket] else { return fallback }
        var plan = AgentSessionPlan(id: id, resume: true, reason: "conflicted")
        plan.followUp = ConflictRerun.followUp(paths: paths, integration: isolation?.integration ?? "the integration branch", previous: previous)
        return plan
    }

    /// The ticket failed before a process ran: its log says why (not what an
    /// earlier attempt printed).
    func couldNotStart(_ ticket: Int, attempt: Int, worker: Int, _ reason: String) {
        startedWithoutProcess(ticket, attempt: attempt, worker: worker)
        writeLog(of: ticket, attempt: attempt, "parrun: could not start: " + reason)
        finish(ticket, attempt: attempt, worker: worker, outcome: .couldNotStart(reason), seconds: 0)
    }

    /// The attempt's whole log: one line of parrun's own.
    func writeLog(of ticket: Int, attempt: Int, _ line: String) {
        let log = LogFile(id: plan.graph.tickets[ticket].id, directory: options.logDirectory, attempt: attempt)
        (line + "\n").utf8.withContiguousStorageIfAvailable { log.write(UnsafeRawBufferPointer($0)) }
        close(log, of: ticket)
    }

    /// `worktree`: the manifest's directory inside the ticket's worktree, with `--worktree`.
    func launch(_ ticket: Int, attempt: Int, worker: Int, command: RecipeCommand, session: AgentSessionPlan?, in worktree: String? = nil) throws(SystemError) {
        let definition = plan.graph.tickets[ticket]
        if case .prompt(let prompt) = definition.recipe {
            try FileSystem.writeAtomically(command.inputPath, session?.resume == true ? session!.continuationPrompt : prompt)
        }
        var arguments = command.arguments
        let directory = RecipeCommand.directory(for: definition, manifestDirectory: worktree ?? options.manifestDirectory)
        let pipe = try OutputPipe.make()
        if worktree != nil, let setup = options.worktreeSetup {
            // Setup first, in the same process group and output; the recipe only if it succeeds.
            arguments = ["/bin/sh", "-c", #"/bin/sh -ec "$0" </dev/null || exit $?; exec "$@""#, setup] + arguments
        }
        arguments = launcher.command(arguments, ticket: definition, directory: directory, gate: false)
        var request = SpawnRequest(
            arguments: arguments,
            environment: baseEnvironment,
            extraEnvironment: RecipeCommand.environment(ticket: definition, worker: worker, attempt: attempt, runID: runID, supervisor: supervisor),
            directory: directory, inputPath: command.inputPath, outputDescriptor: pipe.writeEnd)
        request.executable = RecipeCommand.executable(of: arguments, command: command, ticket: definition, directory: directory, lookup: executables)
        // Beside parrun's own variables (never inherited: `reservedNames`), only the ticket's `env` can replace an inherited one.
        request.extrasMayOverride = !definition.environment.isEmpty
        if options.verbose {
            sink.writeMessage(VerboseNarration.prefix + VerboseNarration(plan: plan).spawned(ticket, attempt: attempt, arguments: arguments, directory: directory) + "\n")
        }
        let (pid, exitDescriptor) = try spawnWatched(request, pipe: pipe)
        let agent = Agents.cli(definition.agentKind)
        // A new session of a CLI that names its own is recorded once it says (`sessionBegan`).
        let knownSession = session.flatMap { $0.resume || agent.namesNewSessions ? $0.id : nil }
        journal?.started(ticket, attempt: attempt, worker: worker, pid: pid, session: knownSession)
        sideEffects?.started(ticket)
        if let knownSession { agentSessions[ticket] = knownSession }
        let now = Clock.monotonic()
        running[pipe.readEnd] = RunningAttempt(
            ticket: ticket, attempt: attempt, worker: worker, pid: pid, outputDescriptor: pipe.readEnd,
            exitDescriptor: exitDescriptor,
            log: LogFile(id: definition.id, directory: options.logDirectory, attempt: attempt, mayExist: existingLogs.contains(LogFileName.name(definition.id))),
            startedAt: now,
            agent: session.map {
                AgentAttempt(stream: agent.makeStream(for: definition, base: Agents.baseCommand(agent.kind, options: options), sessionBefore: sessionStats[$0.id] ?? AgentStats()), plan: $0,
                             events: LogFile(id: definition.id, directory: options.logDirectory, attempt: attempt, suffix: LogFileName.eventsSuffix))
            },
            directory: request.directory)
        reporter.report(.ticketStarted(ticket: ticket, attempt: attempt, worker: worker, pid: pid), elapsed: now - startedAt)
        send(.launched(ticket: ticket))
    }

    /// Starts the process, keeps only the pipe's read end, and watches for its
    /// exit on a pidfd where the kernel has them.
    func spawnWatched(_ request: SpawnRequest, pipe: OutputPipe) throws(SystemError) -> (pid: Int32, exitDescriptor: Int32?) {
        let pid: Int32
        let exitDescriptor: Int32?
        do {
            if options.useExitDescriptors {
                (pid, exitDescriptor) = try ProcessSpawner.spawnWatched(request)
            } else {
                (pid, exitDescriptor) = (try ProcessSpawner.spawn(request), nil)
            }
        } catch {
            Descriptor.close(pipe.readEnd)
            Descriptor.close(pipe.writeEnd)
            // Said as what it is, not as a missing program: the child could not change to it.
            // (Looked at only after a failure: a stat before every spawn showed at thousands of tickets.)
            if let directory = request.directory, !FileSystem.isDirectory(directory) { throw SystemError.unusableDirectory(directory) }
            throw error
        }
        Descriptor.close(pipe.writeEnd)
        if let exitDescriptor { byExitDescriptor[exitDescriptor] = pipe.readEnd }
        return (pid, exitDescriptor)
    }
}
