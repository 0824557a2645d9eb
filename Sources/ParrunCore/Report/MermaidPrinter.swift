import ParrunModel
import ParrunSupport

/// A Mermaid flowchart, for pasting into Markdown. Node names are `t0`, `t1`, ...
/// because Mermaid gives meaning to some characters ids may contain (`-`, `.`);
/// the label carries the id. Control characters in ids and titles are escaped
/// (`TerminalSafe`). The critical path's tickets have the class `critical`, and
/// its edges a `linkStyle` (by the edges' order of appearance).
struct MermaidPrinter {
    let plan: Plan

    func render() -> String {
        var out = "flowchart LR\n"
        for (index, ticket) in plan.graph.tickets.enumerated() {
            var label = escaped(ticket.id.terminalSafe)
            if let title = ticket.title, !title.isEmpty { label += "<br/>" + escaped(title.singleLine) }
            let (open, close) = if case .prompt = ticket.recipe { ("([", "])") } else { ("[", "]") }
            out += "  t\(index)\(open)\"\(label)\"\(close)\n"
        }
        let path = plan.criticalPath.path
        let pathEdges = Set(zip(path, path.dropFirst()).map { "\($0)>\($1)" })
        var edgeNumber = 0
        var criticalEdges: [Int] = []
        for index in plan.graph.tickets.indices {
            for dependency in plan.graph.dependencies(of: index) {
                out += "  t\(dependency) --> t\(index)\n"
                if pathEdges.contains("\(dependency)>\(index)") { criticalEdges.append(edgeNumber) }
                edgeNumber += 1
            }
        }
        if !path.isEmpty {
            out += "  classDef critical stroke:#c00,stroke-width:3px\n"
            out += "  class " + path.map { "t\($0)" }.joined(separator: ",") + " critical\n"
        }
        if !criticalEdges.isEmpty {
            out += "  linkStyle " + criticalEdges.map(String.init).joined(separator: ",") + " stroke:#c00,stroke-width:3px\n"
        }
        let done = plan.graph.tickets.indices.filter { !plan.runs[$0] && !plan.isHeldBack($0) }
        if !done.isEmpty {
            out += "  classDef done stroke-dasharray: 5 5,color:#888\n"
            out += "  class " + done.map { "t\($0)" }.joined(separator: ",") + " done\n"
        }
        let held = plan.graph.tickets.indices.filter(plan.isHeldBack)
        if !held.isEmpty {
            out += "  classDef held stroke-dasharray: 2 2,stroke:#c60,color:#c60\n"
            out += "  class " + held.map { "t\($0)" }.joined(separator: ",") + " held\n"
        }
        return out
    }

    /// Mermaid entity codes for characters that would end or confuse a quoted label.
    private func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "#": out += "#35;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
