import ParrunModel
import ParrunState
import ParrunSupport

/// The text of `parrun --dry-run` and `--summary`. Ids, titles, names and
/// patterns are shown with control characters escaped (`TerminalSafe`).
public struct PlanPrinter {
    public let plan: Plan
    public let manifestName: String
    /// With `--resume`: why each ticket that runs runs again.
    public var reasons: [ResumeDecision.Reason?]?
    /// A fresh run with declared files: why each ticket that runs is not up to date.
    public var whyRuns: [String?]?
    /// `--worktree` (or the manifest's `isolate = worktree`): tickets with a recipe work in worktrees.
    public var worktree = false
    /// Targets, `--label`, `--limit`: why each ticket was chosen (`PlanChoicePrinter.swift`).
    public var choice: TicketSelection?
    /// What earlier runs say the run will take.
    public var estimate: RunEstimate?

    /// A ticket's dependency list is cut after this many ids to keep lines readable.
    static let dependencyDisplayLimit = 10

    public init(plan: Plan, manifestName: String) {
        self.plan = plan
        self.manifestName = manifestName
    }

    public func dryRun() -> String {
        let graph = plan.graph
        let idWidth = min(32, graph.tickets.indices.lazy.map { id($0).unicodeScalars.count }.max() ?? 0)
        let counts = plan.counts
        var out = "Plan for \(manifestName.terminalSafe): \(counts.toRun) of \(counts.tickets) ticket\(counts.tickets == 1 ? "" : "s") to run\n"
        if let choice { out += choiceSection(choice, idWidth: idWidth) }
        if let reasons {
            out += resumeSection(reasons, idWidth: idWidth)
        }
        if let whyRuns, plan.ticketsToRun > 0 {
            out += whyRunsSection(whyRuns, idWidth: idWidth)
        }
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
        let done = graph.tickets.indices.filter { !plan.runs[$0] && graph.tickets[$0].isDone && (choice?.considered[$0] ?? true) }
        if !done.isEmpty {
            out += "\nalready done (\(done.count)): " + idList(done) + "\n"
        }
        let held = plan.heldBack
        let heldBack = held.indices.filter { held[$0] != nil }
        if !heldBack.isEmpty {
            out += "\nheld back, not run (\(heldBack.count)):\n"
            for index in heldBack.prefix(Self.idListLimit) {
                out += "  " + id(index).padding(to: idWidth) + "  " + held[index]!.terminalSafe + "\n"
            }
            if heldBack.count > Self.idListLimit { out += "  ... and \(heldBack.count - Self.idListLimit) more\n" }
        }
        let succeeded = graph.tickets.indices.filter { !plan.runs[$0] && !graph.tickets[$0].isDone && !plan.isHeldBack($0) && isChosenOrAll($0) }
        if !succeeded.isEmpty {
            out += (whyRuns == nil ? "\nalready succeeded" : "\nup to date") + " (\(succeeded.count)): " + idList(succeeded) + "\n"
        }
        let exclusions = Exclusions(graph: graph, runs: plan.runs)
        if !exclusions.isEmpty {
            out += "\nnever at the same time (their touches overlap):\n"
            for pair in exclusions.pairs.prefix(Self.idListLimit) {
                out += "  \(id(pair.first)) and \(id(pair.second))  (\(pair.patterns.0.terminalSafe) ~ \(pair.patterns.1.terminalSafe))\n"
            }
            if exclusions.pairs.count > Self.idListLimit { out += "  ... and \(exclusions.pairs.count - Self.idListLimit) more\n" }
        }
        out += "\n" + criticalPathLine()
        if let estimate { out += estimateSection(estimate) }
        out += summary()
        return out
    }

    /// Counts only: what `--summary` prints, and the last lines of the dry run.
    public func summary() -> String {
        let counts = plan.counts
        let notChosen = notChosenCount
        var out = "tickets \(counts.tickets) (\(counts.toRun) to run, \(counts.done - notChosen) done" + (counts.heldBack > 0 ? ", \(counts.heldBack) held back" : "")
        out += notChosen > 0 ? ", \(notChosen) not chosen)" : ")"
        out += "  edges \(counts.edges)  waves \(counts.waves)"
        if let number = counts.widestWaveNumber { out += "  widest wave \(counts.widestWave) (wave \(number))" }
        out += "  critical path \(counts.criticalPath)\n"
        out += "jobs \(plan.jobs.value) (\(plan.jobs.explanation))\n"
        if plan.agentKinds.contains(.claude) { out += "agents \(plan.agents.value) at once, apart from jobs (\(plan.agents.explanation))\n" }
        if plan.agentKinds.contains(.codex) { out += "codex agents \(plan.codexAgents) at once, apart from jobs (\(plan.codexAgentsExplanation))\n" }
        return out
    }

    /// Ids in a list line beyond this many are counted, not named.
    static let idListLimit = 50

    private func idList(_ tickets: [Int]) -> String {
        var text = tickets.prefix(Self.idListLimit).map(id).joined(separator: ", ")
        if tickets.count > Self.idListLimit { text += " (+\(tickets.count - Self.idListLimit) more)" }
        return text
    }

    /// `--dry-run --resume`: every ticket that runs again, and why.
    private func resumeSection(_ reasons: [ResumeDecision.Reason?], idWidth: Int) -> String {
        var out = "\nresuming: what runs again and why\n"
        for index in plan.graph.topologicalOrder {
            guard let reason = reasons[index] else { continue }
            out += "  " + id(index).padding(to: idWidth) + "  " + reason.description.terminalSafe + "\n"
        }
        return out
    }

    /// A fresh run with declared files: every ticket that runs, and why it is not up to date.
    private func whyRunsSection(_ reasons: [String?], idWidth: Int) -> String {
        var out = "\nwhat runs and why (the rest is up to date)\n"
        for index in plan.graph.topologicalOrder where plan.runs[index] {
            guard let reason = reasons[index] else { continue }
            out += "  " + id(index).padding(to: idWidth) + "  " + reason.terminalSafe + "\n"
        }
        return out
    }

    /// Widest dependency column before titles stop lining up.
    static let afterColumnLimit = 48

    private func dependencyText(_ index: Int) -> String {
        let dependencies = plan.graph.dependencies(of: index).map { id(Int($0)) }
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
        var line = "  " + id(index).padding(to: idWidth) + "  " + kind.padding(to: 6)
        line += "  " + "prio \(ticket.priority)".padding(to: 7)
        let tags = tags(of: ticket)
        if !tags.isEmpty { line += "  [" + tags.joined(separator: " ") + "]" }
        if let title = ticket.title, !title.isEmpty {
            if afterWidth > 0 { line += "  " + after.padding(to: afterWidth) }
            line += "  # " + title.singleLine
        } else if !after.isEmpty {
            line += "  " + after
        }
        return line.trimmingTrailingSpaces + "\n"
    }

    /// What runs around the recipe: its gates, its pool, its worktree.
    private func tags(of ticket: Ticket) -> [String] {
        var tags: [String] = []
        if ticket.verifyScript != nil { tags.append("verify") }
        if ticket.review { tags.append("review") }
        if let pool = ticket.pool { tags.append("pool " + pool.terminalSafe) }
        if worktree && ticket.recipe != .none { tags.append("worktree") }
        return tags
    }

    private func criticalPathLine() -> String {
        let path = plan.criticalPath.path
        guard !path.isEmpty else { return "critical path: none (nothing to run)\n" }
        return "critical path (\(path.count) ticket\(path.count == 1 ? "" : "s")): "
            + path.map(id).joined(separator: " -> ") + "\n"
    }

    /// A ticket's id as shown (for the files that extend this printer).
    func shownID(_ index: Int) -> String { id(index) }

    /// A ticket's id as shown: the readers refuse control characters in ids, and this does not rely on it.
    private func id(_ index: Int) -> String { plan.graph.tickets[index].id.terminalSafe }
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

    /// Line breaks and tabs become spaces, so titles go on one line; other
    /// control characters are escaped (`TerminalSafe`).
    var singleLine: String {
        func isBreak(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\r" || scalar == "\t" }
        guard utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else { return terminalSafe }
        return String(String.UnicodeScalarView(unicodeScalars.map { isBreak($0) ? " " : $0 })).terminalSafe
    }
}
