/// The validated dependency graph: tickets by index, with dependency and
/// dependent lists in compressed form (one flat array each), and a
/// topological order. Built only from a manifest without graph errors, so
/// every algorithm over it may assume a DAG.
public struct TicketGraph: Sendable {
    /// In manifest order; a ticket's index is its position here.
    public private(set) var tickets: [Ticket]
    public let indexByID: [String: Int]
    /// Every ticket before each ticket that depends on it; ties in manifest order.
    public let topologicalOrder: [Int]
    private let dependencyEdges: CompressedAdjacency
    private let dependentEdges: CompressedAdjacency

    init(tickets: [Ticket], indexByID: [String: Int], dependencies: CompressedAdjacency, topologicalOrder: [Int]) {
        self.tickets = tickets
        self.indexByID = indexByID
        self.dependencyEdges = dependencies
        self.dependentEdges = dependencies.reversed()
        self.topologicalOrder = topologicalOrder
    }

    public var count: Int { tickets.count }
    public var edgeCount: Int { dependencyEdges.edgeCount }

    /// Indices of the tickets `index` waits for, in the order written.
    public func dependencies(of index: Int) -> ArraySlice<Int32> { dependencyEdges.neighbours(of: index) }

    /// Indices of the tickets that wait for `index`, in manifest order.
    public func dependents(of index: Int) -> ArraySlice<Int32> { dependentEdges.neighbours(of: index) }

    public func index(of id: String) -> Int? { indexByID[id] }

    /// A recipe filled in after the graph is built (`--prompt-template`, which
    /// needs to know which tickets run); recipes never change the graph's shape.
    /// A ticket's hold lifted (a beads issue parrun itself left `in_progress`).
    package mutating func releaseHold(of index: Int) {
        tickets[index].hold = nil
    }

    mutating func setRecipe(_ recipe: Recipe, of index: Int) {
        tickets[index].recipe = recipe
    }

    /// `--agent`: the agent of every ticket that does not choose its own
    /// (one that took its `agent` from `defaults` takes the command line's).
    package mutating func setAgent(commandLine agent: AgentKind) {
        for index in tickets.indices where tickets[index].agent == nil || tickets[index].inherited.contains(.agent) {
            tickets[index].agent = agent
        }
    }
}

/// Adjacency lists as one flat array plus offsets (CSR): two allocations for the
/// whole graph instead of one per ticket, which matters at 100,000 tickets.
struct CompressedAdjacency: Sendable {
    /// `neighbours(of: i)` is `targets[starts[i] ..< starts[i + 1]]`.
    let starts: [Int32]
    let targets: [Int32]

    init(starts: [Int32], targets: [Int32]) {
        self.starts = starts
        self.targets = targets
    }

    var nodeCount: Int { starts.count - 1 }
    var edgeCount: Int { targets.count }

    func neighbours(of node: Int) -> ArraySlice<Int32> {
        targets[Int(starts[node])..<Int(starts[node + 1])]
    }

    /// The same edges pointing the other way; each list stays in ascending node order.
    func reversed() -> CompressedAdjacency {
        var counts = [Int32](repeating: 0, count: nodeCount + 1)
        for target in targets { counts[Int(target) + 1] += 1 }
        for node in 0..<nodeCount { counts[node + 1] += counts[node] }
        var fill = counts
        var reversedTargets = [Int32](repeating: 0, count: targets.count)
        for node in 0..<nodeCount {
            for target in neighbours(of: node) {
                reversedTargets[Int(fill[Int(target)])] = Int32(node)
                fill[Int(target)] += 1
            }
        }
        return CompressedAdjacency(starts: counts, targets: reversedTargets)
    }
}
