/// parrun's exit statuses, documented in docs/scripting.md for scripts.
public enum ExitCode: Int32, Sendable {
    /// Every ticket succeeded, or there was nothing to do.
    case success = 0
    /// A ticket failed or timed out.
    case ticketFailed = 1
    /// The command line or the manifest is wrong; nothing ran.
    case usageOrManifestError = 2
    /// Every ticket that could run succeeded, but some await review (`parrun approve`).
    case awaitingReview = 3
    /// `parrun clean` refused: a run of this state is live (use --force).
    case stateInUse = 4
    /// The state directory could not be written (full disk, read-only, deleted
    /// or replaced): the run stopped; `--resume` continues once it is fixed.
    case stateNotWritten = 5
    /// Interrupted by SIGHUP, SIGINT (Ctrl-C) or SIGTERM: 128 + the signal.
    case hangUp = 129
    case interrupted = 130
    case terminated = 143
}
