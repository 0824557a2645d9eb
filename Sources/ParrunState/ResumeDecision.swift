import ParrunModel

/// Which tickets a resumed run runs, and why (make semantics: a ticket that
/// runs again makes everything downstream of it run again).
public struct ResumeDecision: Sendable {
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// Never started in the runs being continued.
        case new
        /// Started and never ended: its parrun stopped while it ran.
        case interrupted
        /// Its last attempt ended with this status (failed, timed-out, interrupted, skipped).
        case ended(String)
        case recipeChanged
        case dependencyReruns(String)
        /// Its work awaited review: still undecided, approved, or rejected (with the reason).
        case awaitingReview
        case approved
        case rejected(String?)

        public var description: String {
            switch self {
            case .new: "new"
            case .interrupted: "interrupted"
            case .ended(let status): status
            case .recipeChanged: "recipe changed"
            case .dependencyReruns(let id): "dependency \(id) reruns"
            case .awaitingReview: "awaits review"
            case .approved: "approved"
            case .rejected(let reason): "rejected" + (reason.map { ": " + $0 } ?? "")
            }
        }
    }

    /// `runs[i]`: ticket i runs in the resumed run.
    public let runs: [Bool]
    /// Why each running ticket runs; nil for tickets that do not run.
    public let reasons: [Reason?]
    /// Tickets skipped because they already succeeded with the same recipe (not
    /// those done in the manifest, nor held back: neither ran).
    public let alreadySucceeded: Int

    /// `recipeHashes[i]` is ticket i's current recipe hash; tickets the manifest
    /// marks done never run, as in a fresh run.
    public init(graph: TicketGraph, recipeHashes: [String], states: [String: RunHistory.TicketState]) {
        var runs = [Bool](repeating: false, count: graph.count)
        var reasons = [Reason?](repeating: nil, count: graph.count)
        let held = HeldBack.reasonsIfAny(graph)
        for ticket in graph.topologicalOrder where !graph.tickets[ticket].isDone && (held.isEmpty || held[ticket] == nil) {
            let id = graph.tickets[ticket].id
            let reason: Reason?
            if let state = states[id] {
                if state.awaitingReview {
                    reason = state.decision.map { $0.approved ? .approved : .rejected($0.reason) } ?? .awaitingReview
                } else if state.isOpen {
                    reason = .interrupted
                } else if let end = state.lastEnd, end.status != "succeeded" {
                    reason = .ended(end.status)
                } else if let start = state.lastStart, start.recipe != recipeHashes[ticket] {
                    reason = .recipeChanged
                } else if state.lastEnd == nil {
                    reason = .new
                } else {
                    reason = nil
                }
            } else {
                reason = .new
            }
            if let reason {
                reasons[ticket] = reason
                runs[ticket] = true
                continue
            }
            // Succeeded: runs again only if something it depends on runs again.
            if let dependency = graph.dependencies(of: ticket).first(where: { runs[Int($0)] }) {
                reasons[ticket] = .dependencyReruns(graph.tickets[Int(dependency)].id)
                runs[ticket] = true
            }
        }
        self.runs = runs
        self.reasons = reasons
        alreadySucceeded = graph.tickets.indices.reduce(0) { count, ticket in
            let settled = runs[ticket] || graph.tickets[ticket].isDone || (!held.isEmpty && held[ticket] != nil)
            return count + (settled ? 0 : 1)
        }
    }
}
