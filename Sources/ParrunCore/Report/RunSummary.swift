import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// The text printed when a run ends: counts, what failed and why, timing,
/// and the critical path as it actually ran. Ids, details, paths and log
/// lines are shown with control characters escaped (`TerminalSafe`).
struct RunSummary {
    let result: RunResult
    let plan: Plan
    let logPath: (String) -> String
    /// The command that continues this run (`parrun --resume ...`), shown when it did not succeed.
    var resumeCommand: String?
    /// `resumeCommand` without its `--max-cost`, the limit, and what the runs
    /// before this one spent: once the limit is reached, a raised one is offered.
    var resumeCommandWithoutMaxCost: String?
    var maxCostUSD: Double?
    var costSpentEarlierUSD = 0.0
    /// How failures were handled (`-k`, `--max-failures`): what the summary suggests.
    var policy = Scheduler.FailurePolicy()
    /// What earlier runs said the run would take, and what `--limit` left pending (`RunSummaryEstimate.swift`).
    var estimate: RunEstimate?
    var limit: Int?
    var pendingByLimit = 0
    /// The last lines of a log, shown under each failure.
    var logTail: (String) -> [String] = { path in RunSummary.lastLines(of: path, count: RunSummary.tailLines) }

    /// Lines of a failed ticket's log shown in the summary.
    static let tailLines = 3

    /// Failed and skipped tickets beyond this many are counted, not listed.
    static let listLimit = 20

    func render() -> String {
        var counts: [String] = ["\(result.succeeded) succeeded"]
        if result.failed > 0 { counts.append("\(result.failed) failed") }
        if result.timedOut > 0 { counts.append("\(result.timedOut) timed out") }
        if result.noChange > 0 { counts.append("\(result.noChange) with no change") }
        if result.interrupted > 0 { counts.append("\(result.interrupted) interrupted") }
        if result.skipped > 0 { counts.append("\(result.skipped) skipped") }
        if result.notStarted > 0 { counts.append("\(result.notStarted) not started") }
        if result.ranElsewhere > 0 { counts.append("\(result.ranElsewhere) run by another parrun") }
        if result.awaitingReview > 0 { counts.append("\(result.awaitingReview) awaiting review") }
        if result.runningElsewhere > 0 { counts.append("\(result.runningElsewhere) still running in another parrun") }
        if pendingByLimit > 0 { counts.append("\(pendingByLimit) pending (--limit)") }
        var out = ""
        if let signal = result.interruptedBy {
            out += "parrun: interrupted by \(ProcessControl.signalName(signal))\n"
        }
        if let failure = result.stateFailure {
            out += "parrun: error: the run stopped because its state could not be written: \(failure)\n"
        }
        out += "parrun: " + counts.joined(separator: ", ") + " in " + DurationText.format(seconds: result.wallSeconds) + "\n"

        var problems: [String] = []
        for (index, record) in result.records.enumerated() {
            switch record.status {
            case .failed, .timedOut, .interrupted, .noChange:
                let outcome = (record.lastOutcome?.detail ?? "failed").terminalSafe
                var attempts = record.attempts > 1 ? ", \(record.attempts) attempts" : ""
                if record.continuations > 0 { attempts += ", \(Self.continuations(record.continuations))" }
                let log = logPath(plan.graph.tickets[index].id)
                problems.append("  \(label(record.status)) \(id(index)): \(outcome)\(attempts) (log: \(log.terminalSafe))")
                // A ticket that could not start has only that reason in its log, said already.
                var startFailed = false
                if case .couldNotStart? = record.lastOutcome { startFailed = true }
                if record.status != .interrupted && !startFailed && problems.count <= Self.listLimit {
                    for line in logTail(log) { problems[problems.count - 1] += "\n      | " + TerminalSafe.escaped(line, tabs: .kept) }
                }
            case .skipped(let dependency, let cause):
                let ended = Self.ended(result.records[cause].status)
                let why = dependency == cause ? "'\(id(cause))' \(ended)" : "'\(id(dependency))' was skipped after '\(id(cause))' \(ended)"
                problems.append("  skipped \(id(index)): \(why)")
            default:
                continue
            }
        }
        for line in problems.prefix(Self.listLimit) { out += line + "\n" }
        if problems.count > Self.listLimit { out += "  ... and \(problems.count - Self.listLimit) more\n" }
        if result.notStarted > 0 {
            let ids = result.records.indices.filter { result.records[$0].status == .notStarted }.map(id)
            let listed = ids.prefix(Self.listLimit).joined(separator: ", ") + (ids.count > Self.listLimit ? " (+\(ids.count - Self.listLimit) more)" : "")
            out += "  not started (\(ids.count)): \(listed)\n"
            let failures = result.failed + result.timedOut + result.noChange
            if result.interruptedBy == nil && failures > 0 {
                if !policy.keepGoing {
                    out += "  they did not start after the failure; -k runs everything that does not depend on it\n"
                } else if let limit = policy.maxFailures, failures >= limit {
                    out += "  they did not start after the failure; --max-failures \(limit) was reached\n"
                }
            }
        }
        let awaiting = result.records.indices.filter { result.records[$0].status == .awaitingReview }.map(id)
        if !awaiting.isEmpty {
            out += "  awaiting review (\(awaiting.count)): \(awaiting.prefix(Self.listLimit).joined(separator: ", "))"
            out += awaiting.count > Self.listLimit ? " (+\(awaiting.count - Self.listLimit) more)\n" : "\n"
            out += "    decide with: parrun approve ID..., or parrun reject ID... --reason TEXT; then parrun --resume\n"
        }
        // Conflicts only the user can resolve: a --resume before that would do nothing, so none is offered as the next step.
        let byHand = Set(result.resolveByHand)
        let stuck = !byHand.isEmpty && result.records.indices.allSatisfy { index in
            switch result.records[index].status {
            case .failed, .timedOut, .interrupted: byHand.contains(index)
            default: true
            }
        }
        if !byHand.isEmpty {
            out += "  conflicts to resolve by hand: \(byHand.sorted().map(id).joined(separator: ", ")) (in their worktrees: git rebase, resolve, commit)\n"
        }
        if result.exitCode != 0, stuck, let resumeCommand {
            out += "  once resolved: \(resumeCommand.terminalSafe)\n"
        } else if result.exitCode != 0, let resumeCommand {
            // The same --max-cost would stop at once (a resumed run counts what was
            // spent): offer as much again as the limit allowed, on top of what was spent.
            if result.costLimitReached, let limit = maxCostUSD, let command = resumeCommandWithoutMaxCost {
                let spent = costSpentEarlierUSD + (result.agentTotals?.costUSD ?? 0)
                let raised = Self.centsText(Self.roundedUpToCents(spent + limit))
                out += "  to continue: \(command.terminalSafe) --max-cost \(raised)\n"
                out += "    --max-cost raised: the run's agents have spent \(AgentStats.dollars(spent)) of the \(AgentStats.dollars(limit)) it allowed\n"
            } else {
                out += "  to continue: \(resumeCommand.terminalSafe)\n"
                if result.costLimitReached { out += "    with a higher --max-cost: the run's agents have spent what it allows\n" }
            }
            if result.stateFailure != nil { out += "    once the state directory can be written again (free space, fix permissions)\n" }
        }

        out += limitLine()
        out += agentLines()
        let verified = result.records.filter { $0.verifyRuns > 0 }
        if !verified.isEmpty {
            let runs = verified.reduce(0) { $0 + $1.verifyRuns }, failures = verified.reduce(0) { $0 + $1.verifyFailures }
            let passedLater = verified.filter { $0.verifyFailures > 0 && $0.status == .succeeded }.count
            out += "  verify: \(runs) run\(runs == 1 ? "" : "s") for \(verified.count) ticket\(verified.count == 1 ? "" : "s"), \(failures) failed"
            out += passedLater > 0 ? "; \(passedLater) ticket\(passedLater == 1 ? "" : "s") passed after feedback\n" : "\n"
        }
        let ticketSeconds = result.ticketSeconds
        if ticketSeconds > 0 && result.wallSeconds > 0 {
            let speedup = ticketSeconds / result.wallSeconds
            let efficiency = speedup / Double(max(result.jobs, 1)) * 100
            out += "  time: wall \(DurationText.format(seconds: result.wallSeconds)), tickets \(DurationText.format(seconds: ticketSeconds)), "
            out += "speedup \(Self.decimal(speedup))x, efficiency \(Int(efficiency.rounded()))% at -j\(result.jobs)\n"
        }
        out += estimateLine()
        if let path = actualCriticalPath(), path.count > 1 {
            let seconds = path.reduce(0) { $0 + result.records[$1].seconds }
            out += "  critical path: " + path.map(id).joined(separator: " -> ") + " (\(DurationText.format(seconds: seconds)))\n"
        }
        return out
    }

    /// Whole cents, up; a hair under a cent is float noise, not a cent more.
    static func roundedUpToCents(_ dollars: Double) -> Int {
        Int((max(0, dollars) * 100 - 1e-6).rounded(.up))
    }

    /// 150 -> "1.50"
    static func centsText(_ cents: Int) -> String {
        let rest = cents % 100
        return "\(cents / 100)." + (rest < 10 ? "0" : "") + String(rest)
    }

    /// Each prompt ticket's turns, cost and tokens, the totals, and the waits for API limits.
    private func agentLines() -> String {
        guard let totals = result.agentTotals else { return "" }
        var out = ""
        let agents = result.records.indices.filter { result.records[$0].stats != nil }
        for index in agents.prefix(Self.listLimit) {
            let continued = result.records[index].continuations
            out += "  agent \(id(index)): \(result.records[index].stats!.summary)" + (continued > 0 ? ", \(Self.continuations(continued))\n" : "\n")
        }
        if agents.count > Self.listLimit { out += "  ... and \(agents.count - Self.listLimit) more agents\n" }
        out += "  agents: \(agents.count) ticket\(agents.count == 1 ? "" : "s"), \(totals.summary)"
        out += " (\(AgentStats.count(totals.inputTokens)) in, \(AgentStats.count(totals.outputTokens)) out, "
        out += "\(AgentStats.count(totals.cacheReadTokens)) cache read, \(AgentStats.count(totals.cacheCreationTokens)) cache write)\n"
        let waits = result.limitWaits
        var limits: [String] = []
        if waits.rateLimitSignals > 0 {
            limits.append("\(waits.rateLimitSignals) rate-limit signal\(waits.rateLimitSignals == 1 ? "" : "s") (retried by the CLI)")
        }
        // parrun's own waits: said once there were any.
        if waits.rateLimited + waits.usageLimited > 0 {
            limits.append("\(waits.rateLimited) rate-limit back-off\(waits.rateLimited == 1 ? "" : "s")")
            limits.append("\(waits.usageLimited) usage-limit pause\(waits.usageLimited == 1 ? "" : "s"), waited \(DurationText.format(seconds: waits.seconds))")
        }
        if !limits.isEmpty { out += "  API limits: " + limits.joined(separator: ", ") + "\n" }
        if let lowest = waits.lowestAgentLimit {
            out += "  agent limit lowered \(waits.agentLimitLowered) time\(waits.agentLimitLowered == 1 ? "" : "s"), to \(lowest) at the lowest\n"
        }
        return out
    }

    /// A ticket's id as shown.
    private func id(_ index: Int) -> String { plan.graph.tickets[index].id.terminalSafe }

    /// The longest chain by the durations the tickets really took.
    private func actualCriticalPath() -> [Int]? {
        let ran = result.records.map { $0.attempts > 0 }
        guard ran.contains(true) else { return nil }
        let weights = result.records.map { max($0.seconds, 0.000_001) }
        return CriticalPath(graph: plan.graph, runs: ran, weights: weights).path
    }

    /// How a ticket that dependents wait on ended: "failed", "timed out", "was interrupted".
    private static func ended(_ status: TicketRecord.Status) -> String {
        switch status {
        case .timedOut: "timed out"
        case .interrupted: "was interrupted"
        case .noChange: "changed nothing"
        default: "failed"
        }
    }

    private func label(_ status: TicketRecord.Status) -> String {
        switch status {
        case .timedOut: "TIMEOUT"
        case .interrupted: "STOPPED"
        case .noChange: "NO CHANGE"
        default: "FAIL"
        }
    }

    /// "1 continuation", "2 continuations": sessions continued after running out of turns.
    static func continuations(_ count: Int) -> String {
        "\(count) continuation\(count == 1 ? "" : "s")"
    }

    /// The last `count` non-empty lines of the file at `path` (none if it is missing).
    static func lastLines(of path: String, count: Int) -> [String] {
        let bytes = FileSystem.readFile(path, from: 0)
        // Split as bytes: a CR LF would otherwise be one character, never split at.
        let lines = bytes.suffix(8192).split(separator: UInt8(ascii: "\n")).map { line in
            String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
        }.filter { !$0.isEmpty }
        return lines.suffix(count).map { $0.count > 200 ? String($0.prefix(200)) + "..." : $0 }
    }

    static func decimal(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(format2: rounded)
    }
}

extension String {
    /// Two decimals without Foundation's formatter: 2.5 -> "2.50".
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        self = "\(hundredths / 100)." + String(abs(hundredths % 100)).leftPadded(to: 2)
    }
}
