import ParrunModel
import ParrunSupport

/// `--graph json`: the graph and plan for scripts. The schema is documented in
/// docs/scripting.md under "The graph as JSON"; keys are only ever added, never renamed, and
/// `version` changes if that promise is ever broken.
struct GraphJSONPrinter {
    static let schemaVersion = 1

    let plan: Plan
    let manifestName: String
    /// `--worktree`: tickets with a recipe work in worktrees of their own.
    var worktree = false

    func render() -> String {
        let graph = plan.graph
        let counts = plan.counts
        var out = "{\n"
        out += "  \"schema\": \"parrun-graph\",\n"
        out += "  \"version\": \(Self.schemaVersion),\n"
        out += "  \"manifest\": \(JSONText.quoted(manifestName)),\n"
        out += "  \"jobs\": {\"value\": \(plan.jobs.value), \"source\": \(JSONText.quoted(sourceName)), \"explanation\": \(JSONText.quoted(plan.jobs.explanation))},\n"
        if plan.hasAgents {
            out += "  \"agents\": {\"value\": \(plan.agents.value), \"explanation\": \(JSONText.quoted(plan.agents.explanation))},\n"
        }
        if plan.agentKinds.contains(.codex) {
            out += "  \"codexAgents\": {\"value\": \(plan.codexAgents), \"explanation\": \(JSONText.quoted(plan.codexAgentsExplanation))},\n"
        }
        out += "  \"counts\": {\"tickets\": \(counts.tickets), \"toRun\": \(counts.toRun), \"done\": \(counts.done), \"edges\": \(counts.edges), \"waves\": \(counts.waves), \"widestWave\": \(counts.widestWave), \"criticalPath\": \(counts.criticalPath), \"heldBack\": \(counts.heldBack)},\n"
        out += "  \"tickets\": [\n"
        for (index, ticket) in graph.tickets.enumerated() {
            var fields: [String] = []
            fields.append("\"id\": " + JSONText.quoted(ticket.id))
            fields.append("\"title\": " + JSONText.quotedOrNull(ticket.title))
            fields.append("\"recipe\": " + JSONText.quoted(ticket.recipe.kind))
            fields.append("\"priority\": \(ticket.priority)")
            fields.append("\"dependsOn\": " + JSONText.array(graph.dependencies(of: index).map { JSONText.quoted(graph.tickets[Int($0)].id) }))
            fields.append("\"dependents\": " + JSONText.array(graph.dependents(of: index).map { JSONText.quoted(graph.tickets[Int($0)].id) }))
            fields.append("\"runs\": \(plan.runs[index])")
            fields.append("\"heldBack\": " + JSONText.quotedOrNull(plan.heldBack.isEmpty ? nil : plan.heldBack[index]))
            fields.append("\"status\": " + JSONText.quotedOrNull(ticket.status))
            fields.append("\"wave\": " + (plan.waves.waveOfTicket[index].map { String($0 + 1) } ?? "null"))
            fields.append("\"pool\": " + JSONText.quotedOrNull(ticket.pool))
            fields.append("\"gates\": {\"verify\": \(ticket.verifyScript != nil), \"review\": \(ticket.review)}")
            fields.append("\"worktree\": \(worktree && ticket.recipe != .none)")
            fields.append("\"timeoutSeconds\": " + (ticket.timeoutSeconds.map(JSONText.number) ?? "null"))
            fields.append("\"retries\": " + (ticket.retries.map(String.init) ?? "null"))
            out += "    {" + fields.joined(separator: ", ") + "}" + (index + 1 < graph.count ? "," : "") + "\n"
        }
        out += "  ],\n"
        out += "  \"waves\": " + JSONText.array(plan.waves.waves.map { wave in JSONText.array(wave.map { JSONText.quoted(graph.tickets[$0].id) }) }) + ",\n"
        out += "  \"criticalPath\": " + JSONText.array(plan.criticalPath.path.map { JSONText.quoted(graph.tickets[$0].id) }) + "\n"
        out += "}\n"
        return out
    }

    private var sourceName: String {
        switch plan.jobs.source {
        case .commandLine: "command-line"
        case .environment: "environment"
        case .manifest: "manifest"
        case .fallback: "default"
        }
    }
}
