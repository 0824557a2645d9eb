import ParrunSupport

/// What goes into the run controller and what comes out of it.
extension RunController {
    package struct Settings: Sendable {
        package var failFast = false
        package var gracePeriod = 5.0
        package var defaultTimeout: Double?
        /// `--retries`, if given: it wins over the manifest's `defaults`.
        package var commandLineRetries: Int?
        package var maxCostUSD: Double?
        package var costSpentEarlierUSD = 0.0

        package init() {}

        package init(_ options: RunOptions) {
            failFast = options.failFast
            gracePeriod = options.gracePeriod
            defaultTimeout = options.defaultTimeout
            commandLineRetries = options.commandLineRetries
            maxCostUSD = options.maxCostUSD
            costSpentEarlierUSD = options.costSpentEarlierUSD
        }
    }

    /// An attempt's end, as the runner saw it: its recipe's outcome (the
    /// controller then runs its verify gate, holds it for review, or lands it).
    package struct Ending: Sendable {
        package var ticket: Int
        package var attempt: Int
        package var worker: Int
        package var outcome: AttemptOutcome
        package var seconds: Double
        package var stats: AgentStats?
        /// A follow-up is ready to go back to its agent session: its verify
        /// gate's output, or (out of turns) the continuation prompt.
        package var feedbackReady = false
        /// `--worktree`: a success counts once its work has landed (`land`).
        package var lands = false
        /// The recipe's own process ran and ended (not an attempt settled
        /// without one: approved, adopted, nothing to run), so its verify gate runs.
        package var fromRecipe = false
        /// Its landing failed (the outcome is the landing's): only then is a conflict rerun.
        package var landingFailed = false

        package init(ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, stats: AgentStats?, feedbackReady: Bool = false) {
            self.ticket = ticket
            self.attempt = attempt
            self.worker = worker
            self.outcome = outcome
            self.seconds = seconds
            self.stats = stats
            self.feedbackReady = feedbackReady
        }
    }

    /// How another parrun working on the same run left a ticket.
    package enum ElsewhereResult: Sendable, Equatable {
        case succeeded, failed, awaitingReview
    }

    package enum Event: Sendable {
        /// The run begins: the first tickets start.
        case begin
        /// A process of the ticket's current attempt started (the recipe, or its
        /// verify gate after it): its timeout counts from now.
        case launched(ticket: Int)
        /// The ticket was handed out but a signal came during its set-up: it did
        /// not start (`attemptBegun`: its attempt was counted already).
        case notStarted(ticket: Int, attemptBegun: Bool)
        case ended(Ending)
        /// The ticket's verify gate (asked for with `verify`) ended.
        case verifyEnded(ticket: Int, VerifyEnd)
        /// The work the controller asked to hold for review (`holdForReview`) is kept.
        /// `failure`: there was nothing to hold (`noChange`), or git could not keep it.
        case heldForReview(ticket: Int, failure: AttemptOutcome? = nil)
        /// `--resume`: the ticket's work was approved in review, so its success
        /// does not wait for review again.
        case approved(ticket: Int)
        /// A ticket handed out by `start` does not run here: another parrun holds
        /// its claim (nil: this one waits for it) or finished it already.
        case foundElsewhere(ticket: Int, ElsewhereResult?)
        /// Another parrun's journal says how it left a ticket.
        case news(ticket: Int, ElsewhereResult)
        /// The other parrun died without finishing it: it may run here.
        case abandonedElsewhere(ticket: Int)
        /// `--resume`: a ticket handed out by `start` still awaits review (nothing runs).
        case stillAwaitingReview(ticket: Int)
        /// The landing the controller asked for is over: nil when the work
        /// landed (or there was nothing to land), else why it did not (a
        /// conflict, git failing).
        case landingFinished(ticket: Int, failure: AttemptOutcome?)
        /// A running prompt ticket's agent CLI was refused for the API's rate or
        /// load and retries by itself: the agent limit may go down (`AgentThrottle.rateLimitSeen`);
        /// the attempt goes on.
        case rateLimitSeen(RateLimitSignal)
        /// A running prompt ticket's agent CLI named its session in its
        /// output: from now on `--resume` can continue it.
        case sessionNamed(ticket: Int, attempt: Int, session: String)
        /// The launcher (Slurm) said what became of a running ticket's job.
        case jobChanged(JobChange)
        /// The journal could not be written (why): nothing more starts, running
        /// tickets are stopped as after Ctrl-C, and the run ends with exit 5.
        case stateLost(String)
        /// SIGINT, SIGTERM or SIGHUP came (the runner passes no other).
        case signal(Int32)
        /// Time passed: deadlines, kills, retries and pauses that are due fire.
        case timer
    }

    /// How a verify gate ended.
    package enum VerifyEnd: Sendable {
        /// Its process exited after `seconds`; `canFeedBack`: a failure can go
        /// back to the ticket's agent session (the runner has its output ready).
        case exited(ExitStatus, seconds: Double, canFeedBack: Bool)
        case couldNotStart(String)
    }

    package enum Action: Sendable {
        /// Set the ticket up and start its attempt; the runner answers with
        /// `launched`, `ended` or `notStarted`.
        case start(ticket: Int, worker: Int)
        /// Land the ticket's work on the integration branch; the runner answers
        /// with `landingFinished`. One landing at a time, in the order tickets succeeded.
        case land(ticket: Int)
        /// Start the ticket's verify gate where its recipe ran; the runner
        /// answers with `launched`, then `verifyEnded`.
        case verify(ticket: Int)
        /// The gate's verdict, for the journal.
        case recordVerified(ticket: Int, attempt: Int, passed: Bool, exitCode: Int?)
        /// The failed gate's output, or the continuation prompt, goes back to
        /// the ticket's agent session on its next attempt.
        case feedBack(ticket: Int)
        /// Keep the ticket's work for `parrun approve` (`--worktree`: commit it
        /// on its branch); the runner answers with `heldForReview`.
        case holdForReview(ticket: Int)
        /// SIGTERM to the process group of the ticket's running attempt.
        case terminate(ticket: Int)
        /// SIGKILL to it: the grace period is over.
        case kill(ticket: Int)
        case report(RunEvent)
        /// The attempt's end record; `willRetry` false also gives the ticket's claim back.
        case recordEnded(ticket: Int, attempt: Int, outcome: AttemptOutcome, seconds: Double, willRetry: Bool, stats: AgentStats?)
        case recordSkipped(ticket: Int, attempt: Int)
        /// The session an attempt's agent named, for the journal (`--resume` continues it).
        case recordSession(ticket: Int, attempt: Int, session: String)
        /// The batch job an attempt runs as (`--launcher slurm`), for the journal.
        case recordJob(ticket: Int, attempt: Int, job: String)
        /// The ticket will not run in this parrun after all: its claim goes back.
        case releaseClaim(ticket: Int)
    }
}
