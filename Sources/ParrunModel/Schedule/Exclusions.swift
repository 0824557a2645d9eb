import ParrunSupport

/// Tickets that must not run at the same time because the paths they declare
/// in `touches` (glob patterns) may overlap. The scheduler passes over a ready
/// ticket whose partner is running, and starts another one instead.
public struct Exclusions: Sendable {
    public struct Pair: Sendable, Equatable {
        public var first: Int
        public var second: Int
        /// The two patterns that overlap.
        public var patterns: (String, String)

        public static func == (lhs: Pair, rhs: Pair) -> Bool {
            lhs.first == rhs.first && lhs.second == rhs.second && lhs.patterns == rhs.patterns
        }
    }

    /// Per ticket, the tickets it excludes.
    public let partners: [[Int32]]
    public let pairs: [Pair]

    public var isEmpty: Bool { pairs.isEmpty }

    /// Among the tickets that run.
    public init(graph: TicketGraph, runs: [Bool]) {
        var declared: [(ticket: Int, patterns: [String])] = []
        for (index, ticket) in graph.tickets.enumerated() where runs[index] {
            if let patterns = ticket.touches, !patterns.isEmpty { declared.append((index, patterns)) }
        }
        var partners = [[Int32]](repeating: [], count: declared.isEmpty ? 0 : graph.count)
        var pairs: [Pair] = []
        for (position, first) in declared.enumerated() {
            for second in declared[(position + 1)...] {
                guard let overlap = Self.overlap(first.patterns, second.patterns) else { continue }
                partners[first.ticket].append(Int32(second.ticket))
                partners[second.ticket].append(Int32(first.ticket))
                pairs.append(Pair(first: first.ticket, second: second.ticket, patterns: overlap))
            }
        }
        self.partners = partners
        self.pairs = pairs
    }

    private static func overlap(_ first: [String], _ second: [String]) -> (String, String)? {
        for a in first {
            for b in second where PathGlob.mayOverlap(a, b) { return (a, b) }
        }
        return nil
    }

    /// The paths among `changed` that no pattern of the ticket's `touches` matches.
    public static func outside(_ changed: [String], of ticket: Ticket) -> [String] {
        guard let patterns = ticket.touches, !patterns.isEmpty else { return [] }
        return changed.filter { path in !patterns.contains { PathGlob.matches($0, path) } }
    }
}
