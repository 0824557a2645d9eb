import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun show ID [--json]`: one ticket as the latest run (and the runs it
/// continued) left it: attempts, session, worktree, verify output, review.
struct ShowCommand {
    let invocation: Invocation
    let environment: Environment
    /// Lines of the verify gate's output shown: enough to see why it failed.
    static let verifyTailLines = 20
    static let verifyHeading = "--- parrun: verify ---"

    func execute() throws(UsageError) -> ExitCode {
        guard let id = invocation.ticketID else { throw .missingTicketIDs(command: "show") }
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        guard let index = loaded.graph.indexByID[id] else {
            throw .unknownTicket(id, suggestion: SpellingSuggestion.closest(to: id, among: loaded.graph.tickets.map(\.id)))
        }
        let stateDirectory = loaded.stateDirectory(invocation)
        let records = try StateJournal.read(stateDirectory: stateDirectory).records
        let history = RunHistory(records)
        let report = StatusReport(graph: loaded.graph, history: history, manifestPath: loaded.identity, now: Clock.wall(), isRunning: ProcessTable.isRunning)
        let ticket = loaded.graph.tickets[index]
        let logs = LogSource(directory: stateDirectory + "/logs", name: LogsCommand.logStem(of: id, in: records) + LogFileName.logSuffix)
        guard let entry = report.entries.first(where: { $0.id == id }) else { return .usageOrManifestError }
        var details = TicketDetails(id: id, entry: entry, logPath: logs.path)
        details.title = ticket.title
        guard let latest = history.latestRun(manifest: loaded.identity) else { return print(details) }

        let chain = history.chain(endingAt: latest.run)
        let state = history.ticketStates(chain: chain)[id]
        let attempts = history.attempts(of: id, chain: chain)
        details.attempts = attempts.enumerated().map { number, attempt in
            let isLast = number == attempts.count - 1
            let open = entry.state == .running || entry.state == .queued ? entry.state.rawValue : "interrupted"
            return TicketDetails.Attempt(
                number: number + 1, run: attempt.start.run, startedAt: attempt.start.time, seconds: attempt.end?.seconds,
                outcome: attempt.end?.status ?? (isLast ? open : "interrupted"), exitCode: attempt.end?.exitCode,
                signal: attempt.end?.signal, detail: attempt.end?.detail,
                verifyPassed: attempt.verify?.passed, verifyExit: attempt.verify?.exitCode)
        }
        var finder = TicketWorkspace.Finder(
            history: history, chain: chain, stateDirectory: stateDirectory,
            manifestDirectory: RunCommand.manifestDirectory(for: loaded.source.name))
        if let workspace = finder?.find(id, state: state) {
            details.worktreePath = workspace.path
            details.branch = workspace.branch
            details.landedCommit = workspace.landedCommit
        }
        if ticket.verifyScript != nil, state?.verifyRuns ?? 0 > 0 { details.verifyTail = Self.verifyTail(logs.read(from: 0)) }
        (details.review, details.reviewReason) = Self.review(state, entry: entry)
        return print(details)
    }

    private func print(_ details: TicketDetails) -> ExitCode {
        let printer = TicketPrinter(details)
        Terminal.writeOutput(invocation.json ? printer.json() : printer.text())
        return .success
    }

    /// The last lines after the log's last verify heading: the latest gate's output.
    static func verifyTail(_ log: [UInt8]) -> String? {
        let heading = Array((verifyHeading + "\n").utf8)
        guard log.count >= heading.count else { return nil }
        var start = log.count - heading.count
        while start >= 0 {
            if log[start] == heading[0], Array(log[start..<(start + heading.count)]) == heading, start == 0 || log[start - 1] == UInt8(ascii: "\n") {
                let output = Array(log[(start + heading.count)...])
                var text = String(decoding: LogsCommand.lastLines(verifyTailLines, of: output), as: UTF8.self)
                while text.last == "\n" { text.removeLast() }
                return text
            }
            start -= 1
        }
        return nil
    }

    /// `approved`, `rejected` or `awaiting`, with the reason of a rejection; nil when it never came to review.
    static func review(_ state: RunHistory.TicketState?, entry: StatusReport.Entry) -> (String?, String?) {
        if entry.state == .awaitingReview, entry.review == nil { return ("awaiting", nil) }
        // The decision on work awaiting review; once `--resume` acted on it, the last one made.
        guard let decision = entry.review ?? state?.review else { return (nil, nil) }
        return decision.approved ? ("approved", nil) : ("rejected", decision.reason)
    }
}
