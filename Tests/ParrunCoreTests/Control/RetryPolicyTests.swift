import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// The retry policy on a simulated clock: plain values in, decisions out.
@Suite struct RetryPolicyTests {
    /// A throttle with a pool of 4 agents, 60 s quiet periods, and a 900 s usage-limit wait.
    private let throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
    private let now = 1_000.0
    private let wallNow = 1_700_000_000.0

    private func decide(_ policy: inout RetryPolicy, _ ended: RetryPolicy.EndedAttempt, stopping: Bool = false,
                        throttle: AgentThrottle? = nil, seed: UInt64 = 7) -> RetryPolicy.Decision {
        var generator = SeededGenerator(seed: seed)
        return policy.decide(ended, stopping: stopping, throttle: throttle ?? self.throttle, now: now, wallNow: wallNow, using: &generator)
    }

    private func failed(_ attempt: Int, ticket: Int = 0, retries: Int? = nil) -> RetryPolicy.EndedAttempt {
        .init(ticket: ticket, attempt: attempt, outcome: .failed(.exited(1)), retries: retries)
    }

    @Test func anOrdinaryFailureIsRetriedAsOftenAsTheTicketsRetriesThenGivesUp() {
        var policy = RetryPolicy(defaultRetries: 0, retryDelay: 1)
        #expect(decide(&policy, failed(1, retries: 2)).delay != nil)
        #expect(decide(&policy, failed(2, retries: 2)).delay != nil)
        #expect(decide(&policy, failed(3, retries: 2)) == .giveUp)
    }

    @Test func aSessionOutOfTurnsContinuesUpToItsContinuationsThenRetriesApply() {
        var policy = RetryPolicy(defaultRetries: 0, retryDelay: 1)
        func outOfTurns(_ attempt: Int, retries: Int? = nil) -> RetryPolicy.EndedAttempt {
            .init(ticket: 0, attempt: attempt, outcome: .outOfTurns("ran out of turns"), retries: retries, feedbackReady: true, continuations: 2)
        }
        #expect(decide(&policy, outOfTurns(1)).verdict == .continueSession)
        #expect(decide(&policy, outOfTurns(2)).verdict == .continueSession)
        #expect(decide(&policy, outOfTurns(3)) == .giveUp, "two continuations, and no retries")
        #expect(policy.continuationsUsed[0] == 2)
        var withRetry = RetryPolicy(defaultRetries: 1, retryDelay: 1)
        #expect(decide(&withRetry, outOfTurns(1)).verdict == .continueSession)
        #expect(decide(&withRetry, outOfTurns(2)).verdict == .continueSession)
        let third = decide(&withRetry, outOfTurns(3)).verdict
        #expect(third != .continueSession && third != .giveUp, "the continuations did not use the retry: \(third)")
        var noSession = RetryPolicy(defaultRetries: 0)
        var ended = outOfTurns(1)
        ended.feedbackReady = false
        #expect(decide(&noSession, ended) == .giveUp, "nothing to continue: an ordinary failure")
    }

    @Test func aTicketWithoutRetriesOfItsOwnTakesTheDefault() {
        var none = RetryPolicy(defaultRetries: 0)
        #expect(decide(&none, failed(1)) == .giveUp)
        var one = RetryPolicy(defaultRetries: 1)
        #expect(decide(&one, failed(1)).delay != nil)
        #expect(decide(&one, failed(2)) == .giveUp)
        #expect(decide(&one, failed(1, ticket: 1, retries: 0)) == .giveUp, "the ticket's own 0 wins over the default")
    }

    @Test func everyRetryDelayLiesWithinItsJitterBoundsAndDoublesWithEachRetry() {
        // Retry n waits base * 2^(n-1), times a factor in [0.5, 1.5): over many draws,
        // every delay lies inside and the mean is the nominal delay.
        let base = 2.0
        for retry in 1...6 {
            let nominal = base * Double(1 << (retry - 1))
            var sum = 0.0
            for seed in 0..<500 as Range<UInt64> {
                var policy = RetryPolicy(defaultRetries: 10, retryDelay: base)
                let delay = decide(&policy, failed(retry), seed: seed).delay ?? -1
                #expect(delay >= nominal * 0.5 && delay < nominal * 1.5, "retry \(retry): \(delay) outside [\(nominal * 0.5), \(nominal * 1.5))")
                sum += delay
            }
            let mean = sum / 500
            #expect(abs(mean - nominal) < nominal * 0.1, "retry \(retry): mean \(mean), nominal \(nominal)")
        }
    }

    @Test func backOffIsCappedAtFiveMinutesBeforeJitter() {
        for seed in 0..<200 as Range<UInt64> {
            var policy = RetryPolicy(defaultRetries: 40, retryDelay: 10)
            let delay = decide(&policy, failed(30), seed: seed).delay ?? -1
            #expect(delay >= Backoff.maximum * 0.5 && delay < Backoff.maximum * 1.5)
        }
        var instant = RetryPolicy(defaultRetries: 3, retryDelay: 0)
        #expect(decide(&instant, failed(2)) == .retry(after: 0), "no back-off configured: at once")
    }

    @Test func aRateLimitIsRetriedUpToLimitRetriesWhateverRetriesSaysAndLowersTheAgentLimit() {
        var policy = RetryPolicy(defaultRetries: 0, rateLimitWait: 30, limitRetries: 3)
        for attempt in 1...3 {
            let decision = decide(&policy, .init(ticket: 0, attempt: attempt, outcome: .rateLimited("429"), retries: 0))
            let nominal = 30.0 * Double(1 << (attempt - 1))
            let delay = decision.delay ?? -1
            #expect(delay >= nominal * 0.5 && delay < nominal * 1.5, "rate limit \(attempt): \(delay)")
            #expect(decision.throttle == .rateLimited)
        }
        let fourth = decide(&policy, .init(ticket: 0, attempt: 4, outcome: .rateLimited("429"), retries: 0))
        #expect(fourth == RetryPolicy.Decision(verdict: .giveUp, throttle: .rateLimited), "gives up, but the agent limit still goes down")
        #expect(policy.rateLimitBackoffs == 3)
    }

    @Test func limitedAttemptsDoNotCountAgainstRetries() {
        var policy = RetryPolicy(defaultRetries: 0, retryDelay: 4, limitRetries: 8)
        _ = decide(&policy, .init(ticket: 0, attempt: 1, outcome: .rateLimited("429"), retries: 1))
        _ = decide(&policy, .init(ticket: 0, attempt: 2, outcome: .usageLimited(resetsAt: nil, "limit"), retries: 1))
        let delay = decide(&policy, failed(3, retries: 1)).delay ?? -1
        #expect(delay >= 2 && delay < 6, "the first ordinary failure: one retry left, and a first back-off (not a third): \(delay)")
        #expect(decide(&policy, failed(4, retries: 1)) == .giveUp)
        #expect(decide(&policy, failed(1, ticket: 1, retries: 0)) == .giveUp, "counts are per ticket")
    }

    @Test func aUsageLimitWaitsUntilItsResetTimeAndPausesTheAgents() {
        var policy = RetryPolicy(limitRetries: 8)
        let decision = decide(&policy, .init(ticket: 0, attempt: 1, outcome: .usageLimited(resetsAt: wallNow + 120, "limit")))
        #expect(decision == .retry(after: 120, throttle: .usageLimited(resetsAt: wallNow + 120)))
        #expect(policy.limitSeconds == 120)
    }

    @Test func aUsageLimitWithoutAResetTimeWaitsTheConfiguredTime() {
        var policy = RetryPolicy()
        #expect(decide(&policy, .init(ticket: 0, attempt: 1, outcome: .usageLimited(resetsAt: nil, "limit"))).delay == 900)
    }

    @Test func aUsageLimitDuringALongerPauseWaitsForThatPauseToEnd() {
        var paused = throttle
        _ = paused.usageLimited(resetsAt: wallNow + 600, now: now, wallNow: wallNow)
        var policy = RetryPolicy()
        let decision = decide(&policy, .init(ticket: 0, attempt: 1, outcome: .usageLimited(resetsAt: wallNow + 60, "limit")), throttle: paused)
        #expect(decision.delay == 600)
    }

    @Test func usageLimitedAttemptsAreBoundedByLimitRetriesTooAndTheLastDoesNotPause() {
        var policy = RetryPolicy(limitRetries: 2)
        let limited = RetryPolicy.EndedAttempt(ticket: 0, attempt: 1, outcome: .usageLimited(resetsAt: nil, "limit"))
        #expect(decide(&policy, limited).delay != nil)
        #expect(decide(&policy, limited).delay != nil)
        #expect(decide(&policy, limited) == RetryPolicy.Decision(verdict: .giveUp, throttle: nil))
    }

    @Test func aFailedVerifyGoesBackToTheAgentAsManyTimesAsItsVerifyRetries() {
        var policy = RetryPolicy(defaultRetries: 0)
        let verify = RetryPolicy.EndedAttempt(ticket: 0, attempt: 1, outcome: .verifyFailed("exit 1"), verifyRetries: 2, feedbackReady: true)
        #expect(policy.mayFeedBack(0, verifyRetries: 2))
        #expect(decide(&policy, verify) == .retry(after: 0))
        #expect(decide(&policy, verify) == .retry(after: 0))
        #expect(!policy.mayFeedBack(0, verifyRetries: 2))
        #expect(decide(&policy, verify) == .giveUp)
        // Feedback rounds do not use up `retries`: an ordinary failure after them still retries.
        #expect(decide(&policy, failed(3, retries: 1)).delay != nil)
    }

    @Test func aFailedVerifyWithoutFeedbackForAnAgentFails() {
        var policy = RetryPolicy(defaultRetries: 3)
        let shell = RetryPolicy.EndedAttempt(ticket: 0, attempt: 1, outcome: .verifyFailed("exit 1"), verifyRetries: 2, feedbackReady: false)
        #expect(decide(&policy, shell) == .giveUp)
    }

    @Test func aConflictRerunsOnlyWithRerunOnConflictAsOftenAsItsRetriesAndAtLeastOnce() {
        let conflict = RetryPolicy.EndedAttempt(ticket: 0, attempt: 1, outcome: .conflict(["a.txt"]), retries: 2, fromLanding: true)
        var keep = RetryPolicy(rerunOnConflict: false)
        #expect(decide(&keep, conflict) == .giveUp, "without --on-conflict rerun, --resume reruns it")
        var rerun = RetryPolicy(rerunOnConflict: true)
        #expect(decide(&rerun, conflict) == .retry(after: 0))
        #expect(decide(&rerun, conflict) == .retry(after: 0))
        #expect(decide(&rerun, conflict) == .giveUp, "two retries: two reruns")
        var once = RetryPolicy(rerunOnConflict: true)
        let noRetries = RetryPolicy.EndedAttempt(ticket: 0, attempt: 1, outcome: .conflict([]), retries: 0, fromLanding: true)
        #expect(decide(&once, noRetries) == .retry(after: 0), "without retries, one rerun still")
        #expect(decide(&once, noRetries) == .giveUp)
        var resumed = RetryPolicy(rerunOnConflict: true)
        resumed.earlierConflicts = [0: 2]
        #expect(decide(&resumed, conflict) == .giveUp, "conflicts of the runs --resume continued count")
        var unlanded = RetryPolicy(rerunOnConflict: true)
        var found = conflict
        found.fromLanding = false
        #expect(decide(&unlanded, found) == .giveUp, "kept work mid-rebase is the user's: never rerun over it")
    }

    @Test func nothingIsRetriedOnceTheRunIsStoppingNorAfterAnInterrupt() {
        var policy = RetryPolicy(defaultRetries: 5, rerunOnConflict: true)
        let outcomes: [AttemptOutcome] = [
            .failed(.exited(1)), .timedOut(seconds: 3), .rateLimited("429"), .usageLimited(resetsAt: nil, "limit"),
            .conflict([]), .couldNotStart("no shell"), .verifyFailed("exit 1"),
        ]
        for outcome in outcomes {
            let decision = decide(&policy, .init(ticket: 0, attempt: 1, outcome: outcome, verifyRetries: 2, feedbackReady: true), stopping: true)
            #expect(decision == RetryPolicy.Decision(verdict: .giveUp, throttle: nil), "\(outcome)")
        }
        #expect(decide(&policy, .init(ticket: 0, attempt: 1, outcome: .interrupted)) == .giveUp)
        #expect(decide(&policy, .init(ticket: 0, attempt: 1, outcome: .succeeded)) == .giveUp, "a success needs no retry")
        #expect(policy.rateLimitBackoffs == 0)
    }

    @Test func limitWaitsCountBackOffsHereAndPausesAndLimitsInTheThrottle() {
        var policy = RetryPolicy(rateLimitWait: 10)
        var throttle = self.throttle
        let rate = decide(&policy, .init(ticket: 0, attempt: 1, outcome: .rateLimited("429")))
        _ = throttle.rateLimited(now: now)
        let usage = decide(&policy, .init(ticket: 1, attempt: 1, outcome: .usageLimited(resetsAt: wallNow + 50, "limit")), throttle: throttle)
        _ = throttle.usageLimited(resetsAt: wallNow + 50, now: now, wallNow: wallNow)
        let waits = policy.limitWaits(throttle: throttle)
        #expect(waits.rateLimited == 1)
        #expect(waits.usageLimited == 1)
        #expect(waits.seconds == (rate.delay ?? 0) + (usage.delay ?? 0))
        #expect(usage.delay == 50)
        #expect(waits.agentLimitLowered == 1)
        #expect(waits.lowestAgentLimit == 2)
    }
}
