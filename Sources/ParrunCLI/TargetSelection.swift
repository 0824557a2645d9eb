import ParrunCore
import ParrunModel
import ParrunState
import ParrunSupport

extension RunSelection {
    /// Narrows what this invocation runs to the targets, `--label` and
    /// `--limit` (`TicketSelection`); nil when none was given. A fresh run
    /// of the targets' or labels' part of the manifest continues the latest
    /// run's records (`extendsRun`) instead of replacing them, so `status`
    /// and `--resume` still know what the tickets it left alone did.
    mutating func narrow(
        _ request: TicketSelection.Request, graph: TicketGraph, stateDirectory: String, manifestName: String
    ) throws(UsageError) -> TicketSelection? {
        guard !request.choosesAll else { return nil }
        // --limit orders by the critical path as the scheduler will, by past durations.
        let weights = request.limit == nil ? nil : DurationHistory.load(from: stateDirectory).weights(for: graph)
        let choice: TicketSelection
        do throws(TicketSelection.Problem) {
            choice = try TicketSelection.choose(request, graph: graph, runs: runs, weights: weights)
        } catch {
            switch error {
            case .unknownTargets(let unknown): throw .unknownTargets(manifest: manifestName, unknown)
            case .noTicketLabelled(let labels, let within, let known):
                throw .noTicketLabelled(manifest: manifestName, labels, withinTargets: within, known: known)
            }
        }
        runs = choice.runs
        reasons = reasons.map { reasons in reasons.indices.map { choice.runs[$0] ? reasons[$0] : nil } }
        // Not when --limit leaves tickets pending: one that succeeded in the
        // runs continued would then count as done for --resume, not as pending.
        if mode == .fresh, request.narrowsGraph, choice.pendingCount == 0, let latest = history.latestRun(manifest: manifestPath) {
            extendsRun = latest.run
        }
        notices += Self.choiceNotices(choice, graph: graph)
        self.choice = choice
        return choice
    }

    static func choiceNotices(_ choice: TicketSelection, graph: TicketGraph) -> [String] {
        var notices: [String] = []
        let request = choice.request
        if request.narrowsGraph {
            var what: [String] = []
            if !request.targets.isEmpty { what.append(listed(request.targets, one: "target", many: "targets")) }
            if !request.labels.isEmpty { what.append("labelled " + request.labels.joined(separator: " and ").terminalSafe) }
            let count = choice.runCount + choice.pendingCount
            notices.append("parrun: \(count) of \(graph.count) ticket\(graph.count == 1 ? "" : "s") to run (\(what.joined(separator: ", ")), with what they depend on)")
        }
        if let limit = request.limit, choice.pendingCount > 0 {
            notices.append("parrun: --limit \(limit): \(choice.runCount) ticket\(choice.runCount == 1 ? " starts" : "s start") now; \(choice.pendingCount) stay pending for the next run (parrun --resume)")
        }
        return notices
    }

    private static func listed(_ ids: [String], one: String, many: String) -> String {
        let shown = ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? " (+\(ids.count - 5) more)" : "")
        return (ids.count == 1 ? one : many) + " " + shown.terminalSafe
    }
}

/// The words of the usage errors targets and labels lead to (exit status 2).
enum TargetProblems {
    static func message(_ error: UsageError) -> String {
        switch error {
        case .unknownTargets(let manifest, let unknown):
            let each = unknown.map { target in
                "'\(target.id.truncatedForMessage)'" + (target.suggestions.isEmpty ? "" : " (did you mean \(alternatives(target.suggestions))?)")
            }
            var text = "no ticket \(each.joined(separator: ", nor ")) in \(manifest.truncatedForMessage); `parrun -n` lists the tickets"
            // A misspelt manifest name reads as an id: say how to name a manifest.
            if unknown.contains(where: { $0.id.contains(".") || $0 .id == "Parrunfile" }) {
                text += "; to name a manifest, give it as ./FILE or -f FILE (an operand is the manifest only when it is -, contains a / or is an existing file)"
            }
            return text
        case .noTicketLabelled(let manifest, let labels, let within, let known):
            let asked = labels.map { "'\($0.truncatedForMessage)'" }.joined(separator: " and ")
            var text = within
                ? "no ticket the targets need carries \(labels.count == 1 ? "label" : "labels") \(asked)"
                : "no ticket in \(manifest.truncatedForMessage) carries \(labels.count == 1 ? "label" : "every label of") \(asked)"
            if known.isEmpty {
                text += "; no ticket has labels (give tickets `labels`, see Grammar.md)"
            } else {
                let shown = known.prefix(20).map { $0.truncatedForMessage }.joined(separator: ", ") + (known.count > 20 ? " (+\(known.count - 20) more)" : "")
                text += "; labels in use: \(shown)"
                let near = labels.compactMap { label in known.contains(label) ? nil : SpellingSuggestion.closest(to: label, among: known) }
                if !near.isEmpty { text += "; did you mean \(alternatives(near))?" }
            }
            return text
        case .noManifestForTarget(let operand, let directory):
            return "no manifest: '\(operand.truncatedForMessage)' is not a file here, so it was read as a ticket id, and none of tickets.json, Parrunfile, .beads/issues.jsonl, .sage/tickets/index.json, .specs/tasks/tasks.json is in \(directory); name the manifest as ./FILE or with -f FILE"
        default:
            return error.message
        }
    }

    /// 'a', 'a' or 'b', 'a', 'b' or 'c'
    private static func alternatives(_ names: [String]) -> String {
        let quoted = names.map { "'\($0.truncatedForMessage)'" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }
}
