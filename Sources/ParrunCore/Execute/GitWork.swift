import ParrunModel
import ParrunPlatform

/// `--worktree`: git's part of a run (a ticket's worktree made, its work
/// landed, the worktree removed) done beside the run loop, one job at a time
/// on a `BackgroundQueue`, so a slow or hung git never stalls the loop: while
/// git runs, output is read, timeouts fire and Ctrl-C acts. The loop polls
/// `descriptor`; `deliver` runs each finished job's continuation, in order.
///
/// Once the run begins the isolation is used by these jobs alone (it is not
/// thread-safe); the loop reads only what never changes in it (`path(for:)`).
final class GitWork {
    private struct Shared: @unchecked Sendable {
        let isolation: WorktreeIsolation
    }

    private let shared: Shared
    /// Nil when no pipe could be made for it: then jobs run in the loop's turn, as before.
    private let background: BackgroundQueue?
    /// A byte written on every signal stops the git command running then; the
    /// queue empties it before each job, so a landing after a signal still lands.
    private let cancel: OutputPipe?
    /// Set once the run stops: a ticket's set-up that has not begun is skipped.
    private let stopping = SharedFlag()
    private var continuations: [Int: (any Sendable) -> Void] = [:]
    private var nextJob = 0

    init(_ isolation: WorktreeIsolation) {
        let cancel = try? OutputPipe.make()
        self.cancel = cancel
        isolation.git.interrupt = cancel?.readEnd
        shared = Shared(isolation: isolation)
        background = cancel == nil ? nil : try? BackgroundQueue(label: "parrun.git")
    }

    deinit {
        background?.waitUntilIdle()
        if let cancel {
            Descriptor.close(cancel.readEnd)
            Descriptor.close(cancel.writeEnd)
        }
    }

    /// Polled by the run loop: readable when jobs have finished.
    var descriptor: Int32? { background?.descriptor }

    /// Jobs given and not yet delivered.
    var isBusy: Bool { !continuations.isEmpty }

    /// Runs `work` after the jobs given before it, then `then` with its result
    /// in a later turn of the loop. `setUp`: skipped (`then(skipped)`) when the
    /// run has stopped before it began.
    func run<Result: Sendable>(setUpOr skipped: Result? = nil, _ work: @escaping @Sendable (WorktreeIsolation) -> Result,
                               then: @escaping (Result) -> Void) {
        guard let background else {
            then(work(shared.isolation))
            return
        }
        nextJob += 1
        continuations[nextJob] = { if let result = $0 as? Result { then(result) } }
        background.submit(job: nextJob) { [shared, stopping, cancel] in
            if let cancel { Self.drain(cancel.readEnd) }
            if let skipped, stopping.isSet { return skipped }
            return work(shared.isolation)
        }
    }

    /// A signal came: the git command running now stops, and set-ups not begun are skipped.
    func interrupt() {
        stopping.set()
        guard let cancel else { return }
        _ = Descriptor.write(cancel.writeEnd, "x")
    }

    /// Runs the continuations of the jobs that finished, in the order they ran.
    func deliver() {
        guard let background else { return }
        for (job, result) in background.takeFinished() {
            continuations.removeValue(forKey: job)?(result)
        }
    }

    /// Waits for jobs given without a continuation's interest (the run is
    /// over), then deletes the branches of the work that landed.
    func waitUntilIdle() {
        background?.waitUntilIdle()
        shared.isolation.deleteSpentBranches()
    }

    private static func drain(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while case .data = Descriptor.read(descriptor, into: &buffer) {}
    }
}
