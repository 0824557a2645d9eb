/// Ready tickets, best first: lower priority value, then longer remaining
/// critical path, then earlier in the manifest. The order is fixed when the
/// run starts, so it is precomputed as one rank per ticket and the heap only
/// compares integers.
struct ReadyQueue: Sendable {
    /// `rank[i] < rank[j]`: ticket i goes before ticket j.
    private let rank: [Int32]
    private var heap: [Int32] = []

    init(rank: [Int32]) {
        self.rank = rank
    }

    /// Ranks tickets by (priority, -remaining, index).
    init(priorities: [Int], remaining: [Double]) {
        let order = priorities.indices.sorted { a, b in
            if priorities[a] != priorities[b] { return priorities[a] < priorities[b] }
            if remaining[a] != remaining[b] { return remaining[a] > remaining[b] }
            return a < b
        }
        var rank = [Int32](repeating: 0, count: priorities.count)
        for (position, ticket) in order.enumerated() { rank[ticket] = Int32(position) }
        self.init(rank: rank)
    }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    mutating func push(_ ticket: Int) {
        heap.append(Int32(ticket))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard rank[Int(heap[child])] < rank[Int(heap[parent])] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var best = parent
                if left < heap.count && rank[Int(heap[left])] < rank[Int(heap[best])] { best = left }
                if right < heap.count && rank[Int(heap[right])] < rank[Int(heap[best])] { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return Int(top)
    }

    /// Takes `ticket` out of the queue (rare: another process finished it).
    mutating func remove(_ ticket: Int) {
        guard let index = heap.firstIndex(of: Int32(ticket)) else { return }
        let others = heap.enumerated().filter { $0.offset != index }.map { Int($0.element) }
        heap.removeAll(keepingCapacity: true)
        for other in others { push(other) }
    }

    /// All queued tickets, best first (for display; not a hot path).
    var ordered: [Int] {
        heap.map(Int.init).sorted { rank[$0] < rank[$1] }
    }
}
