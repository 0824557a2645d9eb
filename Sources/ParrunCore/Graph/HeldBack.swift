/// Tickets that must not run: held back themselves (`Ticket.hold`), or
/// depending on one that is, transitively. Done tickets are never held back.
public enum HeldBack {
    /// Per ticket, why it is held back, or nil.
    public static func reasons(_ graph: TicketGraph) -> [String?] {
        var reasons = [String?](repeating: nil, count: graph.count)
        for ticket in graph.topologicalOrder where !graph.tickets[ticket].isDone {
            if let hold = graph.tickets[ticket].hold {
                reasons[ticket] = hold
            } else if let dependency = graph.dependencies(of: ticket).first(where: { reasons[Int($0)] != nil }) {
                reasons[ticket] = "depends on \(graph.tickets[Int(dependency)].id)"
            }
        }
        return reasons
    }
}
