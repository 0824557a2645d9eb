import ParrunPlatform
import ParrunState

/// What happened during a run, in order; reporters turn these into text,
/// a status line or JSON events.
public enum RunEvent: Sendable {
    case runStarted(RunStart)
    case ticketStarted(ticket: Int, attempt: Int, worker: Int, pid: Int32)
    case output(ticket: Int, attempt: Int, worker: Int, line: String)
    /// `retryIn` is set when another attempt follows after that many seconds.
    /// `stats`: what a prompt ticket's agent reported for this attempt.
    case ticketEnded(ticket: Int, attempt: Int, worker: Int, outcome: AttemptOutcome, seconds: Double, retryIn: Double?, stats: AgentStats?)
    case ticketSkipped(ticket: Int, dependency: Int, cause: Int)
    /// The run is stopping: the retry a `ticketEnded` announced (`retryIn`) will not happen.
    case retryCancelled(ticket: Int)
    /// `--launcher slurm`: the ticket's Slurm job and its state (`queued`, `running`, ...).
    case ticketSlurm(ticket: Int, job: String, state: String)
    /// A ticket's verify gate ended (`exitCode` nil when it was killed or could not start).
    case ticketVerified(ticket: Int, attempt: Int, passed: Bool, exitCode: Int?)
    /// Another parrun on the same run holds the ticket (`holder` 0 if unknown); this one waits for it.
    case ticketElsewhere(ticket: Int, holder: Int32)
    /// Something worth a line that is not a ticket's: a claim taken over, a ticket found done.
    case notice(String)
    /// The API rate-limits: at most `limit` prompt tickets run at once now (of `configured`).
    case agentLimit(limit: Int, configured: Int)
    /// Prompt tickets do not start until `until` (seconds since 1970; nil: the pause ended).
    case agentsPaused(until: Double?, reason: String)
    /// A signal arrived; running tickets are being stopped.
    case stopping(signal: Int32?, reason: String)
    case runFinished(RunResult)
}

public struct RunStart: Sendable {
    public var runID: String
    public var manifestName: String
    public var jobs: Int
    public var tickets: Int
    public var toRun: Int
    /// Wall-clock start, seconds since the epoch.
    public var startedAt: Double
}

/// Where reporters write: the run's standard output (ticket output, JSON
/// events) and standard error (parrun's own messages and the status line).
public protocol OutputSink: AnyObject {
    func writeOutput(_ text: String)
    func writeMessage(_ text: String)
    /// Writes out anything held back; the run loop calls it before every wait.
    func flush()
}

/// Standard output and error, each gathered into one `write` per loop turn
/// (at 2,000 short tickets, a write per event line was measurable), and kept in
/// order: switching streams writes out the other one first.
public final class TerminalSink: OutputSink {
    private var output = ""
    private var messages = ""
    /// Held text beyond this is written at once, so memory stays bounded.
    private static let limit = 64 * 1024

    public init() {}

    public func writeOutput(_ text: String) {
        if !messages.isEmpty { flushMessages() }
        output += text
        if output.utf8.count > Self.limit { flushOutput() }
    }

    public func writeMessage(_ text: String) {
        if !output.isEmpty { flushOutput() }
        messages += text
        if messages.utf8.count > Self.limit { flushMessages() }
    }

    public func flush() {
        flushOutput()
        flushMessages()
    }

    private func flushOutput() {
        guard !output.isEmpty else { return }
        Terminal.writeOutput(output)
        output = ""
    }

    private func flushMessages() {
        guard !messages.isEmpty else { return }
        Terminal.writeError(messages)
        messages = ""
    }
}

public protocol RunReporter {
    /// `elapsed`: seconds since the run started.
    mutating func report(_ event: RunEvent, elapsed: Double)
    /// Called about once a second while tickets run, to redraw a clock.
    mutating func tick(elapsed: Double)
}
