import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// A process ended: its outcome, its verify gate, landing its work, and the
/// controller told.
extension Runner {

    /// A ticket is finished when its top process exits, not when its pipe closes
    /// (a background grandchild may hold the pipe open forever).
    /// `known`: the exit descriptors said so already, no need to ask the kernel again.
    func collectExitedProcesses(among candidates: [Int32], known: Bool = false) {
        for descriptor in candidates {
            guard var attempt = running[descriptor], known || ProcessControl.hasExited(attempt.pid) else { continue }
            // What the recipe left behind dies with it, unless the ticket keeps `daemons` (README, "Running").
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
            let stopped = controller.stopReason(attempt.ticket)
            let job = SlurmJobTracker.Attempt(ticket: attempt.ticket, attempt: attempt.attempt, id: plan.graph.tickets[attempt.ticket].id)
            for change in launcher.ended(job, gate: attempt.verifying != nil, cleanExit: stopped == nil && status == .exited(0)) { apply(change) }
            if let phase = attempt.verifying {
                endVerify(attempt, phase: phase, status: status, seconds: seconds, stopped: stopped)
                continue
            }
            var outcome: AttemptOutcome = stopped ?? (status == .exited(0) ? .succeeded : .failed(status))
            var stats: AgentStats?
            if let agent = attempt.agent {
                stats = agent.stream.result?.stats
                if stopped == nil {
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
            if outcome.isSuccess, let script = plan.graph.tickets[attempt.ticket].verifyScript {
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
        let (pid, exitDescriptor) = try spawnWatched(request, pipe: pipe)
        let log = LogFile(id: definition.id, directory: options.logDirectory, attempt: recipe.attempt, heading: "--- parrun: verify ---")
        running[pipe.readEnd] = RunningAttempt(
            ticket: recipe.ticket, attempt: recipe.attempt, worker: recipe.worker, pid: pid, outputDescriptor: pipe.readEnd,
            exitDescriptor: exitDescriptor, log: log, startedAt: Clock.monotonic(),
            directory: recipe.directory, verifying: phase)
        // The gate's own clock: the ticket's timeout counts again from here.
        send(.launched(ticket: recipe.ticket))
    }

    /// The verify gate ended: the ticket succeeds, fails, or (a prompt ticket)
    /// goes back to its agent session with the verifier's output.
    func endVerify(_ attempt: RunningAttempt, phase: VerifyPhase, status: ExitStatus, seconds: Double, stopped: AttemptOutcome?) {
        let ticket = attempt.ticket
        let passed = stopped == nil && status == .exited(0)
        var exitCode: Int?
        if case .exited(let code) = status { exitCode = Int(code) }
        // A gate stopped by Ctrl-C gave no verdict: the ticket was interrupted, not found wanting.
        if stopped != .interrupted {
            journal?.verified(ticket, attempt: attempt.attempt, passed: passed, exitCode: exitCode)
            send(.verified(ticket: ticket, passed: passed))
            reporter.report(.ticketVerified(ticket: ticket, attempt: attempt.attempt, passed: passed, exitCode: exitCode), elapsed: elapsed)
        }
        let total = phase.recipeSeconds + seconds
        let outcome: AttemptOutcome
        if passed {
            outcome = .succeeded
        } else if let stopped {
            outcome = stopped
        } else {
            let exit = AttemptOutcome.failed(status).detail
            outcome = .verifyFailed(exit)
            let definition = plan.graph.tickets[ticket]
            if case .prompt = definition.recipe, let session = phase.session, !options.freshSessions,
                controller.retryPolicy.mayFeedBack(ticket, verifyRetries: Verify.retries(of: definition)) {
                let output = String(decoding: attempt.verifyOutput, as: UTF8.self)
                var plan = AgentSessionPlan(id: session, resume: true, reason: "checked by its verifier")
                plan.followUp = Verify.feedback(script: phase.script, exit: exit, output: output)
                sessionsToContinue[ticket] = plan
            }
        }
        finish(ticket, attempt: attempt.attempt, worker: attempt.worker, outcome: outcome, seconds: total, stats: phase.stats)
    }

    /// The attempt's outcome is known (after its verify gate): a success lands
    /// first (`--worktree`) or waits for review; the controller decides the rest.
    func finish(_ ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, stats: AgentStats? = nil) {
        let definition = plan.graph.tickets[ticket]
        var ending = RunController.Ending(ticket: ticket, attempt: attempt, worker: worker, outcome: outcome, seconds: seconds, stats: stats)
        if outcome.isSuccess, definition.review, !approved.contains(ticket) {
            guard let gitWork else {
                send(.awaitingReview(ending))
                return
            }
            // With --worktree the work is committed on its branch and lands only once approved.
            gitWork.run({ _ = $0.commitWork(definition) }, then: { [self] in send(.awaitingReview(ending)) })
            return
        }
        ending.lands = gitWork != nil && definition.recipe != .none && !alreadyLanded.contains(ticket)
        ending.feedbackReady = sessionsToContinue[ticket]?.followUp != nil
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
            send(.landingFinished(ticket: ticket, failure: landing.failure))
        })
    }
}
