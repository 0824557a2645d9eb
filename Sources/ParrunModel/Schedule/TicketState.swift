/// Where a ticket stands in a run.
public enum TicketState: Sendable, Equatable {
    /// Some dependency has not succeeded yet.
    case waiting
    /// Every dependency succeeded; it starts when a slot and its pool allow.
    case ready
    /// Started, on worker slot `worker`.
    case running(worker: Int)
    /// An attempt failed and another will follow after a back-off; holds no slot.
    case retrying
    case succeeded
    case failed
    /// Not run because `dependency` failed, timed out or was itself skipped;
    /// `cause` is the failed ticket at the root of it.
    case skipped(dependency: Int, cause: Int)
    /// Not part of this run (already done).
    case notInRun
    /// Never started because the run stopped (after a failure, or interrupted).
    case notStarted
    /// Being run by another parrun process that joined the same run; holds no slot here.
    case elsewhere
    /// Its recipe succeeded but a person must approve it (`review: true`); its dependents wait.
    case awaitingReview

    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .skipped, .notInRun, .notStarted, .awaitingReview: true
        case .waiting, .ready, .running, .retrying, .elsewhere: false
        }
    }
}
