import ParrunSupport

/// How many prompt tickets may run at once while the agent API pushes back,
/// and whether they may start at all. Pure: times are passed in (`now` on the
/// monotonic clock, `wallNow` in seconds since 1970, for a usage limit's reset
/// time); it returns the changes the run loop applies to the scheduler and reports.
///
/// Invariants: the effective limit stays within 1...configured; a rate-limited
/// attempt halves it, a rate limit an agent's CLI retries itself halves it at
/// most once per quiet period, and each quiet period after the last change
/// (or rate limit) raises it by one.
package struct AgentThrottle: Sendable, Equatable {
    /// What the run loop must do after a call.
    package enum Change: Sendable, Equatable {
        /// At most `limit` prompt tickets run at once now, of `configured`.
        case limit(Int, configured: Int)
        /// No prompt ticket starts before `until` (monotonic); `wallUntil` is the same moment in wall time.
        case paused(until: Double, wallUntil: Double)
        /// The pause is over: prompt tickets may start again.
        case resumed
    }

    /// The agent pool's limit as configured; nil when no pool limits prompt tickets.
    package let configured: Int?
    /// After a change of the limit, how long without a rate limit before it rises by one.
    package let quietPeriod: Double
    /// How long a usage limit pauses prompt tickets when its reset time is unknown.
    package let usageLimitWait: Double
    /// The limit in force; nil without an agent pool.
    package private(set) var limit: Int?
    /// When the last rate limit lowered the limit (or a quiet period raised it),
    /// monotonic; a rate limit at the floor counts too, as it restarts the quiet period.
    package private(set) var lastLimitChange = 0.0
    /// When a rate limit last lowered the limit, monotonic; nil: never.
    package private(set) var lastLowered: Double?
    /// Prompt tickets do not start before this (monotonic); nil: no pause.
    package private(set) var pauseEnds: Double?
    /// For the summary: times a rate limit lowered the limit and the lowest it went,
    /// and pauses started (an extended pause is the same one).
    package private(set) var timesLowered = 0
    package private(set) var lowestLimit: Int?
    package private(set) var pauses = 0
    /// Rate limits the agents' CLIs retried themselves (`rateLimitSeen`).
    package private(set) var signals = 0

    package init(configured: Int?, quietPeriod: Double, usageLimitWait: Double) {
        self.configured = configured
        self.limit = configured
        self.quietPeriod = quietPeriod
        self.usageLimitWait = usageLimitWait
    }

    /// A rate limit: halve the limit, never below 1. The new limit, if it changed.
    package mutating func rateLimited(now: Double) -> Change? {
        lastLimitChange = now
        guard let current = limit, let configured, current > 1 else { return nil }
        limit = current / 2
        lastLowered = now
        timesLowered += 1
        lowestLimit = min(lowestLimit ?? current / 2, current / 2)
        return .limit(current / 2, configured: configured)
    }

    /// A rate limit a running agent's CLI retries by itself (`api_retry`): it
    /// lowers the limit as a rate-limited attempt does, but only when the limit
    /// was not lowered within the last quiet period. One overload makes every
    /// running agent's CLI retry, several times each, and a lower limit stops
    /// no agent already running, so the retries that follow a lowering within
    /// a quiet period are the same overload: they restart the quiet period
    /// (the limit does not rise while they come) without lowering it again. Rate
    /// limits that go on past a quiet period lower it again. The attempt goes
    /// on; should it end rate-limited (the CLI gave up), `rateLimited` halves
    /// the limit again whatever the window: the CLI's own back-off was not enough.
    package mutating func rateLimitSeen(now: Double) -> Change? {
        signals += 1
        if let lastLowered, now - lastLowered < quietPeriod {
            lastLimitChange = now
            return nil
        }
        return rateLimited(now: now)
    }

    /// When a quiet period would raise the limit (nil: it is at the configured limit).
    package var raiseDue: Double? {
        guard let limit, let configured, limit < configured else { return nil }
        return lastLimitChange + quietPeriod
    }

    /// A quiet period since the last change raises the limit by one, up to the configured limit.
    package mutating func raiseIfQuiet(now: Double) -> Change? {
        guard let current = limit, let configured, current < configured, now - lastLimitChange >= quietPeriod else { return nil }
        lastLimitChange = now
        limit = current + 1
        return .limit(current + 1, configured: configured)
    }

    /// When a pause for a usage limit that resets at `resetsAt` (seconds since
    /// 1970; nil: unknown) would end, on the monotonic clock: at least a second
    /// from now, and a pause already running longer is not shortened.
    package func pauseEnd(resetsAt: Double?, now: Double, wallNow: Double) -> Double {
        let ends = now + max(1, (resetsAt ?? wallNow + usageLimitWait) - wallNow)
        // Within a second of the running pause's end is the same reset, reported once.
        guard let pauseEnds, ends <= pauseEnds + 1 else { return ends }
        return pauseEnds
    }

    /// The usage limit: no prompt ticket starts until it resets. A pause starts
    /// or is extended (`.paused`), or nothing changes when one already covers it.
    package mutating func usageLimited(resetsAt: Double?, now: Double, wallNow: Double) -> Change? {
        let ends = pauseEnd(resetsAt: resetsAt, now: now, wallNow: wallNow)
        guard ends != pauseEnds else { return nil }
        if pauseEnds == nil { pauses += 1 }
        pauseEnds = ends
        return .paused(until: ends, wallUntil: wallNow + (ends - now))
    }

    /// Ends the pause once its time has come.
    package mutating func resumeIfDue(now: Double) -> Change? {
        guard let pauseEnds, now >= pauseEnds else { return nil }
        self.pauseEnds = nil
        return .resumed
    }
}
