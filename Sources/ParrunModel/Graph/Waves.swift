/// Groups the tickets that will run into waves: wave k holds the tickets whose
/// longest chain of dependencies that also run has k tickets below them. A
/// ticket can start no earlier than its wave, and all of a wave could run at once.
public struct Waves: Sendable {
    /// Each wave's ticket indices, in manifest order.
    public let waves: [[Int]]
    /// Per ticket, its wave (0-based), or nil for a ticket that does not run.
    public let waveOfTicket: [Int?]

    /// `runs[i]` says whether ticket i runs; edges from tickets that do not run
    /// (already done) are satisfied and do not hold anything back.
    public init(graph: TicketGraph, runs: [Bool]) {
        var waveOf = [Int?](repeating: nil, count: graph.count)
        var waveCount = 0
        for node in graph.topologicalOrder where runs[node] {
            var wave = 0
            for dependency in graph.dependencies(of: node) {
                if let below = waveOf[Int(dependency)] { wave = max(wave, below + 1) }
            }
            waveOf[node] = wave
            waveCount = max(waveCount, wave + 1)
        }
        var waves = [[Int]](repeating: [], count: waveCount)
        for node in 0..<graph.count {
            if let wave = waveOf[node] { waves[wave].append(node) }
        }
        self.waves = waves
        self.waveOfTicket = waveOf
    }

    /// The index of the first wave with the most tickets, if any.
    public var widestWave: Int? {
        waves.indices.max { waves[$0].count < waves[$1].count || (waves[$0].count == waves[$1].count && $0 > $1) }
    }
}
