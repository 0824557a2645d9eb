import ParrunModel
import ParrunSupport

/// Tells the user which tickets a fresh run skips as up to date, right after
/// the run starts, in front of whichever reporter the run uses.
public struct UpToDateAnnouncer: RunReporter {
    private var base: any RunReporter
    private let tickets: [Int]

    public init(base: any RunReporter, upToDate tickets: [Int]) {
        self.base = base
        self.tickets = tickets
    }

    /// More than this many are counted with a few named, as make would not list them at all.
    static let namedLimit = 20

    /// `up to date compile-a` or, for many, `up to date: 120 tickets (a, b, c, ... )`.
    static func humanLine(_ ids: [String]) -> String {
        if ids.count <= namedLimit { return ids.map { "up to date \($0.terminalSafe)" }.joined(separator: "\n") }
        return "up to date: \(ids.count) tickets (" + ids.prefix(5).map(\.terminalSafe).joined(separator: ", ") + ", ...)"
    }

    public mutating func report(_ event: RunEvent, elapsed: Double) {
        if case .runFinished(let result) = event, result.records.allSatisfy({ $0.attempts == 0 }), !tickets.isEmpty {
            base.report(.notice("parrun: nothing to do: \(tickets.count) ticket\(tickets.count == 1 ? "" : "s") up to date"), elapsed: elapsed)
        }
        base.report(event, elapsed: elapsed)
        if case .runStarted = event, !tickets.isEmpty { base.report(.ticketsUpToDate(tickets), elapsed: elapsed) }
    }

    public mutating func tick(elapsed: Double) { base.tick(elapsed: elapsed) }

    public mutating func reportPlainLines(_ lines: UnsafeRawBufferPointer, ticket: Int, worker: Int, elapsed: Double) -> Bool {
        base.reportPlainLines(lines, ticket: ticket, worker: worker, elapsed: elapsed)
    }
}
