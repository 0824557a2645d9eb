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
    /// Set once on the main thread, before any helper runs; parrun runs
    /// helpers only from that thread, so nothing reads it concurrently.
    nonisolated(unsafe) public static var interruptDescriptor: Int32?

    /// Seconds a helper may run: `PARRUN_HELPER_TIMEOUT` when set, else the caller's default.
    public static func timeout(default seconds: Double) -> Double {
        if let text = Environment.current()["PARRUN_HELPER_TIMEOUT"], let value = Double(text), value > 0 { return value }
        return seconds
    }

    /// Grace between SIGTERM and SIGKILL for a helper being stopped.
    static let grace = 2.0

    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], timeout: Double = .infinity) -> Result {
        let pipe: OutputPipe
        do { pipe = try OutputPipe.make() } catch { return Result(status: .exited(127), output: error.description) }
        var request = SpawnRequest(
            arguments: arguments, environment: PreparedEnvironment(Environment.current().variables.merging(environment) { $1 }),
            extraEnvironment: [], directory: directory, outputDescriptor: pipe.writeEnd)
        request.inputPath = "/dev/null"
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            Descriptor.close(pipe.readEnd)
            Descriptor.close(pipe.writeEnd)
            return Result(status: .exited(127), output: error.description)
        }
        Descriptor.close(pipe.writeEnd)
        let exitDescriptor = ProcessControl.exitDescriptor(pid)
        defer {
            Descriptor.close(pipe.readEnd)
            if let exitDescriptor { Descriptor.close(exitDescriptor) }
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var outputOpen = true
        let deadline = Clock.monotonic() + timeout
        var killAt = Double.infinity
        var timedOut = false
        var interrupted = false
        // Finished when the helper exits, not when its pipe closes: git may leave a daemon holding it.
        while !ProcessControl.hasExited(pid) {
            let now = Clock.monotonic()
            if now >= killAt {
                ProcessControl.signalGroup(pid, SIGKILL)
                killAt = .infinity
            } else if killAt == .infinity && !timedOut && !interrupted && now >= deadline {
                timedOut = true
                stop(pid, killAt: &killAt, now: now)
            }
            var watched: [Int32] = []
            if outputOpen { watched.append(pipe.readEnd) }
            if let exitDescriptor { watched.append(exitDescriptor) }
            if !interrupted, let interruptDescriptor { watched.append(interruptDescriptor) }
            let wake = min(killAt, timedOut || interrupted ? killAt : deadline)
            // Without an exit descriptor, an exit is looked for every 50 ms.
            let wait = max(0, min(wake - now, exitDescriptor == nil ? 0.05 : 3600))
            let ready = Poller.wait(watched, timeout: wait)
            if ready.contains(pipe.readEnd) { outputOpen = drain(pipe.readEnd, into: &bytes, buffer: &buffer) }
            if !interrupted, let interruptDescriptor, ready.contains(interruptDescriptor) {
                interrupted = true
                stop(pid, killAt: &killAt, now: Clock.monotonic())
            }
        }
        ProcessControl.signalGroup(pid, SIGKILL)  // anything the helper left behind
        if outputOpen { _ = drain(pipe.readEnd, into: &bytes, buffer: &buffer) }
        var result = Result(status: ProcessControl.reap(pid), output: String(decoding: bytes, as: UTF8.self))
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

    private static func stop(_ pid: Int32, killAt: inout Double, now: Double) {
        ProcessControl.signalGroup(pid, SIGTERM)
        killAt = now + grace
    }

    /// Reads what the pipe holds now; false once it reached end of file.
    private static func drain(_ descriptor: Int32, into bytes: inout [UInt8], buffer: inout [UInt8]) -> Bool {
        while true {
            switch Descriptor.read(descriptor, into: &buffer) {
            case .data(let count): bytes += buffer[0..<count]
            case .wouldBlock: return true
            case .endOfFile: return false
            }
        }
    }
}
