import ParrunModel

/// `--launcher slurm`: which Slurm job each running ticket is, and Slurm's
/// state of it. Learnt from one `squeue` a tick, and, for a job that ends
/// before a tick sees it, from the id the job wrote to its file
/// (`SlurmLauncher.wrap`). Pure: the runner asks the queue and hands the
/// changes to the run controller (`jobChanged`), which records and reports them.
struct SlurmJobTracker {
    typealias Change = JobChange

    struct Attempt {
        let ticket: Int
        let attempt: Int
        let id: String
    }

    /// The absolute path of `.parrun/slurm`, where each job writes its id.
    let jobDirectory: String?
    private var known: [Int: (job: String, state: String)] = [:]

    init(jobDirectory: String?) {
        self.jobDirectory = jobDirectory
    }

    /// Where the job of ticket `id` writes its id.
    func jobFile(_ id: String) -> String? {
        jobDirectory.map { $0 + "/" + LogFileName.name(id, suffix: LogFileName.slurmJobSuffix) }
    }

    /// The attempts running their recipes, and the run's jobs in the queue by
    /// ticket id: what is new since the last tick.
    mutating func update(running: [Attempt], queue: [String: (job: String, state: String)]) -> [Change] {
        var changes: [Change] = []
        for attempt in running {
            guard let (job, state) = queue[attempt.id] else { continue }
            let before = known[attempt.ticket]
            guard before?.job != job || before?.state != state else { continue }
            known[attempt.ticket] = (job, state)
            changes.append(Change(ticket: attempt.ticket, attempt: attempt.attempt, job: job, state: state, isNewJob: before?.job != job))
        }
        let current = Set(running.map(\.ticket))
        known = known.filter { current.contains($0.key) }
        return changes
    }

    /// The attempt's srun ended: its job, if no tick saw it (`recorded`: the id its job wrote).
    mutating func ended(_ attempt: Attempt, recorded: String?) -> Change? {
        defer { known[attempt.ticket] = nil }
        guard let job = recorded, known[attempt.ticket]?.job != job else { return nil }
        return Change(ticket: attempt.ticket, attempt: attempt.attempt, job: job, state: "ended", isNewJob: true)
    }
}
