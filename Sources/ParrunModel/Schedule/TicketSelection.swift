import ParrunSupport

/// Which tickets one invocation chooses to run, and why: the targets named on
/// the command line (`parrun [MANIFEST] ID...`), `--label`, and `--limit`.
/// Pure: the graph and the tickets a plain run would run (a fresh run's or
/// `--resume`'s mask) in, a narrower mask out.
///
/// - The roots are the targets (every ticket when none is named), keeping
///   those that carry every label given: labels filter what the targets need.
/// - Everything the roots depend on, transitively, is added, as make does
///   with a target's prerequisites; what a plain run would not run (done,
///   already succeeded, held back) stays out.
/// - `--limit N` then keeps the first N of those in the order a one-job run
///   would start them (priority, then the longest remaining critical path,
///   then manifest order), so what it keeps is closed under dependencies;
///   tickets without a recipe take no time and do not count. The rest stay
///   pending for the next run.
public struct TicketSelection: Sendable {
    /// What the command line asked for.
    public struct Request: Sendable, Equatable {
        public var targets: [String]
        public var labels: [String]
        public var limit: Int?

        public init(targets: [String] = [], labels: [String] = [], limit: Int? = nil) {
            self.targets = targets
            self.labels = labels
            self.limit = limit
        }

        /// Nothing was asked: every ticket a plain run runs.
        public var choosesAll: Bool { targets.isEmpty && labels.isEmpty && limit == nil }
        /// Targets or labels narrow the graph itself (`--graph` draws only that part).
        public var narrowsGraph: Bool { !targets.isEmpty || !labels.isEmpty }
    }

    /// Why a ticket was chosen, as `-n` prints it.
    public enum Reason: Sendable, Equatable, CustomStringConvertible {
        /// Named on the command line.
        case target
        /// Carries every label of `--label`.
        case label([String])
        /// A ticket chosen already waits for it.
        case dependency(of: String)
        /// Every ticket runs (only `--limit` was given).
        case all
        /// Chosen, but left for the next run by `--limit`.
        case pending(limit: Int)

        public var description: String {
            switch self {
            case .target: "target"
            case .label(let labels): (labels.count == 1 ? "label " : "labels ") + labels.joined(separator: ", ")
            case .dependency(let id): "dependency of \(id)"
            case .all: "in the manifest"
            case .pending(let limit): "pending: beyond --limit \(limit), left for the next run"
            }
        }
    }

    public enum Problem: Error, Sendable, Equatable {
        /// Ids named as targets that no ticket has, each with the nearest ids.
        case unknownTargets([UnknownTarget])
        /// No ticket carries every label given (within the targets' tickets, when
        /// `withinTargets`); `known` are the labels tickets do carry, sorted.
        case noTicketLabelled([String], withinTargets: Bool, known: [String])
    }

    public struct UnknownTarget: Sendable, Equatable {
        public var id: String
        public var suggestions: [String]
    }

    public let request: Request
    /// `runs[i]`: ticket i runs in this invocation.
    public let runs: [Bool]
    /// Why each ticket that runs, or stays pending, was chosen; nil for the others.
    public let reasons: [Reason?]
    /// The roots and everything they depend on, whether or not it runs
    /// (done and held-back tickets too): what `--graph` draws.
    public let considered: [Bool]
    /// Chosen, but beyond `--limit`: they stay pending for the next run.
    public let pendingCount: Int

    public var runCount: Int { runs.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// `runs`: what a plain run would run. `weights`: expected seconds per
    /// ticket (the critical path's), for the order `--limit` keeps.
    public static func choose(
        _ request: Request, graph: TicketGraph, runs base: [Bool], weights: [Double]? = nil
    ) throws(Problem) -> TicketSelection {
        let count = graph.count
        var reasons = [Reason?](repeating: nil, count: count)
        var considered = [Bool](repeating: request.narrowsGraph ? false : true, count: count)
        if request.narrowsGraph {
            var roots = [Bool](repeating: request.targets.isEmpty, count: count)
            var unknown: [UnknownTarget] = []
            var seen = Set<String>()
            for id in request.targets where seen.insert(id).inserted {
                guard let index = graph.index(of: id) else {
                    unknown.append(UnknownTarget(id: id, suggestions: SpellingSuggestion.nearest(to: id, among: graph.tickets.lazy.map(\.id))))
                    continue
                }
                roots[index] = true
                reasons[index] = .target
            }
            guard unknown.isEmpty else { throw .unknownTargets(unknown) }
            if !request.labels.isEmpty {
                // Labels choose among what the targets need, not just the targets themselves.
                let scope = request.targets.isEmpty ? roots : closure(of: roots, in: graph).inside
                let wanted = Set(request.labels)
                var any = false
                for index in 0..<count {
                    let labelled = scope[index] && wanted.isSubset(of: graph.tickets[index].labels)
                    roots[index] = labelled
                    reasons[index] = labelled ? .label(request.labels) : nil
                    any = any || labelled
                }
                if !any {
                    let known = Set(graph.tickets.flatMap(\.labels)).sorted()
                    throw .noTicketLabelled(request.labels, withinTargets: !request.targets.isEmpty, known: known)
                }
            }
            let closed = closure(of: roots, in: graph)
            considered = closed.inside
            for index in 0..<count where closed.pulledBy[index] >= 0 {
                reasons[index] = .dependency(of: graph.tickets[closed.pulledBy[index]].id)
            }
        } else {
            for index in 0..<count where base[index] { reasons[index] = .all }
        }
        var runs = (0..<count).map { considered[$0] && base[$0] }
        var pending = 0
        if let limit = request.limit {
            let kept = firstStarted(limit, of: runs, graph: graph, weights: weights)
            for index in 0..<count where runs[index] && !kept[index] {
                reasons[index] = .pending(limit: limit)
                pending += 1
            }
            runs = kept
        }
        for index in 0..<count where !runs[index] {
            if case .pending? = reasons[index] { continue }
            reasons[index] = nil
        }
        return TicketSelection(request: request, runs: runs, reasons: reasons, considered: considered, pendingCount: pending)
    }

    /// `roots` and everything they depend on, with, for each dependency added,
    /// the dependent that pulled it in (-1 for the roots and the rest).
    /// Dependents come before their dependencies in reversed topological
    /// order, so one pass finds it all.
    private static func closure(of roots: [Bool], in graph: TicketGraph) -> (inside: [Bool], pulledBy: [Int]) {
        var inside = roots
        var pulledBy = [Int](repeating: -1, count: graph.count)
        for ticket in graph.topologicalOrder.reversed() where inside[ticket] {
            for dependency in graph.dependencies(of: ticket).map(Int.init) where !inside[dependency] {
                inside[dependency] = true
                pulledBy[dependency] = ticket
            }
        }
        return (inside, pulledBy)
    }

    /// Of the tickets in `runs`, those a one-job run would start first, up to
    /// `limit` with a recipe: a ticket is taken only once its dependencies are.
    static func firstStarted(_ limit: Int, of runs: [Bool], graph: TicketGraph, weights: [Double]?) -> [Bool] {
        let remaining = CriticalPath(graph: graph, runs: runs, weights: weights).remaining
        var queue = ReadyQueue(priorities: graph.tickets.map(\.priority), remaining: remaining)
        var waitingFor = [Int](repeating: 0, count: graph.count)
        for ticket in 0..<graph.count where runs[ticket] {
            waitingFor[ticket] = graph.dependencies(of: ticket).reduce(0) { $0 + (runs[Int($1)] ? 1 : 0) }
            if waitingFor[ticket] == 0 { queue.push(ticket) }
        }
        var kept = [Bool](repeating: false, count: graph.count)
        var started = 0
        while let ticket = queue.pop() {
            let free = graph.tickets[ticket].recipe == .none
            guard free || started < limit else { continue }
            if !free { started += 1 }
            kept[ticket] = true
            for dependent in graph.dependents(of: ticket).map(Int.init) where runs[dependent] {
                waitingFor[dependent] -= 1
                if waitingFor[dependent] == 0 { queue.push(dependent) }
            }
        }
        return kept
    }
}
