import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// The agent throttle on a simulated clock: `now` is monotonic seconds, `wall` seconds since 1970.
@Suite struct AgentThrottleTests {
    private let wall = 1_700_000_000.0

    @Test func eachRateLimitHalvesTheAgentLimitDownToOne() {
        var throttle = AgentThrottle(configured: 8, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.rateLimited(now: 1) == .limit(4, configured: 8))
        #expect(throttle.rateLimited(now: 2) == .limit(2, configured: 8))
        #expect(throttle.rateLimited(now: 3) == .limit(1, configured: 8))
        #expect(throttle.rateLimited(now: 4) == nil, "never below 1")
        #expect(throttle.limit == 1)
        #expect(throttle.timesLowered == 3)
        #expect(throttle.lowestLimit == 1)
    }

    @Test func anOddLimitHalvesDownwards() {
        var throttle = AgentThrottle(configured: 3, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.rateLimited(now: 0) == .limit(1, configured: 3))
    }

    @Test func eachQuietPeriodRaisesTheLimitByOneUpToTheConfiguredLimitAndNoFurther() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.raiseIfQuiet(now: 1_000) == nil, "at the configured limit already")
        _ = throttle.rateLimited(now: 0)
        _ = throttle.rateLimited(now: 0)
        #expect(throttle.limit == 1)
        #expect(throttle.raiseIfQuiet(now: 59.9) == nil, "not quiet long enough")
        #expect(throttle.raiseIfQuiet(now: 60) == .limit(2, configured: 4))
        #expect(throttle.raiseIfQuiet(now: 100) == nil, "the raise starts a new quiet period")
        #expect(throttle.raiseIfQuiet(now: 120) == .limit(3, configured: 4))
        #expect(throttle.raiseIfQuiet(now: 180) == .limit(4, configured: 4))
        #expect(throttle.raiseIfQuiet(now: 240) == nil)
        #expect(throttle.raiseIfQuiet(now: 10_000) == nil)
        #expect(throttle.limit == 4)
    }

    @Test func aRateLimitAtTheFloorStillRestartsTheQuietPeriod() {
        var throttle = AgentThrottle(configured: 2, quietPeriod: 60, usageLimitWait: 900)
        _ = throttle.rateLimited(now: 0)
        #expect(throttle.rateLimited(now: 50) == nil)
        #expect(throttle.raiseIfQuiet(now: 100) == nil, "50 s after the last rate limit")
        #expect(throttle.raiseIfQuiet(now: 110) == .limit(2, configured: 2))
    }

    @Test func aBurstOfRetriedRateLimitsLowersTheLimitOncePerQuietPeriod() {
        var throttle = AgentThrottle(configured: 8, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.rateLimitSeen(now: 10) == .limit(4, configured: 8))
        for now in stride(from: 11.0, through: 69, by: 2) {
            #expect(throttle.rateLimitSeen(now: now) == nil, "the same overload at \(now)s")
        }
        #expect(throttle.limit == 4 && throttle.timesLowered == 1)
        #expect(throttle.signals == 31)
        #expect(throttle.raiseIfQuiet(now: 75) == nil, "65 s after the lowering, but each signal restarted the quiet period")
        #expect(throttle.rateLimitSeen(now: 76) == .limit(2, configured: 8), "rate limits that go on past a quiet period lower it again")
        #expect(throttle.raiseDue == 136)
        #expect(throttle.raiseIfQuiet(now: 136) == .limit(3, configured: 8))
    }

    @Test func aRetriedRateLimitSoonAfterARateLimitedAttemptDoesNotLowerAgainButTheReverseDoes() {
        var throttle = AgentThrottle(configured: 8, quietPeriod: 60, usageLimitWait: 900)
        _ = throttle.rateLimited(now: 0)
        #expect(throttle.rateLimitSeen(now: 5) == nil)
        #expect(throttle.rateLimited(now: 6) == .limit(2, configured: 8), "the CLI gave up: its own back-off was not enough")
    }

    @Test func withoutAnAgentPoolThereIsNoLimitToChange() {
        var throttle = AgentThrottle(configured: nil, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.rateLimited(now: 0) == nil)
        #expect(throttle.raiseIfQuiet(now: 1_000) == nil)
        #expect(throttle.limit == nil)
        #expect(throttle.timesLowered == 0)
    }

    @Test func aUsageLimitPausesPromptTicketsUntilItsResetTime() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.usageLimited(resetsAt: wall + 120, now: 500, wallNow: wall) == .paused(until: 620, wallUntil: wall + 120))
        #expect(throttle.pauseEnds == 620)
        #expect(throttle.pauses == 1)
    }

    @Test func aUsageLimitWithoutAResetTimePausesForTheConfiguredWait() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.usageLimited(resetsAt: nil, now: 500, wallNow: wall) == .paused(until: 1_400, wallUntil: wall + 900))
    }

    @Test func aResetTimeAlreadyPastStillPausesForASecond() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.usageLimited(resetsAt: wall - 30, now: 500, wallNow: wall) == .paused(until: 501, wallUntil: wall + 1))
    }

    @Test func aLaterResetExtendsThePauseAndTheSameOrAnEarlierOneChangesNothing() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        _ = throttle.usageLimited(resetsAt: wall + 100, now: 0, wallNow: wall)
        // The same reset seen by another ticket a little later: within a second, not reported again.
        #expect(throttle.usageLimited(resetsAt: wall + 100.5, now: 10, wallNow: wall + 10) == nil)
        #expect(throttle.usageLimited(resetsAt: wall + 50, now: 10, wallNow: wall + 10) == nil, "a pause is never shortened")
        #expect(throttle.pauseEnds == 100)
        #expect(throttle.usageLimited(resetsAt: wall + 300, now: 20, wallNow: wall + 20) == .paused(until: 300, wallUntil: wall + 300))
        #expect(throttle.pauseEnds == 300)
        #expect(throttle.pauses == 1, "an extended pause is the same pause")
    }

    @Test func aPauseEndsWhenItsTimeComesAndNotBefore() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        #expect(throttle.resumeIfDue(now: 0) == nil, "no pause to end")
        _ = throttle.usageLimited(resetsAt: wall + 100, now: 0, wallNow: wall)
        #expect(throttle.resumeIfDue(now: 99.9) == nil)
        #expect(throttle.resumeIfDue(now: 100) == .resumed)
        #expect(throttle.pauseEnds == nil)
        #expect(throttle.resumeIfDue(now: 101) == nil, "ended once")
        // The next usage limit is a new pause.
        #expect(throttle.usageLimited(resetsAt: wall + 200, now: 150, wallNow: wall + 150) == .paused(until: 200, wallUntil: wall + 200))
        #expect(throttle.pauses == 2)
    }

    @Test func thePauseEndAUsageLimitWouldHaveIsWhatPausingGives() {
        var throttle = AgentThrottle(configured: 4, quietPeriod: 60, usageLimitWait: 900)
        for (resetsAt, now) in [(wall + 100, 0.0), (wall + 80, 5), (wall + 400, 10), (nil, 20)] as [(Double?, Double)] {
            let predicted = throttle.pauseEnd(resetsAt: resetsAt, now: now, wallNow: wall + now)
            _ = throttle.usageLimited(resetsAt: resetsAt, now: now, wallNow: wall + now)
            #expect(throttle.pauseEnds == predicted)
        }
    }
}
