import Testing
@testable import ParrunCore
@testable import ParrunModel

/// A store's fresh-run plan, as `parrun` builds it, and each ticket's held-back reason.
func storePlan(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (plan: Plan, held: [String?]) {
    let graph = try validGraph(text, sourceLocation: sourceLocation)
    let jobs = JobCount.resolve(commandLine: .count(2), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2)
    return (Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: jobs), HeldBack.reasons(graph))
}

/// The ids of the tickets a fresh run starts, in manifest order.
func idsToRun(_ plan: Plan) -> [String] {
    plan.graph.tickets.indices.filter { plan.runs[$0] }.map { plan.graph.tickets[$0].id }
}

/// Per ticket id, its held-back reason (only the held-back ones).
func heldByID(_ plan: Plan, _ held: [String?]) -> [String: String] {
    var out: [String: String] = [:]
    for (index, reason) in held.enumerated() { if let reason { out[plan.graph.tickets[index].id] = reason } }
    return out
}

/// One beads issue as a JSON Lines line; `links` are `(depends_on_id, type)`.
func beadsIssue(_ id: String, status: String = "open", type: String = "task", priority: Int = 2, links: [(String, String)] = []) -> String {
    let dependencies = links.map { #"{"issue_id": "\#(id)", "depends_on_id": "\#($0.0)", "type": "\#($0.1)"}"# }
    return #"{"id": "\#(id)", "title": "Issue \#(id)", "status": "\#(status)", "priority": \#(priority), "issue_type": "\#(type)", "dependencies": [\#(dependencies.joined(separator: ", "))]}"#
}
