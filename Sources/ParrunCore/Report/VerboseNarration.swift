import ParrunModel
import ParrunSupport

/// `--verbose`: one line on standard error for each decision the run
/// controller makes (with the reason it can be given) and each command line
/// spawned. Pure: the runner passes what happened, this says it in words.
/// Ids, commands and paths are escaped as every parrun line is (`TerminalSafe`).
package struct VerboseNarration {
    let plan: Plan
    static let prefix = "parrun: verbose: "

    package init(plan: Plan) {
        self.plan = plan
    }

    private func id(_ ticket: Int) -> String { plan.graph.tickets[ticket].id.terminalSafe }

    /// The line for a controller action, or nil for bookkeeping nobody needs to see.
    /// `stopping`: the run is stopping (so a SIGTERM is not a timeout).
    package func line(for action: RunController.Action, stopping: Bool) -> String? {
        switch action {
        case .start(let ticket, let worker):
            let dependencies = plan.graph.dependencies(of: ticket).map { id(Int($0)) }
            let ticketData = plan.graph.tickets[ticket]
            let why = dependencies.isEmpty ? "it depends on nothing" : "its dependencies succeeded (\(dependencies.joined(separator: ", ")))"
            // Ready tickets go by priority, then by the longest chain of work behind them.
            let remaining = plan.criticalPath.remaining[ticket]
            let chain = plan.weights == nil ? "\(Int(remaining)) ticket\(remaining == 1 ? "" : "s")" : "about " + DurationText.format(seconds: remaining)
            return "start \(id(ticket)) on worker \(worker): \(why); priority \(ticketData.priority), longest chain from it \(chain)"
        case .land(let ticket):
            return "land \(id(ticket)): its recipe succeeded; its work goes onto the branch (one landing at a time)"
        case .verify(let ticket):
            return "verify \(id(ticket)): its recipe succeeded; its verify gate runs"
        case .recordVerified(let ticket, let attempt, let passed, let exitCode):
            return "verify gate of \(id(ticket)) (attempt \(attempt)) \(passed ? "passed" : "failed")" + (exitCode.map { " (exit \($0))" } ?? "")
        case .feedBack(let ticket):
            return "feed back \(id(ticket)): its verify gate failed and its agent has rounds left; the gate's output goes back to its session"
        case .holdForReview(let ticket):
            return "hold \(id(ticket)) for review: it succeeded and has review: true (parrun approve ID)"
        case .terminate(let ticket):
            let timeout = plan.graph.tickets[ticket].timeoutSeconds.map { DurationText.format(seconds: $0) }
            let why = stopping ? "the run is stopping" : timeout.map { "its timeout (\($0)) expired" } ?? "its time ran out"
            return "stop \(id(ticket)): \(why); SIGTERM to its process group"
        case .kill(let ticket):
            return "kill \(id(ticket)): still running after the grace period; SIGKILL to its process group"
        case .recordEnded(let ticket, let attempt, let outcome, let seconds, let willRetry, _):
            let next = willRetry ? "; it runs again (retries left)" : ""
            return "\(id(ticket)) attempt \(attempt) ended \(outcome.statusWord) (\(outcome.detail)) after \(DurationText.format(seconds: seconds))\(next)"
        case .recordSkipped(let ticket, _):
            return "skip \(id(ticket)): a ticket it depends on did not succeed"
        case .report(let event):
            return line(for: event)
        case .releaseClaim, .recordSession, .recordJob:
            return nil
        }
    }

    private func line(for event: RunEvent) -> String? {
        switch event {
        case .ticketSkipped(let ticket, let dependency, let cause):
            return "skip \(id(ticket)): its dependency \(id(dependency)) did not succeed" + (cause != dependency ? " (because \(id(cause)) failed)" : "")
        case .retryCancelled(let ticket):
            return "no retry of \(id(ticket)): the run is stopping"
        case .ticketEnded(let ticket, _, _, _, _, let retryIn?, _):
            return "retry \(id(ticket)) in \(DurationText.format(seconds: retryIn)) (back-off doubles each retry)"
        case .stopping(_, let reason):
            return "stop starting tickets: \(reason.terminalSafe)"
        case .agentLimit(let limit, let configured, let agent):
            return "\(agent.rawValue) tickets at once: \(limit) of \(configured) (rate limits lower it, quiet periods raise it)"
        case .agentsPaused(_, let reason, let agent):
            return "\(agent.rawValue) tickets paused: \(reason.terminalSafe)"
        case .ticketElsewhere(let ticket, let holder):
            return "\(id(ticket)) is running in another parrun (pid \(holder)); waiting for its result"
        default:
            return nil
        }
    }

    /// The line for a command parrun spawns: the words as a shell would need them quoted.
    package func spawned(_ ticket: Int, attempt: Int, arguments: [String], directory: String?, what: String = "recipe") -> String {
        let words = arguments.map { Template.shellQuotedIfNeeded($0) }.joined(separator: " ")
        return "spawn \(id(ticket)) \(what) (attempt \(attempt))" + (directory.map { " in \($0.terminalSafe)" } ?? "") + ": " + words.terminalSafe
    }
}
