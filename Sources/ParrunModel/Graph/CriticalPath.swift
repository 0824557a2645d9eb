/// The longest chain of running tickets, weighted by each ticket's expected
/// duration (1 when unknown). The scheduler orders ready tickets by
/// `remaining`; the dry run and the summary print `path`.
public struct CriticalPath: Sendable {
    /// Per ticket: its own weight plus the heaviest chain of running dependents
    /// after it; 0 for a ticket that does not run.
    public let remaining: [Double]
    /// The chain itself, dependencies first.
    public let path: [Int]

    public var length: Double { path.first.map { remaining[$0] } ?? 0 }

    public init(graph: TicketGraph, runs: [Bool], weights: [Double]? = nil) {
        var remaining = [Double](repeating: 0, count: graph.count)
        var next = [Int](repeating: -1, count: graph.count)
        for node in graph.topologicalOrder.reversed() where runs[node] {
            var best = 0.0
            for edge in graph.dependents(of: node) where runs[Int(edge)] {
                let dependent = Int(edge)
                // Strictly greater: ties go to the dependent earliest in the manifest.
                if remaining[dependent] > best {
                    best = remaining[dependent]
                    next[node] = dependent
                }
            }
            remaining[node] = (weights?[node] ?? 1) + best
        }
        var start: Int?
        for node in 0..<graph.count where runs[node] && remaining[node] > (start.map { remaining[$0] } ?? 0) {
            start = node
        }
        var path: [Int] = []
        var cursor = start ?? -1
        while cursor >= 0 {
            path.append(cursor)
            cursor = next[cursor]
        }
        self.remaining = remaining
        self.path = path
    }
}
