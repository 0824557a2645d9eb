/// Keeps the journal from growing with every run: when a fresh run of a
/// manifest starts and no run is live, the journal is rewritten with only the
/// records still needed, those of the latest run chain of every other manifest
/// (the fresh run replaces this manifest's). Pure: records in, records out.
public enum JournalCompaction {
    /// The records to keep, or nil when nothing would be dropped.
    public static func kept(_ records: [JournalRecord], droppingManifest manifest: String) -> [JournalRecord]? {
        let history = RunHistory(records)
        var needed = Set<String>()
        for path in Set(history.runs.map(\.manifest)) where path != manifest {
            if let latest = history.latestRun(manifest: path) { needed.formUnion(history.chain(endingAt: latest.run)) }
        }
        var kept: [JournalRecord] = [.header]
        for record in records {
            switch record {
            case .header: continue
            case .writeBack(let writeBack): if needed.contains(writeBack.run) { kept.append(record) }
            case .hook(let hook): if needed.contains(hook.run) { kept.append(record) }
            case .run(let run): if needed.contains(run.run) { kept.append(record) }
            case .start(let start): if needed.contains(start.run) { kept.append(record) }
            case .end(let end): if needed.contains(end.run) { kept.append(record) }
            case .runEnd(let end): if needed.contains(end.run) { kept.append(record) }
            case .session(let session): if needed.contains(session.run) { kept.append(record) }
            case .verify(let verify): if needed.contains(verify.run) { kept.append(record) }
            case .review(let review): if needed.contains(review.run) { kept.append(record) }
            case .slurmJob(let job): if needed.contains(job.run) { kept.append(record) }
            case .landing(let landing): if needed.contains(landing.run) { kept.append(record) }
            case .files(let files): if needed.contains(files.run) { kept.append(record) }
            }
        }
        return kept.count < records.count ? kept : nil
    }
}
