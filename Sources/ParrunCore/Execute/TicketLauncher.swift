import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// Where and how a ticket's command runs: here (`posix_spawn`, with the
/// direct-exec fast path), under the user's `--launcher CMD` template, or as a
/// Slurm job. The runner spawns what `command` returns in every case (a
/// launcher's own process stands in for the ticket, so output, timeouts and
/// signals work the same); the hooks let a launcher follow what it started.
/// Tests drive the run's decisions with a fake launcher on a simulated clock
/// instead (`ControllerSimulation`).
protocol TicketLauncher: AnyObject {
    /// The command line that runs `arguments` for `ticket` in `directory`.
    /// `gate`: it is the ticket's verify gate, not its recipe.
    func command(_ arguments: [String], ticket: Ticket, directory: String?, gate: Bool) -> [String]
    /// A launcher's own command stands in front of the ticket's (so a recipe
    /// program that is not found is the launcher's to report, not parrun's).
    var wrapsCommand: Bool { get }
    /// The attempt's process ended; `cleanExit`: it exited 0 by itself.
    /// Returns what it learnt about the attempt's job, if anything.
    func ended(_ attempt: SlurmJobTracker.Attempt, gate: Bool, cleanExit: Bool) -> [SlurmJobTracker.Change]
    /// A status tick with these attempts running their recipes: the command
    /// that asks about their jobs, if one is due (the run loop runs it as a
    /// helper it watches, never waiting for it).
    func query(_ running: [SlurmJobTracker.Attempt], now: Double) -> [String]?
    /// What that command printed (nil: it failed or ran out of time): what changed.
    func answer(_ output: String?, for running: [SlurmJobTracker.Attempt], now: Double) -> LauncherNews
}

extension TicketLauncher {
    func query(_ running: [SlurmJobTracker.Attempt], now: Double) -> [String]? { nil }
    func answer(_ output: String?, for running: [SlurmJobTracker.Attempt], now: Double) -> LauncherNews { LauncherNews() }
}

/// What a launcher learnt on a tick.
struct LauncherNews {
    var changes: [SlurmJobTracker.Change] = []
    /// Said once, when the launcher's own helper stopped answering.
    var warning: String?
}

/// Runs the ticket's command here, as it is.
final class LocalLauncher: TicketLauncher {
    func command(_ arguments: [String], ticket: Ticket, directory: String?, gate: Bool) -> [String] { arguments }
    var wrapsCommand: Bool { false }
    func ended(_ attempt: SlurmJobTracker.Attempt, gate: Bool, cleanExit: Bool) -> [SlurmJobTracker.Change] { [] }
}

/// `--launcher CMD`: runs here, in the ticket's directory, under the user's
/// command; stopping the ticket signals the command's process group.
final class TemplateLauncher: TicketLauncher {
    let template: [String]

    init(template: [String]) {
        self.template = template
    }

    func command(_ arguments: [String], ticket: Ticket, directory: String?, gate: Bool) -> [String] {
        CommandLauncher.wrap(arguments, template: template)
    }

    var wrapsCommand: Bool { true }
    func ended(_ attempt: SlurmJobTracker.Attempt, gate: Bool, cleanExit: Bool) -> [SlurmJobTracker.Change] { [] }
}

/// `--launcher slurm`: each attempt is an `srun` job of its own, named for the
/// run and ticket; its job id and queue state are followed with `squeue`
/// (only this run's jobs, with a timeout), and a job parrun stopped or that
/// failed is cancelled so nothing of it stays queued.
final class SlurmJobLauncher: TicketLauncher {
    private let run: String
    private var tracker: SlurmJobTracker
    /// No `squeue` before this: it failed to answer last time.
    private var queueQuietUntil = 0.0
    /// After `squeue` failed to answer, how long before it is asked again.
    static let queueBackoff = 30.0

    init(run: String, jobDirectory: String?) {
        self.run = run
        self.tracker = SlurmJobTracker(jobDirectory: jobDirectory)
    }

    func command(_ arguments: [String], ticket: Ticket, directory: String?, gate: Bool) -> [String] {
        // The recipe's job writes its id to a file first: a job too short for a tick's squeue is still known.
        let jobFile = gate ? nil : tracker.jobFile(ticket.id)
        // Not an earlier attempt's id; a link planted there is not followed.
        if jobFile != nil, let jobDirectory = tracker.jobDirectory {
            try? DirectoryHandle(path: jobDirectory).truncateIfPresent(LogFileName.name(ticket.id, suffix: LogFileName.slurmJobSuffix))
        }
        return SlurmLauncher.wrap(arguments, ticket: ticket, run: run, directory: FileSystem.absolutePath(directory ?? ".") ?? directory, jobFile: jobFile)
    }

    var wrapsCommand: Bool { true }

    func ended(_ attempt: SlurmJobTracker.Attempt, gate: Bool, cleanExit: Bool) -> [SlurmJobTracker.Change] {
        // srun passes signals on to its job; this makes sure nothing of it stays queued.
        if !cleanExit { SlurmLauncher.cancel(run: run, id: attempt.id) }
        guard !gate else { return [] }
        let recorded = tracker.jobFile(attempt.id).flatMap(SlurmLauncher.recordedJob)
        return tracker.ended(attempt, recorded: recorded).map { [$0] } ?? []
    }

    func query(_ running: [SlurmJobTracker.Attempt], now: Double) -> [String]? {
        if running.isEmpty { _ = tracker.update(running: [], queue: [:]) }
        guard !running.isEmpty, now >= queueQuietUntil else { return nil }
        return SlurmLauncher.queueCommand(run: run, tickets: running.map(\.id))
    }

    func answer(_ output: String?, for running: [SlurmJobTracker.Attempt], now: Double) -> LauncherNews {
        guard let output else {
            // A slow or broken controller is asked again later, not every tick.
            let first = queueQuietUntil == 0
            queueQuietUntil = now + Self.queueBackoff
            return LauncherNews(warning: first ? "parrun: warning: squeue failed or did not answer within \(Int(SlurmLauncher.pollTimeout))s; job states are asked again every \(Int(Self.queueBackoff))s" : nil)
        }
        return LauncherNews(changes: tracker.update(running: running, queue: SlurmLauncher.parseQueue(output, run: run)))
    }}
