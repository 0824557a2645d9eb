import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// A process ended: its outcome told to the controller, which decides on its
/// verify gate, review and landing; the gate and the landing it asks for.
extension Runner {

    /// The running attempts the kernel gave no exit descriptor for (looked at
    /// by other cues), that match; empty, and no allocation, on most kernels.
    func withoutExitDescriptor(_ matches: (RunningAttempt) -> Bool) -> [Int32] {
        var found: [Int32] = []
        for (descriptor, attempt) in running where attempt.exitDescriptor == nil && matches(attempt) { found.append(descriptor) }
        return found
    }

    /// True when the output of the attempt on `descriptor` just ended and its
    /// process exits within `exitGrace`: it is collected in this turn of the
    /// loop, not after another wait (its exit descriptor becomes readable a
    /// little after its output ends).
    func endedExiting(_ descriptor: Int32, ready: [Int32]) -> Bool {
        guard let attempt = running[descriptor], attempt.outputClosed, let exit = attempt.exitDescriptor, !ready.contains(exit) else { return false }
        return ProcessControl.exitsSoon(attempt.pid, within: Self.exitGrace)
    }

    /// A ticket is finished when its top process exits, not when its pipe closes
    /// (a background grandchild may hold the pipe open forever).
    /// `known`: the exit descriptors said so already, no need to ask the kernel again.
    func collectExitedProcesses(among candidates: [Int32], known: Bool = false) {
        for descriptor in candidates {
            guard var attempt = running[descriptor], known || ProcessControl.hasExited(attempt.pid) else { continue }
            // What the recipe left behind dies with it, unless the ticket keeps `daemons` (docs/running.md, "How a ticket runs").
            if attempt.verifying != nil || !plan.graph.tickets[attempt.ticket].daemons { ProcessControl.signalGroup(attempt.pid, Signal.kill) }
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
            close(attempt.log, of: attempt.ticket)
            if let events = attempt.agent?.events { close(events, of: attempt.ticket) }
            running[descriptor] = nil
            let status = ProcessControl.reap(attempt.pid)
            let seconds = Clock.monotonic() - attempt.startedAt
            // Stopped by parrun (its timeout, Ctrl-C, --fail-fast), it did not end by itself.
            let stopped = controller.clocks[attempt.ticket]?.stopReason
            let job = SlurmJobTracker.Attempt(ticket: attempt.ticket, attempt: attempt.attempt, id: plan.graph.tickets[attempt.ticket].id)
            for change in launcher.ended(job, gate: attempt.verifying != nil, cleanExit: stopped == nil && status == .exited(0)) { send(.jobChanged(change)) }
            if let phase = attempt.verifying {
                endVerify(attempt, phase: phase, status: status, seconds: seconds)
                continue
            }
            var outcome: AttemptOutcome = stopped ?? (status == .exited(0) ? .succeeded : .failed(status))
            var stats: AgentStats?
            var continuation = false
            if let agent = attempt.agent {
                let session = agent.stream.session ?? agent.plan.id
                let before = sessionStats[session] ?? AgentStats()
                stats = agent.stream.attemptStats(sessionBefore: before, prices: options.prices)
                if let stats { sessionStats[session] = before + stats }
                if stopped == nil { outcome = agent.stream.verdict(exit: status).outcome }
                // Ready to continue in its session, should the controller grant it (`continuations`).
                if case .outOfTurns = outcome, stopped == nil, let session = agent.stream.session, !options.freshSessions {
                    var plan = AgentSessionPlan(id: session, resume: true, reason: "out of turns")
                    plan.followUp = Continuations.prompt
                    gateFeedback[attempt.ticket] = plan
                    continuation = true
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
            if outcome.isSuccess, let script = plan.graph.tickets[attempt.ticket].verifyScript {
                // Ready for the gate, should the controller ask for it (`verify`).
                pendingGates[attempt.ticket] = (attempt, VerifyPhase(script: script, stats: stats, recipeSeconds: seconds, session: attempt.agent?.stream.session))
            }
            finish(attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, outcome: outcome, seconds: seconds, stats: stats, fromRecipe: true,
                   continuation: continuation)
        }
    }

    /// The controller asks for the ticket's verify gate.
    func verify(_ ticket: Int) {
        guard let (recipe, phase) = pendingGates.removeValue(forKey: ticket) else {
            send(.verifyEnded(ticket: ticket, .couldNotStart("its recipe's attempt is gone")))
            return
        }
        do throws(SystemError) {
            try startVerify(after: recipe, phase: phase)
        } catch {
            send(.verifyEnded(ticket: ticket, .couldNotStart(error.description)))
        }
    }

    /// A log that could not be written is said once per ticket, not per attempt or write.
    func close(_ log: LogFile, of ticket: Int) {
        guard let warning = log.close(), logWarnings.insert(ticket).inserted else { return }
        reporter.report(.notice("parrun: warning: " + warning), elapsed: elapsed)
    }

    /// The recipe succeeded: its verify gate runs now, in the same directory,
    /// slot and log, under the ticket's timeout.
    func startVerify(after recipe: RunningAttempt, phase: VerifyPhase) throws(SystemError) {
        let definition = plan.graph.tickets[recipe.ticket]
        let pipe = try OutputPipe.make()
        // Through the launcher too: the gate checks the work where the recipe did it.
        let request = SpawnRequest(
            arguments: launcher.command(options.shell + [phase.script], ticket: definition, directory: recipe.directory, gate: true), environment: baseEnvironment,
            extraEnvironment: RecipeCommand.environment(ticket: definition, worker: recipe.worker, attempt: recipe.attempt, runID: runID, supervisor: supervisor),
            directory: recipe.directory, outputDescriptor: pipe.writeEnd)
        if options.verbose {
            let line = VerboseNarration(plan: plan).spawned(recipe.ticket, attempt: recipe.attempt, arguments: request.arguments, directory: recipe.directory, what: "verify gate")
            sink.writeMessage(VerboseNarration.prefix + line + "\n")
        }
        let (pid, exitDescriptor) = try spawnWatched(request, pipe: pipe)
        let log = LogFile(id: definition.id, directory: options.logDirectory, attempt: recipe.attempt, heading: "--- parrun: verify ---")
        running[pipe.readEnd] = RunningAttempt(
            ticket: recipe.ticket, attempt: recipe.attempt, worker: recipe.worker, pid: pid, outputDescriptor: pipe.readEnd,
            exitDescriptor: exitDescriptor, log: log, startedAt: Clock.monotonic(),
            directory: recipe.directory, verifying: phase)
        // The gate's own clock: the ticket's timeout counts again from here.
        send(.launched(ticket: recipe.ticket))
    }

    /// The verify gate ended; the controller judges it. For a prompt ticket
    /// the verifier's output is made ready to go back to its agent session,
    /// should the controller decide so (`feedBack`).
    func endVerify(_ attempt: RunningAttempt, phase: VerifyPhase, status: ExitStatus, seconds: Double) {
        let ticket = attempt.ticket
        var canFeedBack = false
        if status != .exited(0), case .prompt = plan.graph.tickets[ticket].recipe, let session = phase.session, !options.freshSessions {
            let output = String(decoding: attempt.verifyOutput, as: UTF8.self)
            var plan = AgentSessionPlan(id: session, resume: true, reason: "checked by its verifier")
            plan.followUp = Verify.feedback(script: phase.script, exit: AttemptOutcome.failed(status).detail, output: output)
            gateFeedback[ticket] = plan
            canFeedBack = true
        }
        send(.verifyEnded(ticket: ticket, .exited(status, seconds: seconds, canFeedBack: canFeedBack)))
    }

    /// The controller keeps the ticket's work for review: with `--worktree`
    /// it is committed on its branch and lands only once approved.
    func holdForReview(_ ticket: Int) {
        guard let gitWork else {
            send(.heldForReview(ticket: ticket))
            return
        }
        let definition = plan.graph.tickets[ticket]
        gitWork.run({ $0.keepForReview(definition) }, then: { [self] failure in send(.heldForReview(ticket: ticket, failure: failure)) })
    }

    /// The attempt's outcome is known; the controller decides the rest.
    /// `fromRecipe`: the recipe's process ran (so its verify gate may run).
    /// `continuation`: its agent session can go on with the continuation prompt.
    func finish(_ ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, stats: AgentStats? = nil, fromRecipe: Bool = false,
                continuation: Bool = false) {
        let definition = plan.graph.tickets[ticket]
        var ending = RunController.Ending(ticket: ticket, attempt: attempt, worker: worker, outcome: outcome, seconds: seconds, stats: stats, feedbackReady: continuation)
        ending.lands = gitWork != nil && definition.recipe != .none && !alreadyLanded.contains(ticket)
        ending.fromRecipe = fromRecipe
        send(.ended(ending))
    }

    /// `--worktree`: the controller's landing queue has reached the ticket.
    /// git lands its work beside the loop; the controller hears how it went.
    func land(_ ticket: Int) {
        let definition = plan.graph.tickets[ticket]
        guard let gitWork else {
            send(.landingFinished(ticket: ticket, failure: nil))
            return
        }
        let keep = options.keepWorktrees
        gitWork.run({ $0.landAndTidy(definition, keepWorktree: keep) }, then: { [self] landing in
            if !landing.outside.isEmpty {
                let outside = landing.outside
                reporter.report(.notice("parrun: warning: \(definition.id) changed paths outside its touches: " + outside.prefix(5).joined(separator: ", ") + (outside.count > 5 ? " (+\(outside.count - 5) more)" : "")), elapsed: elapsed)
            }
            // Before the end record: a later recovery names the commits this landing moved between.
            if let landed = landing.landed { journal?.landed(ticket, branch: landed.branch, base: landed.base, commit: landed.commit) }
            if let commit = landing.commit { reporter.report(.landed(ticket: ticket, commit: commit), elapsed: elapsed) }
            if case .conflict(let files) = landing.failure {
                // Its next attempt, if the controller grants one, redoes the work from the new head.
                conflictedPaths[ticket] = files
                reportConflict(ticket, paths: files, branch: landing.keptBranch)
            }
            send(.landingFinished(ticket: ticket, failure: landing.failure ?? Self.noChange(definition, landed: landing.commit)))
        })
    }

    /// An agent that succeeded but left its worktree as it found it did not do
    /// its task, unless the ticket expects no change (`allowNoChange`).
    static func noChange(_ ticket: Ticket, landed commit: String?) -> AttemptOutcome? {
        commit == nil && ticket.mustChangeSomething ? .noChange : nil
    }
}
