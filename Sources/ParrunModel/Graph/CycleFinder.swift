/// Finds one cycle in each strongly connected component of the tickets that a
/// topological sort could not place, so every independent cycle is reported once.
enum CycleFinder {
    /// Each cycle as ticket indices in dependency order (each depends on the next,
    /// the last on the first), starting at its ticket earliest in the manifest.
    static func cycles(in graph: CompressedAdjacency, among candidates: [Bool]) -> [[Int]] {
        stronglyConnectedComponents(graph, among: candidates)
            .filter { $0.count > 1 }
            .map { shortestCycle(through: $0.min()!, within: Set($0), graph) }
            .sorted { $0[0] < $1[0] }
    }

    /// Tarjan's algorithm with an explicit call stack instead of recursion.
    static func stronglyConnectedComponents(_ graph: CompressedAdjacency, among candidates: [Bool]) -> [[Int]] {
        let count = graph.nodeCount
        var order = [Int](repeating: -1, count: count)
        var lowLink = [Int](repeating: 0, count: count)
        var onStack = [Bool](repeating: false, count: count)
        var stack: [Int] = []
        var callStack: [(node: Int, nextEdge: Int)] = []
        var components: [[Int]] = []
        var counter = 0

        for root in 0..<count where candidates[root] && order[root] < 0 {
            order[root] = counter
            lowLink[root] = counter
            counter += 1
            stack.append(root)
            onStack[root] = true
            callStack.append((root, Int(graph.starts[root])))

            while let (node, nextEdge) = callStack.last {
                if nextEdge < Int(graph.starts[node + 1]) {
                    callStack[callStack.count - 1].nextEdge += 1
                    let target = Int(graph.targets[nextEdge])
                    guard candidates[target] else { continue }
                    if order[target] < 0 {
                        order[target] = counter
                        lowLink[target] = counter
                        counter += 1
                        stack.append(target)
                        onStack[target] = true
                        callStack.append((target, Int(graph.starts[target])))
                    } else if onStack[target] {
                        lowLink[node] = min(lowLink[node], order[target])
                    }
                    continue
                }
                callStack.removeLast()
                if let parent = callStack.last?.node {
                    lowLink[parent] = min(lowLink[parent], lowLink[node])
                }
                if lowLink[node] == order[node] {
                    var component: [Int] = []
                    while let member = stack.popLast() {
                        onStack[member] = false
                        component.append(member)
                        if member == node { break }
                    }
                    components.append(component)
                }
            }
        }
        return components
    }

    /// Breadth-first search from `start` inside its component, back to `start`.
    private static func shortestCycle(through start: Int, within component: Set<Int>, _ graph: CompressedAdjacency) -> [Int] {
        var parent: [Int: Int] = [start: start]
        var queue = [start]
        var next = 0
        while next < queue.count {
            let node = queue[next]
            next += 1
            for target in graph.neighbours(of: node).map(Int.init) where component.contains(target) {
                if target == start {
                    var path = [node]
                    while let previous = parent[path[path.count - 1]], previous != path[path.count - 1] {
                        path.append(previous)
                    }
                    return path.reversed()
                }
                if parent[target] == nil {
                    parent[target] = node
                    queue.append(target)
                }
            }
        }
        return [start]  // Unreachable for a component of more than one ticket.
    }
}
