import ParrunSupport

/// What a verify gate's end makes of the attempt whose recipe succeeded: its
/// outcome, whether the verdict is recorded, and whether the failure goes
/// back to the ticket's agent. Pure; the controller applies it.
package struct GateVerdict: Sendable {
    /// The recipe's ending, completed: outcome and the gate's time added.
    package var ending: RunController.Ending
    /// The gate ran to a verdict (passed, exit code), to record and report;
    /// nil when it did not start or a signal cut it short (no verdict then).
    package var verdict: (passed: Bool, exitCode: Int?)?
    /// The failure goes back to the agent's session for another round.
    package var feedsBack = false

    /// `stopped`: why parrun stopped the gate, if it did (its timeout, Ctrl-C);
    /// `mayFeedBack`: the ticket's verify retries are not used up.
    package init(recipe: RunController.Ending, end: RunController.VerifyEnd, stopped: AttemptOutcome?, mayFeedBack: Bool) {
        ending = recipe
        switch end {
        case .couldNotStart(let reason):
            ending.outcome = .verifyFailed("could not start: \(reason)")
        case .exited(let status, let seconds, let canFeedBack):
            let passed = stopped == nil && status == .exited(0)
            ending.seconds += seconds
            if stopped != .interrupted {
                var exitCode: Int?
                if case .exited(let code) = status { exitCode = Int(code) }
                verdict = (passed, exitCode)
            }
            if passed {
                ending.outcome = .succeeded
            } else if let stopped {
                ending.outcome = stopped
            } else {
                ending.outcome = .verifyFailed(AttemptOutcome.failed(status).detail)
                feedsBack = canFeedBack && mayFeedBack
                ending.feedbackReady = feedsBack
            }
        }
    }
}
