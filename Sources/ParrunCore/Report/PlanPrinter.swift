import ParrunModel
import ParrunState

/// The text of `parrun --dry-run` and `--summary`.
public struct PlanPrinter {
    public let plan: Plan
    public let manifestName: String
    /// With `--resume`: why each ticket that runs runs again.
    public var reasons: [ResumeDecision.Reason?]?

    /// A ticket's dependency list is cut after this many ids to keep lines readable.
    static let dependencyDisplayLimit = 10

    public init(plan: Plan, manifestName: String) {
        self.plan = plan
        self.manifestName = manifestName
    }

    public func dryRun() -> String {
        let graph = plan.graph
        let counts = plan.counts
        var out = "Plan for \(manifestName): \(counts.toRun) of \(counts.tickets) ticket\(counts.tickets == 1 ? "" : "s") to run\n"
        if let reasons {
            out += resumeSection(reasons, idWidth: min(32, graph.tickets.lazy.map(\.id.utf8.count).max() ?? 0))
        }
        let idWidth = min(32, graph.tickets.lazy.map(\.id.utf8.count).max() ?? 0)
        for (number, wave) in plan.waves.waves.enumerated() {
            out += "\nwave \(number + 1) (\(wave.count) ticket\(wave.count == 1 ? "" : "s"))\n"
            let sorted = wave.sorted { (graph.tickets[$0].priority, $0) < (graph.tickets[$1].priority, $1) }
            let after = sorted.map(dependencyText)
            // Titles line up within a wave unless a dependency list is very long.
            let afterWidth = min(Self.afterColumnLimit, after.map(\.unicodeScalars.count).max() ?? 0)
            for (index, dependencies) in zip(sorted, after) {
                out += ticketLine(index, idWidth: idWidth, after: dependencies, afterWidth: afterWidth)
            }
        }
        let done = graph.tickets.indices.filter { !plan.runs[$0] && graph.tickets[$0].isDone }
        if !done.isEmpty {
            out += "\nalready done (\(done.count)): " + idList(done) + "\n"
        }
        let held = plan.heldBack
        let heldBack = held.indices.filter { held[$0] != nil }
        if !heldBack.isEmpty {
            out += "\nheld back, not run (\(heldBack.count)):\n"
            for index in heldBack.prefix(Self.idListLimit) {
                out += "  " + graph.tickets[index].id.padding(to: idWidth) + "  " + held[index]! + "\n"
            }
            if heldBack.count > Self.idListLimit { out += "  ... and \(heldBack.count - Self.idListLimit) more\n" }
        }
        let succeeded = graph.tickets.indices.filter { !plan.runs[$0] && !graph.tickets[$0].isDone && !plan.isHeldBack($0) }
        if !succeeded.isEmpty {
            out += "\nalready succeeded (\(succeeded.count)): " + idList(succeeded) + "\n"
        }
        let exclusions = Exclusions(graph: graph, runs: plan.runs)
        if !exclusions.isEmpty {
            out += "\nnever at the same time (their touches overlap):\n"
            for pair in exclusions.pairs.prefix(Self.idListLimit) {
                out += "  \(graph.tickets[pair.first].id) and \(graph.tickets[pair.second].id)  (\(pair.patterns.0) ~ \(pair.patterns.1))\n"
            }
            if exclusions.pairs.count > Self.idListLimit { out += "  ... and \(exclusions.pairs.count - Self.idListLimit) more\n" }
        }
        out += "\n" + criticalPathLine()
        out += summary()
        return out
    }

    /// Counts only: what `--summary` prints, and the last lines of the dry run.
    public func summary() -> String {
        let counts = plan.counts
        var out = "tickets \(counts.tickets) (\(counts.toRun) to run, \(counts.done) done" + (counts.heldBack > 0 ? ", \(counts.heldBack) held back)" : ")")
        out += "  edges \(counts.edges)  waves \(counts.waves)"
        if let number = counts.widestWaveNumber { out += "  widest wave \(counts.widestWave) (wave \(number))" }
        out += "  critical path \(counts.criticalPath)\n"
        out += "jobs \(plan.jobs.value) (\(plan.jobs.explanation))\n"
        return out
    }

    /// Ids in a list line beyond this many are counted, not named.
    static let idListLimit = 50

    private func idList(_ tickets: [Int]) -> String {
        var text = tickets.prefix(Self.idListLimit).map { plan.graph.tickets[$0].id }.joined(separator: ", ")
        if tickets.count > Self.idListLimit { text += " (+\(tickets.count - Self.idListLimit) more)" }
        return text
    }

    /// `--dry-run --resume`: every ticket that runs again, and why.
    private func resumeSection(_ reasons: [ResumeDecision.Reason?], idWidth: Int) -> String {
        var out = "\nresuming: what runs again and why\n"
        for index in plan.graph.topologicalOrder {
            guard let reason = reasons[index] else { continue }
            out += "  " + plan.graph.tickets[index].id.padding(to: idWidth) + "  " + reason.description + "\n"
        }
        return out
    }

    /// Widest dependency column before titles stop lining up.
    static let afterColumnLimit = 48

    private func dependencyText(_ index: Int) -> String {
        let dependencies = plan.graph.dependencies(of: index).map { plan.graph.tickets[Int($0)].id }
        guard !dependencies.isEmpty else { return "" }
        var text = "after " + dependencies.prefix(Self.dependencyDisplayLimit).joined(separator: ", ")
        if dependencies.count > Self.dependencyDisplayLimit {
            text += " (+\(dependencies.count - Self.dependencyDisplayLimit) more)"
        }
        return text
    }

    private func ticketLine(_ index: Int, idWidth: Int, after: String, afterWidth: Int) -> String {
        let ticket = plan.graph.tickets[index]
        // A group (a beads epic) has no recipe by design, unlike a ticket still waiting for a template.
        let kind = ticket.isGroup && ticket.recipe == .none ? "group" : ticket.recipe.kind
        var line = "  " + ticket.id.padding(to: idWidth) + "  " + kind.padding(to: 6)
        line += "  " + "prio \(ticket.priority)".padding(to: 7)
        if let title = ticket.title, !title.isEmpty {
            if afterWidth > 0 { line += "  " + after.padding(to: afterWidth) }
            line += "  # " + title.singleLine
        } else if !after.isEmpty {
            line += "  " + after
        }
        return line.trimmingTrailingSpaces + "\n"
    }

    private func criticalPathLine() -> String {
        let path = plan.criticalPath.path
        guard !path.isEmpty else { return "critical path: none (nothing to run)\n" }
        return "critical path (\(path.count) ticket\(path.count == 1 ? "" : "s")): "
            + path.map { plan.graph.tickets[$0].id }.joined(separator: " -> ") + "\n"
    }
}

extension String {
    /// Pads with spaces to `width` scalars (ids and columns are ASCII; counting
    /// scalars avoids grapheme breaking on 100,000-line plans).
    package func padding(to width: Int) -> String {
        let length = unicodeScalars.count
        return length >= width ? self : self + String(repeating: " ", count: width - length)
    }

    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }

    /// Line breaks and control characters become spaces: titles go on one line.
    var singleLine: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
