import ParrunSupport

/// The live line at the bottom of a terminal:
/// `[7/12] running: build, test, lint  elapsed 1m12s  eta 3m`.
struct StatusLine {
    /// `finished` counts tickets that reached a final state; `total` those in the run.
    /// `agentLimit`: the agent pool's (limit now, configured); shown while
    /// lowered. `rateLimitRetryIn`: seconds until an agent's CLI retries a
    /// rate-limited request (`claude: 2 of 3, rate limited, retry in 12s`).
    /// `agent`: the agent these are about, named in the line (`codex: ...`);
    /// `pausedAgent`: the one whose usage limit pauses it (`codex paused until 9:20`).
    static func render(finished: Int, total: Int, running: [String], elapsed: Double, width: Int, queued: [String] = [], pausedUntil: String? = nil,
                       agentLimit: (Int, Int)? = nil, rateLimitRetryIn: Double? = nil, agent: String = "claude", pausedAgent: String? = nil) -> String {
        var line = "[\(finished)/\(total)]"
        if let rateLimitRetryIn {
            // Before the running tickets: a cut to the terminal's width keeps it.
            line += " \(agent): " + (agentLimit.map { "\($0.0) of \($0.1), " } ?? "") + "rate limited, retry in " + countdown(rateLimitRetryIn)
        } else if let (limit, configured) = agentLimit, limit < configured {
            line += (agent == "claude" ? " agents" : " \(agent)") + " \(limit)/\(configured)"
        }
        if let pausedUntil {
            let paused = pausedAgent ?? agent
            line += (paused == "claude" ? " agents" : " \(paused)") + " paused until \(pausedUntil) (usage limit)"
        }
        if !running.isEmpty { line += " running: " + running.joined(separator: ", ") }
        if !queued.isEmpty { line += " queued: " + queued.joined(separator: ", ") }
        line += "  elapsed " + clock(elapsed)
        if finished > 0 && finished < total {
            // Proportional: the tickets left take as long, on average, as those done.
            line += "  eta " + clock(elapsed / Double(finished) * Double(total - finished))
        }
        return fitted(line, width: width)
    }

    /// `45s`, `1m12s`, `2h05m`: coarse on purpose, it is redrawn every second.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(max(0, min(seconds, 1e9)).rounded(.down))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + String(whole % 60).leftPadded(to: 2) + "s" }
        return "\(whole / 3600)h" + String(whole % 3600 / 60).leftPadded(to: 2) + "m"
    }

    /// Whole seconds, rounded up: a wait of 0.4s is not "0s" while it lasts.
    static func countdown(_ seconds: Double) -> String {
        clock(max(0, min(seconds, 1e9)).rounded(.up))
    }

    /// Cut to the terminal's width, so redrawing with `\r` never wraps.
    static func fitted(_ line: String, width: Int) -> String {
        let scalars = line.unicodeScalars
        guard width > 4, scalars.count > width - 1 else { return line }
        return String(String.UnicodeScalarView(scalars.prefix(width - 4))) + "..."
    }
}
