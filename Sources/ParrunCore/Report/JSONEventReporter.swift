import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `--json`: one JSON object per line on standard output, for scripts. The
/// schema (`event` names and keys) is documented in docs/scripting.md under "JSON
/// events"; keys are only ever added.
public struct JSONEventReporter: RunReporter {
    static let schemaVersion = 1

    private let plan: Plan
    private let options: RunOptions
    private let sink: any OutputSink

    public init(plan: Plan, options: RunOptions, sink: any OutputSink) {
        self.plan = plan
        self.options = options
        self.sink = sink
    }

    public mutating func report(_ event: RunEvent, elapsed: Double) {
        var fields: [(String, String)]
        switch event {
        case .runStarted(let start):
            fields = [
                ("event", q("run-start")), ("version", "\(Self.schemaVersion)"), ("runId", q(start.runID)),
                ("manifest", q(start.manifestName)), ("jobs", "\(start.jobs)"), ("tickets", "\(start.tickets)"),
                ("toRun", "\(start.toRun)"), ("startedAt", JSONText.number(start.startedAt)),
            ]
        case .ticketStarted(let ticket, let attempt, let worker, let pid):
            fields = [("event", q("ticket-start")), ("id", id(ticket)), ("attempt", "\(attempt)"), ("worker", "\(worker)"), ("pid", "\(pid)")]
        case .output(let ticket, let attempt, _, let line):
            fields = [("event", q("ticket-output")), ("id", id(ticket)), ("attempt", "\(attempt)"), ("line", q(line))]
        case .ticketEnded(let ticket, let attempt, _, let outcome, let seconds, let retryIn, let stats):
            var exitCode = "null"
            var signal = "null"
            if case .failed(.exited(let code)) = outcome { exitCode = "\(code)" }
            if case .failed(.signaled(let number)) = outcome { signal = q(ProcessControl.signalName(number)) }
            if outcome == .succeeded { exitCode = "0" }
            fields = [
                ("event", q("ticket-end")), ("id", id(ticket)), ("attempt", "\(attempt)"), ("status", q(outcome.statusWord)),
                ("exitCode", exitCode), ("signal", signal), ("detail", q(outcome.detail)),
                ("seconds", JSONText.number(Self.rounded(seconds))), ("retryIn", retryIn.map { JSONText.number(Self.rounded($0)) } ?? "null"),
                ("log", q(options.logPath(plan.graph.tickets[ticket].id))),
            ]
            if let stats { fields.append(("stats", stats.json)) }
        case .ticketSlurm(let ticket, let job, let state):
            fields = [("event", q("ticket-slurm")), ("id", id(ticket)), ("job", q(job)), ("state", q(state))]
        case .ticketVerified(let ticket, let attempt, let passed, let exitCode):
            fields = [("event", q("ticket-verify")), ("id", id(ticket)), ("attempt", "\(attempt)"), ("passed", passed ? "true" : "false"), ("exitCode", exitCode.map(String.init) ?? "null")]
        case .agentLimit(let limit, let configured, let agent):
            fields = [("event", q("agent-limit")), ("limit", "\(limit)"), ("configured", "\(configured)"), ("agent", q(agent.rawValue))]
        case .rateLimitSeen(let signal, let limit, let configured):
            fields = [
                ("event", q("rate-limit")), ("id", id(signal.ticket)), ("attempt", "\(signal.attempt)"),
                ("retry", number(signal.retry)), ("maxRetries", number(signal.maxRetries)),
                ("retryIn", signal.retryIn.map { JSONText.number(Self.rounded($0)) } ?? "null"), ("errorStatus", number(signal.status)),
                ("agentLimit", number(limit)), ("configured", number(configured)),
            ]
            if signal.agent != .claude { fields.append(("agent", q(signal.agent.rawValue))) }
        case .agentsPaused(let until, let reason, let agent):
            fields = [("event", q("agents-paused")), ("until", until.map { JSONText.number(Self.rounded($0)) } ?? "null"), ("reason", q(reason)), ("agent", q(agent.rawValue))]
        case .ticketSkipped(let ticket, let dependency, let cause):
            fields = [("event", q("ticket-skipped")), ("id", id(ticket)), ("dependency", id(dependency)), ("cause", id(cause))]
        case .ticketsUpToDate(let tickets):
            // One event per ticket, as for every other ticket state.
            for ticket in tickets.dropLast() {
                sink.writeOutput("{\"event\": \"ticket-up-to-date\", \"elapsed\": \(JSONText.number(Self.rounded(elapsed))), \"id\": \(id(ticket))}\n")
            }
            guard let last = tickets.last else { return }
            fields = [("event", q("ticket-up-to-date")), ("id", id(last))]
        case .retryCancelled(let ticket):
            fields = [("event", q("ticket-retry-cancelled")), ("id", id(ticket))]
        case .ticketElsewhere(let ticket, let holder):
            fields = [("event", q("ticket-elsewhere")), ("id", id(ticket)), ("holderPid", "\(holder)")]
        case .notice(let text):
            fields = [("event", q("notice")), ("message", q(text))]
        case .stopping(let signal, let reason):
            fields = [("event", q("run-stopping")), ("signal", signal.map { q(ProcessControl.signalName($0)) } ?? "null"), ("reason", q(reason))]
        case .landed(let ticket, let commit):
            fields = [("event", q("landed")), ("id", id(ticket)), ("commit", q(commit))]
        case .conflicted(let ticket, let report):
            fields = [("event", q("conflicted")), ("id", id(ticket)), ("files", JSONText.array(report.files.map(q))),
                      ("worktree", q(report.worktree)), ("branch", q(report.branch)), ("integration", q(report.integration)),
                      ("next", q(report.next.rawValue)), ("conflicts", "\(report.conflicts)"), ("rerunLimit", "\(report.rerunLimit)")]
        case .runFinished(let result):
            let status = result.interruptedBy != nil ? "interrupted" : (result.exitCode == 0 ? "succeeded" : "failed")
            let speedup = result.wallSeconds > 0 ? result.ticketSeconds / result.wallSeconds : 0
            let counts = "{\"succeeded\": \(result.succeeded), \"failed\": \(result.failed), \"timedOut\": \(result.timedOut), \"interrupted\": \(result.interrupted), \"skipped\": \(result.skipped), \"notStarted\": \(result.notStarted), \"ranElsewhere\": \(result.ranElsewhere), \"runningElsewhere\": \(result.runningElsewhere), \"noChange\": \(result.noChange)}"
            fields = [
                ("event", q("run-end")), ("status", q(status)), ("exitCode", "\(result.exitCode)"), ("counts", counts),
                ("wallSeconds", JSONText.number(Self.rounded(result.wallSeconds))),
                ("ticketSeconds", JSONText.number(Self.rounded(result.ticketSeconds))),
                ("speedup", JSONText.number(Self.rounded(speedup))), ("jobs", "\(result.jobs)"),
            ]
            // docs/targets.md: what --limit left pending, and what history said the run would take.
            if options.pendingByLimit > 0 { fields.append(("pending", "\(options.pendingByLimit)")) }
            if let estimate = options.estimate, estimate.hasHistory {
                fields.append(("estimate", "{\"wallSeconds\": \(JSONText.number(Self.rounded(estimate.wallSeconds))), \"withoutHistory\": \(estimate.withoutHistory), \"costUSD\": \(JSONText.number(Self.rounded(estimate.costUSD)))}"))
            }
            if let totals = result.agentTotals {
                let waits = result.limitWaits
                fields.append(("agents", totals.json))
                fields.append(("limitWaits", "{\"rateLimited\":\(waits.rateLimited),\"rateLimitSignals\":\(waits.rateLimitSignals),\"usageLimited\":\(waits.usageLimited),\"seconds\":\(JSONText.number(Self.rounded(waits.seconds))),"
                    + "\"agentLimitLowered\":\(waits.agentLimitLowered),\"lowestAgentLimit\":\(waits.lowestAgentLimit.map(String.init) ?? "null")}"))
            }
        }
        fields.insert(("elapsed", JSONText.number(Self.rounded(elapsed))), at: 1)
        sink.writeOutput("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n")
    }

    public mutating func tick(elapsed: Double) {}

    private func id(_ ticket: Int) -> String { q(plan.graph.tickets[ticket].id) }
    private func q(_ text: String) -> String { JSONText.quoted(text) }
    private func number(_ value: Int?) -> String { value.map(String.init) ?? "null" }

    /// Milliseconds are plenty; shorter numbers keep event lines readable.
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
