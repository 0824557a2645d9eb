import ParrunSupport
#if canImport(Glibc)
import Glibc
#endif

/// Runs a short helper command (git, squeue, scancel) to completion and
/// returns what it printed: for the few commands parrun itself needs, not for
/// recipes. A helper never holds parrun hostage: it is stopped when its time
/// runs out, or at once when a signal for parrun arrives meanwhile.
public enum CommandRunner {
    public struct Result: Sendable {
        public var status: ExitStatus
        /// Standard output and standard error, together; ends with parrun's
        /// own line when the helper was stopped.
        public var output: String
        /// Stopped because it ran past its time.
        public var timedOut = false
        /// Stopped because a signal for parrun arrived (Ctrl-C).
        public var interrupted = false
        public var succeeded: Bool { status == .exited(0) && !timedOut && !interrupted }
    }

    /// Readable when a signal for parrun is pending (its signalfd): a helper
    /// still running then is stopped, and the signal is left for the run loop.
    /// Set once on the main thread, before any helper runs or any other
    /// thread starts; only read after that.
    nonisolated(unsafe) public static var interruptDescriptor: Int32?

    /// Seconds a helper may run: `PARRUN_HELPER_TIMEOUT` when set, else the caller's default.
    public static func timeout(default seconds: Double) -> Double {
        if let text = Environment.current()["PARRUN_HELPER_TIMEOUT"], let value = Double(text), value > 0 { return value }
        return seconds
    }

    /// Grace between SIGTERM and SIGKILL for a helper being stopped.
    static let grace = 2.0

    @discardableResult
    /// `interrupt`: another descriptor that stops the helper when readable
    /// (the run loop's word to a helper running on another thread, which may
    /// miss the signal itself once the loop has read it).
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], timeout: Double = .infinity,
                           interrupt: Int32? = nil) -> Result {
        let helper: HelperProcess
        do { helper = try HelperProcess(arguments, in: directory, environment: environment) } catch {
            return Result(status: .exited(127), output: error.description)
        }
        let deadline = Clock.monotonic() + timeout
        var killAt = Double.infinity
        var timedOut = false
        var interrupted = false
        while !helper.hasExited {
            let now = Clock.monotonic()
            if now >= killAt {
                helper.signal(SIGKILL)
                killAt = .infinity
            } else if !timedOut && !interrupted && now >= deadline {
                timedOut = true
                helper.signal(SIGTERM)
                killAt = now + grace
            }
            var watched = helper.descriptors
            let interrupts = [interruptDescriptor, interrupt].compactMap { $0 }
            if !interrupted { watched += interrupts }
            let wake = timedOut || interrupted ? killAt : deadline
            // Without an exit descriptor, an exit is looked for every 50 ms.
            let wait = max(0, min(wake - now, helper.exitDescriptor == nil ? 0.05 : 3600))
            let ready = Poller.wait(watched, timeout: wait)
            if ready.contains(helper.output) { helper.readAvailable() }
            if !interrupted, interrupts.contains(where: ready.contains) {
                interrupted = true
                helper.signal(SIGTERM)
                killAt = Clock.monotonic() + grace
            }
        }
        let (status, output) = helper.finish()
        var result = Result(status: status, output: output)
        result.timedOut = timedOut
        result.interrupted = interrupted
        let command = shownCommand(arguments)
        if timedOut {
            result.output += (result.output.isEmpty || result.output.hasSuffix("\n") ? "" : "\n")
                + "parrun: `\(command)` did not finish within \(timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout))s and was stopped (PARRUN_HELPER_TIMEOUT sets the limit)\n"
        } else if interrupted {
            result.output += (result.output.isEmpty || result.output.hasSuffix("\n") ? "" : "\n") + "parrun: `\(command)` was stopped by a signal\n"
        }
        return result
    }

    /// The command as a message shows it: its first words, without `-c NAME=VALUE` settings.
    static func shownCommand(_ arguments: [String]) -> String {
        var shown: [String] = []
        var index = 0
        while index < arguments.count && shown.count < 3 {
            if arguments[index] == "-c" { index += 2; continue }
            shown.append(arguments[index])
            index += 1
        }
        return shown.joined(separator: " ")
    }
}
