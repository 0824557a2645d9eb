import ParrunModel
import ParrunSupport

/// Graphviz DOT. Arrows point from a dependency to the ticket that waits for it,
/// the direction work flows, as in `make`-graph tools. Tickets already done are
/// grey and dashed, held-back ones orange and dotted; prompt tickets have their
/// own shape; the critical path is drawn bold and red, its tickets and the
/// edges between them. Renders with `dot -Tsvg`. Control characters in ids and titles
/// are escaped (`TerminalSafe`), for a terminal that shows the text and for
/// Graphviz, which shows the escape.
struct DotPrinter {
    let plan: Plan

    func render() -> String {
        let path = plan.criticalPath.path
        let onPath = Set(path)
        let pathEdges = Set(zip(path, path.dropFirst()).map { "\($0)>\($1)" })
        var out = "digraph parrun {\n"
        out += "  rankdir=LR;\n"
        out += "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
        for (index, ticket) in plan.graph.tickets.enumerated() {
            var attributes = ["label=" + quoted(label(ticket))]
            if case .prompt = ticket.recipe { attributes.append("shape=note") }
            if plan.isHeldBack(index) {
                attributes.append("style=\"rounded,dotted\", color=darkorange3, fontcolor=darkorange3")
            } else if !plan.runs[index] {
                attributes.append("style=\"rounded,dashed\", color=gray50, fontcolor=gray50")
            } else if onPath.contains(index) {
                attributes.append("color=red3, penwidth=2")
            }
            out += "  " + quoted(ticket.id.terminalSafe) + " [" + attributes.joined(separator: ", ") + "];\n"
        }
        for (index, ticket) in plan.graph.tickets.enumerated() {
            for dependency in plan.graph.dependencies(of: index) {
                let critical = pathEdges.contains("\(dependency)>\(index)") ? " [color=red3, penwidth=2]" : ""
                out += "  " + quoted(plan.graph.tickets[Int(dependency)].id.terminalSafe) + " -> " + quoted(ticket.id.terminalSafe) + critical + ";\n"
            }
        }
        out += "}\n"
        return out
    }

    private func label(_ ticket: Ticket) -> String {
        guard let title = ticket.title, !title.isEmpty else { return ticket.id.terminalSafe }
        return ticket.id.terminalSafe + "\n" + title.singleLine
    }

    /// A DOT string: quotes and backslashes escaped, line breaks as `\n`.
    private func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
