import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Tells the user which tickets a fresh run skips as up to date, right after
/// the run starts, and which ticket succeeded without leaving a declared
/// output as a file (it runs again next time), in front of whichever reporter
/// the run uses.
public struct UpToDateAnnouncer: RunReporter {
    private var base: any RunReporter
    private let tickets: [Int]
    private let graph: TicketGraph
    /// Declared paths are relative to it.
    private let manifestDirectory: String

    public init(base: any RunReporter, upToDate tickets: [Int], graph: TicketGraph, manifestDirectory: String) {
        self.base = base
        self.tickets = tickets
        self.graph = graph
        self.manifestDirectory = manifestDirectory
    }

    /// What is wrong with the declared outputs of a ticket that just succeeded.
    func outputProblem(_ ticket: Int) -> String? {
        for path in graph.tickets[ticket].files?.outputs ?? [] {
            let full = path.hasPrefix("/") || manifestDirectory == "." ? path : manifestDirectory + "/" + path
            switch (try? FileProbe.status(full))?.map(\.kind) {
            case .regular?: continue
            case .directory?: return "its output \(path) is a directory, not a file"
            case .danglingLink?: return "its output \(path) is a symbolic link to nothing"
            case .other?: return "its output \(path) is not a regular file"
            case nil: return "its output \(path) is missing"
            }
        }
        return nil
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
        if case .ticketEnded(let ticket, _, _, .succeeded, _, nil, _) = event, let problem = outputProblem(ticket) {
            base.report(.notice("parrun: warning: \(graph.tickets[ticket].id) succeeded but \(problem); it runs again next time"), elapsed: elapsed)
        }
        if case .runStarted = event, !tickets.isEmpty { base.report(.ticketsUpToDate(tickets), elapsed: elapsed) }
    }

    public mutating func tick(elapsed: Double) { base.tick(elapsed: elapsed) }

    public mutating func reportPlainLines(_ lines: UnsafeRawBufferPointer, ticket: Int, worker: Int, elapsed: Double) -> Bool {
        base.reportPlainLines(lines, ticket: ticket, worker: worker, elapsed: elapsed)
    }
}
