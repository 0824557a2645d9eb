import ParrunSupport

extension TicketGraph {
    /// Checks the manifest's tickets as a graph, reporting every problem: duplicate
    /// ids, unknown and self dependencies, and each cycle with its whole path.
    /// Returns a graph only when there is no error. Linear in tickets + edges and
    /// free of recursion, so a 100,000-long chain is no harder than a short one.
    public static func build(from manifest: Manifest) -> (graph: TicketGraph?, diagnostics: DiagnosticList) {
        var diagnostics = DiagnosticList()
        let tickets = manifest.tickets

        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(tickets.count)
        var isDuplicate = [Bool](repeating: false, count: tickets.count)
        for (index, ticket) in tickets.enumerated() {
            if let first = indexByID[ticket.id] {
                diagnostics.add(GraphError.duplicateID(ticket.id, at: ticket.idSpan, first: tickets[first].idSpan))
                isDuplicate[index] = true
            } else {
                indexByID[ticket.id] = index
            }
        }

        // lastListedBy[t] == i when ticket i already listed t: finds repeats in O(1).
        var lastListedBy = [Int32](repeating: -1, count: tickets.count)
        var starts = [Int32](repeating: 0, count: tickets.count + 1)
        var targets: [Int32] = []
        targets.reserveCapacity(tickets.reduce(0) { $0 + $1.dependencies.count })
        for (index, ticket) in tickets.enumerated() {
            if !isDuplicate[index] {
                for reference in ticket.dependencies {
                    guard let target = indexByID[reference.id] else {
                        // Suggestions scan every id; skip them for errors that will not be shown.
                        let suggestion = diagnostics.isErrorListFull ? nil : SpellingSuggestion.closest(to: reference.id, among: tickets.lazy.map(\.id))
                        diagnostics.add(GraphError.unknownDependency(ticket: ticket.id, dependency: reference.id, suggestion: suggestion, at: reference.span))
                        continue
                    }
                    if target == index {
                        diagnostics.add(GraphError.selfDependency(ticket: ticket.id, at: reference.span))
                        continue
                    }
                    if lastListedBy[target] == Int32(index) {
                        let first = ticket.dependencies.first { $0.id == reference.id }!.span
                        diagnostics.add(GraphWarning.duplicateDependency(ticket: ticket.id, dependency: reference.id, at: reference.span, first: first))
                        continue
                    }
                    lastListedBy[target] = Int32(index)
                    targets.append(Int32(target))
                }
            }
            starts[index + 1] = Int32(targets.count)
        }
        let dependencies = CompressedAdjacency(starts: starts, targets: targets)

        let (order, remaining) = topologicalOrder(dependencies)
        if order.count < tickets.count {
            for cycle in CycleFinder.cycles(in: dependencies, among: remaining) {
                let path = cycle.map { tickets[$0].id } + [tickets[cycle[0]].id]
                var edges: [SourceSpan] = []
                for (position, node) in cycle.enumerated() {
                    let next = path[position + 1]
                    edges.append(tickets[node].dependencies.first { $0.id == next }?.span ?? tickets[node].idSpan)
                }
                diagnostics.add(GraphError.cycle(path: path, edges: edges))
            }
        }

        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        let graph = TicketGraph(tickets: tickets, indexByID: indexByID, dependencies: dependencies, topologicalOrder: order)
        return (graph, diagnostics)
    }

    /// Kahn's algorithm: dependencies first. Returns the order and, when cycles keep
    /// some tickets out of it, a mask of those tickets.
    private static func topologicalOrder(_ dependencies: CompressedAdjacency) -> (order: [Int], remaining: [Bool]) {
        let count = dependencies.nodeCount
        let dependents = dependencies.reversed()
        var waitingFor = (0..<count).map { dependencies.neighbours(of: $0).count }
        var order: [Int] = []
        order.reserveCapacity(count)
        for node in 0..<count where waitingFor[node] == 0 { order.append(node) }
        var next = 0
        while next < order.count {
            let node = order[next]
            next += 1
            for dependent in dependents.neighbours(of: node) {
                waitingFor[Int(dependent)] -= 1
                if waitingFor[Int(dependent)] == 0 { order.append(Int(dependent)) }
            }
        }
        return (order, waitingFor.map { $0 > 0 })
    }
}
