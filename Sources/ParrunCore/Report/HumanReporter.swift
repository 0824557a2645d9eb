import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Output for people: ticket output with `[ID] ` prefixes, and either a live
/// status line (on a terminal) or plain event lines (`start ID`, `ok ID 3.2s`,
/// `FAIL ID exit 2 (log: ...)`). parrun's own lines go to standard error, so
/// standard output holds only what the recipes print.
///
/// User data in parrun's lines (ids, details, paths, reasons) is escaped
/// (`TerminalSafe`). So are output lines wherever parrun adds a prefix or a
/// status line, so that a recipe's bytes (ESC sequences, a lone CR, BEL) cannot
/// rewrite them; without either, output passes through as the recipe wrote it.
public struct HumanReporter: RunReporter {
    public struct Style: Sendable {
        /// Redraw a status line in place instead of printing start/ok lines.
        public var statusLine: Bool
        public var color: Bool
        /// Terminal width for the status line.
        public var width: Int

        public init(statusLine: Bool, color: Bool, width: Int = 80) {
            self.statusLine = statusLine
            self.color = color
            self.width = width
        }
    }

    private let plan: Plan
    private let options: RunOptions
    private let style: Style
    private let sink: any OutputSink
    private let usePrefix: Bool
    /// Output lines show control characters escaped: parrun prefixes them or
    /// draws a status line under them.
    private let escapesOutput: Bool

    /// Running tickets in start order, for the status line.
    private var running: [Int] = []
    private var finished = 0
    private var total = 0
    private var statusShown = false
    private var lastElapsed = 0.0
    /// When the status line was last drawn; output lines redraw it at most this often.
    private var lastDrawn = -1.0
    static let redrawInterval = 0.1
    /// Hex digits of a commit shown, as git's shortest default abbreviation.
    static let shortCommit = 7
    /// `--output grouped`: each running ticket's lines until it ends.
    private var groups: [Int: [String]] = [:]

    public init(plan: Plan, options: RunOptions, style: Style, sink: any OutputSink) {
        self.plan = plan
        self.options = options
        self.style = style
        self.sink = sink
        switch options.prefix {
        case .auto: usePrefix = plan.concurrency > 1
        case .id, .worker: usePrefix = true
        case .none: usePrefix = false
        }
        escapesOutput = usePrefix || style.statusLine
    }

    /// While an agent's prompt tickets wait for its usage limit to reset: until when.
    private var pausedUntil: [AgentKind: Double] = [:]
    /// `--launcher slurm`: tickets whose jobs wait in Slurm's queue.
    private var queued = Set<Int>()
    /// Each agent pool's limit as last reported: (now, configured).
    private var agentLimits: [AgentKind: (Int, Int)] = [:]
    /// The latest rate limit an agent's CLI retries itself: its ticket, its
    /// agent, and when (run time) the CLI tries again; shown as a countdown until then.
    private var rateLimitRetry: (ticket: Int, agent: AgentKind, at: Double)?

    public mutating func report(_ event: RunEvent, elapsed: Double) {
        lastElapsed = elapsed
        switch event {
        case .runStarted(let start):
            total = start.toRun
        case .ticketStarted(let ticket, let attempt, _, _):
            running.append(ticket)
            if !style.statusLine {
                message("start \(id(ticket))" + (attempt > 1 ? " (attempt \(attempt))" : ""))
            }
        case .output(let ticket, _, let worker, let line):
            if options.output == .grouped {
                groups[ticket, default: []].append(line)
            } else {
                write(output: prefix(ticket, worker) + shown(line, of: ticket) + "\n")
            }
            // Heavy output would otherwise redraw the status line after every line.
            if elapsed - lastDrawn < Self.redrawInterval { return }
        case .ticketEnded(let ticket, let attempt, let worker, let outcome, let seconds, let retryIn, _):
            running.removeAll { $0 == ticket }
            queued.remove(ticket)
            if rateLimitRetry?.ticket == ticket { rateLimitRetry = nil }
            if let lines = groups.removeValue(forKey: ticket), !lines.isEmpty {
                let head = prefix(ticket, worker)
                write(output: lines.map { head + shown($0, of: ticket) + "\n" }.joined())
            }
            if retryIn == nil { finished += 1 }
            ended(ticket, attempt: attempt, outcome: outcome, seconds: seconds, retryIn: retryIn)
        case .ticketSkipped(let ticket, let dependency, _):
            finished += 1
            message(paint("skip", "33") + " \(id(ticket)) (dependency '\(id(dependency))' did not succeed)")
        case .ticketsUpToDate(let tickets):
            message(UpToDateAnnouncer.humanLine(tickets.map(id)))
        case .retryCancelled(let ticket):
            finished += 1
            message("no retry of \(id(ticket)): the run is stopping")
        case .ticketElsewhere(let ticket, let holder):
            message("info: \(id(ticket)) is running in another parrun\(holder > 0 ? " (pid \(holder))" : ""); waiting for it")
        case .notice(let text):
            message(text.terminalSafe)
        case .ticketSlurm(let ticket, let job, let state):
            if state == "queued" { queued.insert(ticket) } else { queued.remove(ticket) }
            if !style.statusLine { message("slurm \(id(ticket)) job \(job.terminalSafe) \(state.terminalSafe)") }
        case .ticketVerified(let ticket, _, let passed, let exitCode):
            if !passed || !style.statusLine {
                message((passed ? paint("verified", "32") : paint("VERIFY FAILED", "1;31")) + " \(id(ticket))" + (passed ? "" : exitCode.map { " (exit \($0))" } ?? ""))
            }
        case .rateLimitSeen(let signal, let limit, let configured):
            if let limit, let configured { agentLimits[signal.agent] = (limit, configured) }
            rateLimitRetry = (signal.ticket, signal.agent, elapsed + (signal.retryIn ?? 0))
        case .agentLimit(let limit, let configured, let agent):
            agentLimits[agent] = (limit, configured)
            message("parrun: " + (limit < configured
                ? agent.named("rate-limited") + ": at most \(limit) of \(configured) \(agent.tickets) run at once for now"
                : agent.named("no rate limits for a while") + ": up to \(configured) \(agent.tickets) run at once again"))
        case .agentsPaused(let until, let reason, let agent):
            pausedUntil[agent] = until
            message(until.map { "parrun: \(reason.terminalSafe): \(agent.tickets) wait until \(LocalTime.clock($0))" } ?? "parrun: \(reason.terminalSafe)")
        case .stopping(let signal, let reason):
            let what = signal.map { ProcessControl.signalName($0) + ": " } ?? ""
            message(paint("stopping", "1;33") + ": \(what)\(reason.terminalSafe)")
        case .landed(let ticket, let commit):
            // Shown even under the status line: where the work went is worth a line of its own.
            message("landed \(id(ticket)) as \(commit.prefix(Self.shortCommit))")
        case .conflicted(let ticket, let report):
            message(ConflictMessage.render(id: id(ticket), report, paint: paint))
        case .runFinished(let result):
            clearStatus()
            var summary = RunSummary(result: result, plan: plan, logPath: options.logPath)
            summary.resumeCommand = options.resumeCommand
            summary.resumeCommandWithoutMaxCost = options.resumeCommandWithoutMaxCost
            summary.maxCostUSD = options.maxCostUSD
            summary.costSpentEarlierUSD = options.costSpentEarlierUSD
            summary.policy = options.policy
            summary.estimate = options.estimate
            summary.limit = options.limit
            summary.pendingByLimit = options.pendingByLimit
            sink.writeMessage(summary.render())
            return
        }
        drawStatus()
    }

    public mutating func reportPlainLines(_ lines: UnsafeRawBufferPointer, ticket: Int, worker: Int, elapsed: Double) -> Bool {
        guard options.output != .grouped else { return false }
        // Lines holding a control character take the line-by-line path, which escapes them.
        if escapesOutput && !TerminalSafe.isSafeLines(lines) { return false }
        lastElapsed = elapsed
        clearStatus()
        sink.writeOutputLines(lines, prefix: Array(prefix(ticket, worker).utf8))
        if elapsed - lastDrawn >= Self.redrawInterval { drawStatus() }
        return true
    }

    public mutating func tick(elapsed: Double) {
        lastElapsed = elapsed
        drawStatus()
    }

    private mutating func ended(_ ticket: Int, attempt: Int, outcome: AttemptOutcome, seconds: Double, retryIn: Double?) {
        let time = DurationText.format(seconds: seconds)
        if case .outOfTurns = outcome, retryIn == 0 {
            message(paint("continue", "33") + " \(id(ticket)) in its session (attempt \(attempt) \(outcome.detail.terminalSafe))")
            return
        }
        if let retryIn {
            message(paint("retry", "33") + " \(id(ticket)) in \(DurationText.format(seconds: retryIn)) (attempt \(attempt) \(outcome.detail.terminalSafe))")
            return
        }
        // Made only for a line that shows them: not for each of thousands of successes.
        var log: String { options.logPath(plan.graph.tickets[ticket].id).terminalSafe }
        var detail: String { outcome.detail.terminalSafe }
        switch outcome {
        case .succeeded:
            if !style.statusLine { message(paint("ok", "32") + " \(id(ticket)) \(time)") }
        case .timedOut:
            message(paint("TIMEOUT", "1;31") + " \(id(ticket)) \(detail) (log: \(log))")
        case .interrupted:
            message(paint("STOPPED", "1;33") + " \(id(ticket)) after \(time)")
        case .awaitingReview:
            message(paint("REVIEW", "1;33") + " \(id(ticket)) awaits review: parrun approve \(id(ticket)), or parrun reject \(id(ticket)) --reason TEXT")
        case .conflict:
            message(paint("CONFLICT", "1;31") + " \(id(ticket)) \(detail); its branch and worktree are kept (log: \(log))")
        case .noChange:
            message(paint("NO CHANGE", "1;31") + " \(id(ticket)) \(detail) (log: \(log))")
        case .failed, .couldNotStart, .agentFailed, .rateLimited, .usageLimited, .landingFailed, .verifyFailed, .outOfTurns:
            message(paint("FAIL", "1;31") + " \(id(ticket)) \(detail) (log: \(log))")
        }
    }

    /// A ticket's id as shown: the readers refuse control characters in ids, and this does not rely on it.
    private func id(_ ticket: Int) -> String { plan.graph.tickets[ticket].id.terminalSafe }

    /// An output line as it goes to the terminal. A prompt ticket's lines are
    /// parrun's account of its agent's events, never the agent's bytes: always escaped.
    private func shown(_ line: String, of ticket: Int) -> String {
        if case .prompt = plan.graph.tickets[ticket].recipe { return TerminalSafe.escaped(line, tabs: .kept) }
        return escapesOutput ? TerminalSafe.escaped(line, tabs: .kept) : line
    }

    private func prefix(_ ticket: Int, _ worker: Int) -> String {
        guard usePrefix else { return "" }
        return options.prefix == .worker ? "[W\(worker)] " : "[\(id(ticket))] "
    }

    private mutating func write(output text: String) {
        clearStatus()
        sink.writeOutput(text)
    }

    private mutating func message(_ text: String) {
        clearStatus()
        sink.writeMessage(text + "\n")
    }

    private mutating func clearStatus() {
        guard statusShown else { return }
        sink.writeMessage("\r\u{1B}[K")
        statusShown = false
    }

    /// The agent the status line's limit part is about: the one whose CLI
    /// retries now, else one whose pool is lowered, else claude.
    private var limitedAgent: AgentKind {
        rateLimitRetry?.agent ?? agentLimits.filter { $0.value.0 < $0.value.1 }.keys.min() ?? .claude
    }

    private mutating func drawStatus() {
        guard style.statusLine else { return }
        let line = StatusLine.render(
            finished: finished, total: total, running: running.filter { !queued.contains($0) }.map(id), elapsed: lastElapsed, width: style.width,
            queued: running.filter { queued.contains($0) }.map(id),
            pausedUntil: pausedUntil.keys.min().flatMap { pausedUntil[$0] }.map(LocalTime.clock),
            agentLimit: agentLimits[limitedAgent],
            rateLimitRetryIn: rateLimitRetry.map { $0.at - lastElapsed }.flatMap { $0 > 0 ? $0 : nil },
            agent: limitedAgent.rawValue, pausedAgent: pausedUntil.keys.min()?.rawValue)
        sink.writeMessage("\r\u{1B}[K" + line)
        statusShown = true
        lastDrawn = lastElapsed
    }

    private func paint(_ text: String, _ code: String) -> String {
        style.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
