import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Helper programs a run starts for its side effects (`bd` for write-back,
/// the manifest's hooks), watched by the run loop like its tickets: never
/// waited for while the run goes on, each stopped (its process group killed)
/// once its time is up. Serial jobs run one at a time in the order given
/// (`bd` commands, whose order matters: a ticket is closed after it was
/// marked in progress); others run at once, up to `parallelLimit`.
final class SideCommands {
    enum Outcome {
        case exited(ExitStatus, output: String)
        case timedOut(seconds: Double)
        case couldNotStart(String)

        var succeeded: Bool {
            if case .exited(.exited(0), output: _) = self { return true }
            return false
        }

        /// Why it failed, in words: the exit and the output's last line.
        var failure: String? {
            switch self {
            case .exited(.exited(0), output: _): return nil
            case .exited(let status, let output):
                let last = output.split(separator: "\n").last.map { ": " + String($0.prefix(200)) } ?? ""
                let how = switch status {
                case .exited(let code): "exited \(code)"
                case .signaled(let signal): "killed by \(ExitStatus.signalName(signal))"
                }
                return how + last
            case .timedOut(let seconds): return "timed out after \(DurationText.format(seconds: seconds)) and was stopped"
            case .couldNotStart(let reason): return "could not start: \(reason)"
            }
        }
    }

    private struct Job {
        let arguments: [String]
        let directory: String?
        let timeout: Double
        let serial: Bool
        let then: (Outcome) -> Void
    }

    private struct Running {
        let helper: HelperProcess
        let job: Job
        let deadline: Double
    }

    static let parallelLimit = 4
    private var waiting: [Job] = []
    private var running: [Running] = []

    var isIdle: Bool { waiting.isEmpty && running.isEmpty }

    /// What the loop polls: the helpers' output and exit descriptors.
    var descriptors: [Int32] { running.flatMap(\.helper.descriptors) }

    /// When `service` must run next: a deadline, or soon for a helper whose exit has no descriptor.
    var nextDue: Double? {
        guard !running.isEmpty else { return nil }
        var due = running.map(\.deadline).min()!
        if running.contains(where: { $0.helper.exitDescriptor == nil }) { due = min(due, Clock.monotonic() + 0.02) }
        return due
    }

    func submit(_ arguments: [String], in directory: String?, timeout: Double, serial: Bool, then: @escaping (Outcome) -> Void) {
        waiting.append(Job(arguments: arguments, directory: directory, timeout: timeout, serial: serial, then: then))
        startWaiting()
    }

    /// Reads what helpers wrote, finishes those that exited or ran out of
    /// time, and starts the jobs that may start now.
    func service(now: Double = Clock.monotonic()) {
        var index = 0
        while index < running.count {
            let entry = running[index]
            entry.helper.readAvailable()
            let exited = entry.helper.hasExited
            guard exited || now >= entry.deadline else {
                index += 1
                continue
            }
            running.remove(at: index)
            let (status, output) = entry.helper.finish()
            entry.job.then(exited ? .exited(status, output: output) : .timedOut(seconds: entry.job.timeout))
        }
        startWaiting()
    }

    /// At the end of the run: waits for every job, each within its time;
    /// a signal (`interrupt` readable) stops them all at once.
    func drain(interrupt: Int32?) {
        while !isIdle {
            let now = Clock.monotonic()
            let wait = max(0, min((nextDue ?? now + 0.05) - now, 0.5))
            let ready = Poller.wait(descriptors + (interrupt.map { [$0] } ?? []), timeout: wait)
            if let interrupt, ready.contains(interrupt) {
                for entry in running { entry.helper.signal(Signal.kill) }
                let dropped = waiting
                waiting.removeAll()
                for job in dropped { job.then(.couldNotStart("parrun was interrupted")) }
            }
            service()
        }
    }

    /// Serial jobs not yet started end at once as not started, with `reason`.
    func cancelWaitingSerialJobs(_ reason: String) {
        let cancelled = waiting.filter(\.serial)
        waiting.removeAll { $0.serial }
        for job in cancelled { job.then(.couldNotStart(reason)) }
    }

    private func startWaiting() {
        var index = 0
        while index < waiting.count {
            let job = waiting[index]
            let serialBusy = running.contains { $0.job.serial }
            if job.serial ? serialBusy : running.count - (serialBusy ? 1 : 0) >= Self.parallelLimit {
                // A serial job waits for the one before it; later serial jobs wait behind it.
                index += 1
                if job.serial { while index < waiting.count && waiting[index].serial { index += 1 } }
                continue
            }
            waiting.remove(at: index)
            do {
                let helper = try HelperProcess(job.arguments, in: job.directory)
                running.append(Running(helper: helper, job: job, deadline: Clock.monotonic() + job.timeout))
            } catch {
                job.then(.couldNotStart(error.description))
            }
        }
    }
}
