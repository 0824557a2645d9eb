import ParrunSupport

/// Whether a ticket's failed attempt is tried again, and after how long. Pure:
/// the clock, the random source, the agent throttle and whether the run is
/// stopping are passed in; what the throttle must be told comes back in the decision.
///
/// An attempt stopped by a rate or usage limit, sent back to its agent with the
/// verifier's output, or continued after its session ran out of turns does
/// not count against the ticket's `retries`; limit attempts are bounded by
/// `limitRetries` instead, continuations by `continuations`. A rerun after a
/// conflict counts, and conflict reruns are bounded on their own.
package struct RetryPolicy: Sendable {
    /// `--retries`: for tickets without their own.
    package let defaultRetries: Int
    /// First back-off before an ordinary retry, and after a rate limit; both double, with jitter.
    package let retryDelay: Double
    package let rateLimitWait: Double
    /// Rate- and usage-limited attempts a ticket may have, beyond its `retries`.
    package let limitRetries: Int
    /// `--on-conflict rerun`: a conflict runs the ticket again, from the new head.
    package let rerunOnConflict: Bool
    /// `--resume`: per ticket, the conflicts its work had in the runs this one continues.
    package var earlierConflicts: [Int: Int] = [:]

    /// Per ticket, attempts that do not count against `retries` (limits, verify feedback).
    private var limitedAttempts: [Int: Int] = [:]
    /// Per prompt ticket, attempts sent back to the agent because its verify gate failed.
    private var verifyRetriesUsed: [Int: Int] = [:]
    /// Per prompt ticket, sessions continued after running out of turns or context.
    package private(set) var continuationsUsed: [Int: Int] = [:]
    /// Per ticket, its conflicts in this run.
    private var conflicts: [Int: Int] = [:]
    /// For the summary: rate-limit back-offs, and seconds waited on the API's limits.
    package private(set) var rateLimitBackoffs = 0
    package private(set) var limitSeconds = 0.0

    package init(defaultRetries: Int = 0, retryDelay: Double = 1, rateLimitWait: Double = 30, limitRetries: Int = 8, rerunOnConflict: Bool = false) {
        self.defaultRetries = defaultRetries
        self.retryDelay = retryDelay
        self.rateLimitWait = rateLimitWait
        self.limitRetries = limitRetries
        self.rerunOnConflict = rerunOnConflict
    }

    package init(options: RunOptions) {
        self.init(defaultRetries: options.defaultRetries, retryDelay: options.retryDelay, rateLimitWait: options.rateLimitWait,
                  limitRetries: options.limitRetries, rerunOnConflict: options.rerunOnConflict)
    }

    /// An attempt that did not succeed, as far as retrying it goes.
    package struct EndedAttempt: Sendable, Equatable {
        package var ticket: Int
        /// The ticket's attempt number, from 1.
        package var attempt: Int
        package var outcome: AttemptOutcome
        /// The ticket's own `retries`; nil takes `defaultRetries`.
        package var retries: Int?
        /// The ticket's `verifyRetries`: rounds of verifier feedback its agent may get.
        package var verifyRetries = 0
        /// The agent session has a follow-up ready to continue with (a prompt
        /// ticket's: the verifier's output, or the continuation prompt).
        package var feedbackReady = false
        /// The ticket's `continuations`: times its session may continue after running out of turns.
        package var continuations = 0
        /// The outcome is its landing's. A conflict found without landing (kept
        /// work mid-rebase, or left to the user) is the user's to resolve: never rerun.
        package var fromLanding = false
    }

    package struct Decision: Sendable, Equatable {
        package enum Verdict: Sendable, Equatable {
            case retry(after: Double)
            /// At once, in the same agent session, told to go on (`continuations`).
            case continueSession
            case giveUp
        }

        package var verdict: Verdict
        /// To be applied to the agent throttle whatever the verdict (a rate limit
        /// lowers the agent limit even when its ticket gives up).
        package var throttle: ThrottleEffect?

        package static let giveUp = Decision(verdict: .giveUp)
        package static func retry(after seconds: Double, throttle: ThrottleEffect? = nil) -> Decision {
            Decision(verdict: .retry(after: seconds), throttle: throttle)
        }

        /// Seconds until the next attempt; nil when the ticket has failed for good.
        package var delay: Double? {
            switch verdict {
            case .retry(let seconds): seconds
            case .continueSession: 0
            case .giveUp: nil
            }
        }
    }

    package enum ThrottleEffect: Sendable, Equatable {
        /// `AgentThrottle.rateLimited`.
        case rateLimited
        /// `AgentThrottle.usageLimited` with this reset time.
        case usageLimited(resetsAt: Double?)
    }

    /// Decides `ended`'s retry. `throttle` is read, not changed: the usage
    /// limit's retry waits for the pause the decision's effect starts or extends.
    package mutating func decide(_ ended: EndedAttempt, stopping: Bool, throttle: AgentThrottle, now: Double, wallNow: Double,
                         using generator: inout some RandomNumberGenerator) -> Decision {
        let ticket = ended.ticket
        guard !ended.outcome.isSuccess, !stopping, ended.outcome != .interrupted else { return .giveUp }
        switch ended.outcome {
        case .verifyFailed:
            // Back to the agent with the verifier's output; a shell ticket fails.
            guard ended.feedbackReady, verifyRetriesUsed[ticket, default: 0] < ended.verifyRetries else { return .giveUp }
            verifyRetriesUsed[ticket, default: 0] += 1
            limitedAttempts[ticket, default: 0] += 1
            return .retry(after: 0)
        case .outOfTurns where ended.feedbackReady && continuationsUsed[ticket, default: 0] < ended.continuations:
            // The same session goes on, at once: the work so far is in it.
            continuationsUsed[ticket, default: 0] += 1
            limitedAttempts[ticket, default: 0] += 1
            return Decision(verdict: .continueSession)
        case .conflict:
            // From the integration branch as it now stands (a fresh worktree), within the bound.
            conflicts[ticket, default: 0] += 1
            let total = conflicts[ticket, default: 0] + earlierConflicts[ticket, default: 0]
            guard rerunOnConflict, ended.fromLanding, Self.mayRerun(afterConflicts: total, retries: ended.retries ?? defaultRetries) else { return .giveUp }
            return .retry(after: 0)
        case .rateLimited:
            let count = limitedAttempts[ticket, default: 0] + 1
            guard count <= limitRetries else { return Decision(verdict: .giveUp, throttle: .rateLimited) }
            limitedAttempts[ticket] = count
            let delay = Backoff.delay(base: rateLimitWait, afterAttempt: count, using: &generator)
            rateLimitBackoffs += 1
            limitSeconds += delay
            return .retry(after: delay, throttle: .rateLimited)
        case .usageLimited(let resetsAt, _):
            let count = limitedAttempts[ticket, default: 0] + 1
            guard count <= limitRetries else { return .giveUp }
            limitedAttempts[ticket] = count
            let delay = max(0, throttle.pauseEnd(resetsAt: resetsAt, now: now, wallNow: wallNow) - now)
            limitSeconds += delay
            return .retry(after: delay, throttle: .usageLimited(resetsAt: resetsAt))
        default:
            let ordinary = ended.attempt - limitedAttempts[ticket, default: 0]
            guard ordinary <= ended.retries ?? defaultRetries else { return .giveUp }
            return .retry(after: Backoff.delay(base: retryDelay, afterAttempt: ordinary, using: &generator))
        }
    }

    /// Reruns a ticket gets after conflicts, over a run and the runs it
    /// continues: its `retries`, and at least one, so that a conflict is
    /// redone once on the new head even without retries.
    package static func conflictReruns(retries: Int) -> Int { max(1, retries) }

    /// Whether a ticket whose work conflicted `count` times in all may run again.
    package static func mayRerun(afterConflicts count: Int, retries: Int) -> Bool {
        count <= conflictReruns(retries: retries)
    }

    /// Whether the ticket's agent may yet be sent the verifier's output (of `verifyRetries` rounds).
    package func mayFeedBack(_ ticket: Int, verifyRetries: Int) -> Bool {
        verifyRetriesUsed[ticket, default: 0] < verifyRetries
    }

    /// The run's waits on the API's limits: the back-offs counted here, the pauses and limits by `throttle`.
    package func limitWaits(throttle: AgentThrottle) -> LimitWaits {
        limitWaits(throttles: [throttle])
    }

    /// The same over every agent's throttle (the lowest limit is the lowest any pool went to).
    package func limitWaits(throttles: [AgentThrottle]) -> LimitWaits {
        var waits = LimitWaits()
        waits.rateLimited = rateLimitBackoffs
        waits.seconds = limitSeconds
        for throttle in throttles {
            waits.usageLimited += throttle.pauses
            waits.rateLimitSignals += throttle.signals
            waits.agentLimitLowered += throttle.timesLowered
            if let lowest = throttle.lowestLimit { waits.lowestAgentLimit = min(waits.lowestAgentLimit ?? lowest, lowest) }
        }
        return waits
    }
}

/// Exponential back-off with jitter before retrying a failed attempt:
/// `base * 2^(attempt-1)`, scaled by a random factor in [0.5, 1.5), capped.
package struct Backoff {
    package static let maximum = 300.0

    package static func delay(base: Double, afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Double {
        guard base > 0 else { return 0 }
        let exponential = base * Double(1 << min(max(attempt - 1, 0), 16))
        return min(exponential, maximum) * Double.random(in: 0.5..<1.5, using: &generator)
    }
}
