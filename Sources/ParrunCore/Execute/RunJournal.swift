import ParrunModel
import ParrunPlatform
import ParrunState

/// What the run loop records in the journal, and when it makes it durable.
///
/// Invariant: a ticket's end record is on disk (fdatasync) before any ticket
/// that depends on it starts, so a resumed run never trusts a dependency whose
/// success was not recorded. Independent tickets do not wait for a sync; the
/// journal is synced at least once a second and when the run ends. Between
/// `begin()` and `finished`, the records of one turn of the run loop go in one
/// write (`flush()`): a record waits in memory within one turn, never while
/// the loop sleeps in poll. Once a
/// write or sync fails (`failure`), nothing more is recorded and nothing more
/// starts: the run loop stops the run (exit 5).
final class RunJournal {
    private let writer: JournalWriter
    private let runID: String
    private let graph: TicketGraph
    private let recipeHashes: [String]
    private let owner: ProcessIdentity
    /// `waitsInRun[i]`: ticket i depends on a ticket of this run.
    private let waitsInRun: [Bool]
    static let syncInterval = 1.0
    /// Hashes the files of tickets that declare them (docs/up-to-date.md).
    private let files: TicketFileRecorder?

    init(writer: JournalWriter, runID: String, plan: Plan, recipeHashes: [String], owner: ProcessIdentity, files: TicketFileRecorder? = nil) {
        self.files = files
        self.writer = writer
        self.runID = runID
        self.graph = plan.graph
        self.recipeHashes = recipeHashes
        self.owner = owner
        self.waitsInRun = plan.graph.tickets.indices.map { ticket in
            plan.graph.dependencies(of: ticket).contains { plan.runs[Int($0)] }
        }
    }

    /// Call when the run loop starts: from now on records wait for `flush()`.
    func begin() {
        writer.beginHolding()
    }

    /// Writes the records of this turn of the run loop. Records are written
    /// together so a ticket's end and the next one's start cost one write.
    func flush() {
        writer.flush()
    }

    /// Why the journal stopped recording (full disk, state directory gone):
    /// from then on nothing may start, since nothing would be recorded.
    var failure: SystemError? { writer.failure }

    /// Call before starting `ticket`: its dependencies' ends must be durable.
    /// False when they are not, or the journal could not record the start:
    /// the ticket must not start.
    @discardableResult
    func willStart(_ ticket: Int) -> Bool {
        files?.willStart(ticket)
        if waitsInRun[ticket] { return writer.sync() }
        return writer.failure == nil
    }

    func started(_ ticket: Int, attempt: Int, worker: Int, pid: Int32, session: String? = nil) {
        let process = pid > 0 ? ProcessTable.justStarted(pid) : .none
        let id = graph.tickets[ticket].id
        var record = JournalRecord.StartRecord(
            run: runID, id: id, attempt: attempt, recipe: recipeHashes[ticket],
            process: process, owner: owner, worker: worker, time: Clock.wall(), session: session,
            log: LogFileName.isPlain(id) ? nil : LogFileName.stem(id))
        if case .prompt = graph.tickets[ticket].recipe { record.agent = graph.tickets[ticket].agentKind.rawValue }
        writer.append(.start(record))
    }

    /// `--launcher slurm`: the job an attempt runs as.
    func slurmJob(_ ticket: Int, attempt: Int, job: String) {
        writer.append(.slurmJob(.init(run: runID, id: graph.tickets[ticket].id, attempt: attempt, job: job, time: Clock.wall())))
    }

    /// `--worktree`: the ticket's work landed, moving `branch` from `base` to `commit`.
    func landed(_ ticket: Int, branch: String, base: String, commit: String) {
        writer.append(.landing(.init(run: runID, id: graph.tickets[ticket].id, branch: branch, base: base, landed: commit, time: Clock.wall())))
    }

    /// A verify gate ran.
    func verified(_ ticket: Int, attempt: Int, passed: Bool, exitCode: Int?) {
        writer.append(.verify(.init(run: runID, id: graph.tickets[ticket].id, attempt: attempt, passed: passed, exitCode: exitCode, time: Clock.wall())))
    }

    /// The agent CLI reported the session: from now on `--resume` can continue it.
    func sessionBegan(_ ticket: Int, attempt: Int, session: String) {
        writer.append(.session(.init(run: runID, id: graph.tickets[ticket].id, attempt: attempt, session: session, time: Clock.wall())))
    }

    func ended(_ ticket: Int, attempt: Int, outcome: AttemptOutcome, seconds: Double, willRetry: Bool, stats: AgentStats? = nil) {
        var exitCode: Int?
        var signal: String?
        switch outcome {
        case .succeeded: exitCode = 0
        case .failed(.exited(let code)): exitCode = Int(code)
        case .failed(.signaled(let number)): signal = ProcessControl.signalName(number)
        default: break
        }
        var detail: String?
        switch outcome {
        case .agentFailed, .rateLimited, .usageLimited, .conflict, .landingFailed, .verifyFailed, .outOfTurns, .noChange: detail = outcome.detail
        default: break
        }
        writer.append(.end(.init(
            run: runID, id: graph.tickets[ticket].id, attempt: attempt, status: outcome.statusWord,
            exitCode: exitCode, signal: signal, seconds: seconds, time: Clock.wall(), retry: willRetry, owner: owner,
            stats: stats, detail: detail)))
        if outcome == .succeeded && !willRetry, let record = files?.succeeded(ticket, attempt: attempt) { writer.append(record) }
    }

    func skipped(_ ticket: Int, attempt: Int) {
        writer.append(.end(.init(
            run: runID, id: graph.tickets[ticket].id, attempt: attempt, status: "skipped",
            exitCode: nil, signal: nil, seconds: 0, time: Clock.wall(), owner: owner)))
    }

    /// Bounds what a power loss can cost to about a second of finished tickets.
    func tick() {
        if Clock.monotonic() - writer.lastSync >= Self.syncInterval { writer.sync() }
    }

    func finished(_ result: RunResult) {
        let status = result.interruptedBy != nil ? "interrupted" : (result.exitCode == 0 ? "succeeded" : "failed")
        writer.append(.runEnd(.init(run: runID, status: status, owner: owner, time: Clock.wall())))
        // Checked once more, whatever the interval: a run whose state directory went away must not end in 0.
        writer.sync(checkingStateDirectory: true)
        writer.endHolding()
    }
}
