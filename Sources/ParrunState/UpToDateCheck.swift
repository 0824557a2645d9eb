import ParrunModel
import ParrunSupport

/// Which tickets a fresh run can skip because they are up to date, as make
/// decides from timestamps and ninja from its build log, here from content
/// hashes: a ticket is up to date when it declares files, succeeded before,
/// and since then its recipe, its inputs' content, its outputs and its
/// dependencies are unchanged and no dependency reruns. A ticket without a
/// recipe or files (a group) is up to date when all its dependencies are.
/// Pure but for the `FileObserving` it is given (docs/up-to-date.md).
public struct UpToDateCheck {
    /// What the journal says about each ticket's past (by id), for the manifest at hand.
    public struct Past: Sendable {
        /// The latest files record of each ticket.
        public var files: [String: JournalRecord.FilesRecord] = [:]
        /// The status of each ticket's last end (retries ignored).
        public var lastStatus: [String: String] = [:]

        public init(files: [String: JournalRecord.FilesRecord] = [:], lastStatus: [String: String] = [:]) {
            self.files = files
            self.lastStatus = lastStatus
        }

        /// The records of the runs of `manifest` (its `RunRecord.manifest`).
        public init(records: [JournalRecord], manifest: String) {
            var ofManifest = Set<String>()
            for record in records {
                switch record {
                case .run(let run) where run.manifest == manifest:
                    ofManifest.insert(run.run)
                case .files(let files) where ofManifest.contains(files.run):
                    self.files[files.id] = files
                case .end(let end) where ofManifest.contains(end.run) && !end.retry:
                    lastStatus[end.id] = end.status
                default:
                    break
                }
            }
        }
    }

    /// Per ticket (graph order): it is up to date and does not run.
    public private(set) var upToDate: [Bool]
    /// Per ticket that runs: why.
    public private(set) var reasons: [UpToDateReason?]
    /// Per ticket: its state as a dependent records it (`FilesRecord.stamp`);
    /// nil for tickets that run, or that have none (no declared files).
    public private(set) var stamps: [String?]
    /// The files record of each up-to-date ticket with files, as observed now:
    /// the fresh run writes these so that the next run still finds them.
    public private(set) var records: [Int: JournalRecord.FilesRecord] = [:]
    /// What the user should hear about: patterns matching nothing, unreadable inputs.
    public private(set) var warnings: [String] = []

    /// `runs`: the fresh run's mask (tickets done or held back are not checked).
    /// `now`: wall time before any file is looked at.
    public init(
        graph: TicketGraph, runs: [Bool], recipeHashes: [String], past: Past,
        snapshotter: inout FileSnapshotter, run: String, now: Double
    ) {
        upToDate = [Bool](repeating: false, count: graph.count)
        reasons = [UpToDateReason?](repeating: nil, count: graph.count)
        stamps = [String?](repeating: nil, count: graph.count)
        for ticket in graph.tickets.indices where !runs[ticket] {
            // Done in the manifest: never changes under its dependents.
            upToDate[ticket] = true
            stamps[ticket] = "done"
        }
        for ticket in graph.topologicalOrder where runs[ticket] {
            let definition = graph.tickets[ticket]
            let dependencies = graph.dependencies(of: ticket).map(Int.init)
            if let rerun = dependencies.first(where: { !upToDate[$0] }) {
                reasons[ticket] = .dependencyReruns(graph.tickets[rerun].id)
                continue
            }
            guard let files = definition.files else {
                if definition.recipe == .none && !dependencies.isEmpty {
                    upToDate[ticket] = true
                    stamps[ticket] = Self.groupStamp(dependencies.map { stamps[$0] })
                } else {
                    reasons[ticket] = .noDeclaredFiles
                }
                continue
            }
            let current = dependencies.map { JournalRecord.FilesRecord.Dependency(id: graph.tickets[$0].id, stamp: stamps[$0]) }
            switch check(definition, files: files, recipe: recipeHashes[ticket], dependencies: current, past: past, snapshotter: &snapshotter, run: run, now: now) {
            case .success(let record):
                upToDate[ticket] = true
                stamps[ticket] = record.stamp
                records[ticket] = record
            case .failure(let reason):
                reasons[ticket] = reason.reason
            }
        }
    }

    /// The stamp of a group: its dependencies' stamps (nil when one has none).
    public static func groupStamp(_ dependencies: [String?]) -> String? {
        var parts = ["group"]
        for stamp in dependencies {
            guard let stamp else { return nil }
            parts.append(stamp)
        }
        return StableHash.hex(parts)
    }

    struct Runs: Error {
        let reason: UpToDateReason
        init(_ reason: UpToDateReason) { self.reason = reason }
    }

    private mutating func check(
        _ ticket: Ticket, files: DeclaredFiles, recipe: String, dependencies: [JournalRecord.FilesRecord.Dependency],
        past: Past, snapshotter: inout FileSnapshotter, run: String, now: Double
    ) -> Result<JournalRecord.FilesRecord, Runs> {
        guard let last = past.files[ticket.id] else {
            return .failure(Runs(past.lastStatus[ticket.id] == "succeeded" ? .noRecordedHashes : .noEarlierSuccess))
        }
        if let status = past.lastStatus[ticket.id], status != "succeeded" { return .failure(Runs(.lastAttempt(status))) }
        if last.recipe != recipe { return .failure(Runs(.recipeChanged)) }

        let outputs = files.outputs.map(DeclaredFiles.normalized)
        if outputs != last.outputs.map(\.path) { return .failure(Runs(.outputsChanged)) }
        var outputEntries: [JournalRecord.FileEntry] = []
        for (path, earlier) in zip(outputs, last.outputs) {
            switch snapshotter.observe(path, earlier: (earlier, last.time), now: now) {
            case .file(let entry):
                if entry.hash == nil || entry.hash != earlier.hash { return .failure(Runs(.outputChanged(path))) }
                outputEntries.append(entry)
            case .missing: return .failure(Runs(.outputMissing(path)))
            case .directory: return .failure(Runs(.outputIsDirectory(path)))
            case .danglingLink: return .failure(Runs(.outputDanglingLink(path)))
            case .unreadable(let why): return .failure(Runs(.outputUnreadable(path, why)))
            }
        }

        let (paths, unmatched) = snapshotter.expand(files.inputs)
        for pattern in unmatched {
            warnings.append("parrun: warning: input pattern '\(pattern)' of ticket \(ticket.id) matches no file")
        }
        let earlierInputs = Dictionary(last.inputs.map { ($0.path, $0) }, uniquingKeysWith: { $1 })
        if let added = paths.first(where: { earlierInputs[$0] == nil }) { return .failure(Runs(.inputAdded(added))) }
        let nowPaths = Set(paths)
        if let removed = last.inputs.first(where: { !nowPaths.contains($0.path) }) { return .failure(Runs(.inputRemoved(removed.path))) }
        var inputEntries: [JournalRecord.FileEntry] = []
        inputEntries.reserveCapacity(paths.count)
        for path in paths {
            let earlier = earlierInputs[path]
            switch snapshotter.observe(path, earlier: earlier.map { ($0, last.time) }, now: now) {
            case .file(let entry):
                if entry.hash == nil || entry.hash != earlier?.hash { return .failure(Runs(.inputChanged(path))) }
                inputEntries.append(entry)
            case .missing: return .failure(Runs(.inputMissing(path)))
            case .directory: return .failure(Runs(.inputUnreadable(path, "a directory")))
            case .danglingLink: return .failure(Runs(.inputMissing(path)))
            case .unreadable(let why):
                warnings.append("parrun: warning: input \(path) of ticket \(ticket.id) cannot be read (\(why)); it runs, and will until the file can be read")
                return .failure(Runs(.inputUnreadable(path, why)))
            }
        }

        if last.dependencies.map(\.id) != dependencies.map(\.id) { return .failure(Runs(.dependenciesChanged)) }
        for (earlier, current) in zip(last.dependencies, dependencies) where earlier.stamp == nil || earlier.stamp != current.stamp {
            return .failure(Runs(.dependencyChanged(current.id)))
        }
        let stamp = JournalRecord.FilesRecord.stamp(recipe: recipe, inputs: inputEntries, outputs: outputEntries, dependencies: dependencies)
        return .success(JournalRecord.FilesRecord(
            run: run, id: ticket.id, recipe: recipe, stamp: stamp, time: now,
            inputs: inputEntries, outputs: outputEntries, dependencies: dependencies))
    }
}
