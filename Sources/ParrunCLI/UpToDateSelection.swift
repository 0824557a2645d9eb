import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState

/// The up-to-date check as a fresh run applies it (docs/up-to-date.md): it
/// takes the tickets found up to date out of the run, and keeps what the run
/// needs to record their files and to say why the others run.
struct UpToDateSelection {
    var check: UpToDateCheck
    var snapshotter: FileSnapshotter
    var manifestDirectory: String

    /// Whether this invocation records tickets' files at all: a journal to keep
    /// them in, tickets that declare some, and the checkout as the place
    /// outputs land (with `--worktree` they land through git, later).
    static func records(_ invocation: Invocation, manifest: Manifest) -> Bool {
        !invocation.noJournal && !invocation.worktree && !manifest.settings.isolateInWorktrees
            && manifest.tickets.contains { $0.files != nil }
    }

    /// Checks a fresh run's tickets and removes the up-to-date ones from
    /// `selection.runs`; nil when no check applies (`-B`, `--resume`, a join,
    /// no declared files), and then every ticket runs as before.
    static func apply(
        to selection: inout RunSelection, invocation: Invocation, manifest: Manifest, graph: TicketGraph,
        recipeHashes: [String], records: [JournalRecord], manifestDirectory: String
    ) -> UpToDateSelection? {
        guard selection.mode == .fresh, !invocation.alwaysRun, Self.records(invocation, manifest: manifest) else { return nil }
        let past = UpToDateCheck.Past(records: records, manifest: selection.manifestPath)
        var snapshotter = FileSnapshotter(files: DiskFiles(), base: manifestDirectory)
        let check = UpToDateCheck(
            graph: graph, runs: selection.runs, recipeHashes: recipeHashes, past: past,
            snapshotter: &snapshotter, run: "", now: Clock.wall())
        for ticket in graph.tickets.indices where selection.runs[ticket] && check.upToDate[ticket] {
            selection.runs[ticket] = false
        }
        return UpToDateSelection(check: check, snapshotter: snapshotter, manifestDirectory: manifestDirectory)
    }

    /// Without a check (`--resume`, a join, `-B`): the stamps of the tickets
    /// this invocation does not run, from their last files records, so that
    /// their dependents record them as they are and stay up to date next time.
    static func earlierStamps(graph: TicketGraph, runs: [Bool], records: [JournalRecord], manifest: String) -> [String?] {
        let past = UpToDateCheck.Past(records: records, manifest: manifest)
        var stamps = [String?](repeating: nil, count: graph.count)
        for ticket in graph.topologicalOrder where !runs[ticket] {
            let definition = graph.tickets[ticket]
            let dependencies = graph.dependencies(of: ticket).map(Int.init)
            if definition.files != nil {
                stamps[ticket] = past.files[definition.id]?.stamp
            } else if definition.recipe == .none && !dependencies.isEmpty && !definition.isDone {
                stamps[ticket] = UpToDateCheck.groupStamp(dependencies.map { stamps[$0] })
            } else {
                stamps[ticket] = "done"
            }
        }
        return stamps
    }

    /// Tickets of the run found up to date (not those done in the manifest).
    func upToDateTickets(in graph: TicketGraph) -> [Int] {
        graph.topologicalOrder.filter { check.upToDate[$0] && check.stamps[$0] != "done" }
    }

    /// `-n`: why each ticket runs, in the run's words.
    var reasons: [String?] { check.reasons.map { $0?.description } }
}
