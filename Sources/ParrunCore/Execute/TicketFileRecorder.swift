import ParrunModel
import ParrunPlatform
import ParrunState

/// Records the files of tickets that declare them as they succeed: inputs are
/// hashed just before the ticket starts (a change while it runs is then seen
/// by the next run), outputs once it succeeded; the `files` record follows its
/// `succeeded` end, so a crash between the two only makes it run again.
/// Owned by the run loop's `RunJournal`; one thread.
public final class TicketFileRecorder {
    private let graph: TicketGraph
    private let recipeHashes: [String]
    private let runID: String
    private var snapshotter: FileSnapshotter
    /// Per ticket: its stamp as a dependent records it (from the up-to-date
    /// check, then from this run's successes); nil while unknown or none.
    private var stamps: [String?]
    /// Inputs hashed when each ticket started, and when.
    private var inputs: [Int: (entries: [JournalRecord.FileEntry], time: Double)] = [:]

    public init(graph: TicketGraph, recipeHashes: [String], runID: String, snapshotter: FileSnapshotter, stamps: [String?]) {
        self.graph = graph
        self.recipeHashes = recipeHashes
        self.runID = runID
        self.snapshotter = snapshotter
        self.stamps = stamps
    }

    /// The records of tickets found up to date, written when the run begins:
    /// a fresh run drops the manifest's earlier runs from the journal.
    public static func carriedForward(_ check: UpToDateCheck, run: String) -> [JournalRecord] {
        check.records.keys.sorted().compactMap { ticket in
            guard var record = check.records[ticket] else { return nil }
            record.run = run
            return .files(record)
        }
    }

    func willStart(_ ticket: Int) {
        guard let files = graph.tickets[ticket].files else { return }
        let now = Clock.wall()
        var entries: [JournalRecord.FileEntry] = []
        for path in snapshotter.expand(files.inputs).paths {
            if case .file(let entry) = snapshotter.observe(path, earlier: nil, now: now) {
                entries.append(entry)
            } else {
                // Missing or unreadable: recorded without a hash, so the next run runs it again.
                entries.append(JournalRecord.FileEntry(path: path, hash: nil))
            }
        }
        inputs[ticket] = (entries, now)
    }

    /// The ticket succeeded (its last attempt): its files record, if it declares files.
    func succeeded(_ ticket: Int, attempt: Int) -> JournalRecord? {
        let definition = graph.tickets[ticket]
        let dependencies = graph.dependencies(of: ticket).map(Int.init)
        guard let files = definition.files else {
            stamps[ticket] = definition.recipe == .none && !dependencies.isEmpty ? UpToDateCheck.groupStamp(dependencies.map { stamps[$0] }) : nil
            return nil
        }
        guard let started = inputs.removeValue(forKey: ticket) else { return nil }
        let now = Clock.wall()
        let outputs = files.outputs.map(DeclaredFiles.normalized).map { path in
            if case .file(let entry) = snapshotter.observe(path, earlier: nil, now: now) { return entry }
            return JournalRecord.FileEntry(path: path, hash: nil)
        }
        let current = dependencies.map { JournalRecord.FilesRecord.Dependency(id: graph.tickets[$0].id, stamp: stamps[$0]) }
        let stamp = JournalRecord.FilesRecord.stamp(recipe: recipeHashes[ticket], inputs: started.entries, outputs: outputs, dependencies: current)
        stamps[ticket] = stamp
        return .files(JournalRecord.FilesRecord(
            run: runID, id: definition.id, recipe: recipeHashes[ticket], stamp: stamp, time: started.time,
            inputs: started.entries, outputs: outputs, dependencies: current))
    }
}
