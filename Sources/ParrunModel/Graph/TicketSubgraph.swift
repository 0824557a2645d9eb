extension TicketGraph {
    /// The tickets `keep` marks, with the edges between them, in manifest
    /// order; and for each ticket of the result, its index here. `keep` must be
    /// closed under dependencies (a target and everything it needs), so no
    /// kept ticket loses an edge and the order stays topological.
    public func restricted(to keep: [Bool]) -> (graph: TicketGraph, original: [Int]) {
        let original = (0..<count).filter { keep[$0] }
        var newIndex = [Int32](repeating: -1, count: count)
        for (position, index) in original.enumerated() { newIndex[index] = Int32(position) }
        var starts: [Int32] = [0]
        var targets: [Int32] = []
        starts.reserveCapacity(original.count + 1)
        for index in original {
            for dependency in dependencies(of: index) where newIndex[Int(dependency)] >= 0 {
                targets.append(newIndex[Int(dependency)])
            }
            starts.append(Int32(targets.count))
        }
        let kept = original.map { tickets[$0] }
        var indexByID: [String: Int] = [:]
        indexByID.reserveCapacity(kept.count)
        for (position, ticket) in kept.enumerated() { indexByID[ticket.id] = position }
        let order = topologicalOrder.filter { keep[$0] }.map { Int(newIndex[$0]) }
        let graph = TicketGraph(
            tickets: kept, indexByID: indexByID, dependencies: CompressedAdjacency(starts: starts, targets: targets), topologicalOrder: order)
        return (graph, original)
    }
}
