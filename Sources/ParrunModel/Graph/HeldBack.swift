/// Tickets that must not run: held back themselves (`Ticket.hold`), or
/// depending on one that is, transitively. Done tickets are never held back.
public enum HeldBack {
    /// Per ticket, why it is held back, or nil. A dependent names the ticket it
    /// waits for and the hold at the root of the chain, so the plan answers
    /// "what do I unblock to run this?" without following the chain by hand:
    /// `status blocked`, `depends on bd-3 (status blocked)`,
    /// `depends on bd-5, held back by bd-3 (status blocked)`.
    /// `reasons`, or empty when no ticket has a hold (the common case, at no cost).
    public static func reasonsIfAny(_ graph: TicketGraph) -> [String?] {
        graph.tickets.contains(where: { $0.hold != nil }) ? reasons(graph) : []
    }

    public static func reasons(_ graph: TicketGraph) -> [String?] {
        var reasons = [String?](repeating: nil, count: graph.count)
        // The ticket whose own hold explains each held-back one; set with its reason.
        var roots = [Int](repeating: 0, count: graph.count)
        for ticket in graph.topologicalOrder where !graph.tickets[ticket].isDone {
            if let hold = graph.tickets[ticket].hold {
                reasons[ticket] = hold
                roots[ticket] = ticket
            } else if let dependency = graph.dependencies(of: ticket).lazy.map(Int.init).first(where: { reasons[$0] != nil }) {
                let root = roots[dependency]
                roots[ticket] = root
                let rootHold = graph.tickets[root].hold ?? ""
                reasons[ticket] = root == dependency
                    ? "depends on \(graph.tickets[dependency].id) (\(rootHold))"
                    : "depends on \(graph.tickets[dependency].id), held back by \(graph.tickets[root].id) (\(rootHold))"
            }
        }
        return reasons
    }
}
