#if canImport(Glibc)
import Glibc
#endif

/// Stops the recipes of a parrun that died without stopping them itself (kill -9,
/// a crash, an OOM kill). A small process of parrun's own binary, started once
/// per run in a process group of its own, holds the read end of a pipe whose
/// write end only parrun has. When that pipe closes without the word `done`,
/// parrun is gone: the guardian finds every process whose environment carries
/// `PARRUN_SUPERVISOR=<parrun's pid>` (grandchildren inherit it), and stops
/// them and their process groups: SIGTERM, then SIGKILL after the grace period.
/// PR_SET_PDEATHSIG would reach only the recipe's own shell, not what it started
/// (docs/platform.md).
public struct Guardian {
    /// The hidden subcommand that runs a guardian.
    public static let subcommand = "__guardian"

    private let descriptor: Int32

    /// Starts the guardian for this process; keep the value until the run ends.
    public static func start(grace: Double) throws(SystemError) -> Guardian {
        let pipe = try OutputPipe.make()
        // The guardian blocks on its end; only the write end stays here.
        _ = fcntl(pipe.readEnd, F_SETFL, 0)
        defer { Descriptor.close(pipe.readEnd) }
        var request = SpawnRequest(
            arguments: ["/proc/self/exe", subcommand, String(getpid()), String(grace)],
            environment: PreparedEnvironment([:]), extraEnvironment: [], directory: nil, outputDescriptor: 2)
        request.inputDescriptor = pipe.readEnd
        do {
            _ = try ProcessSpawner.spawn(request)
        } catch {
            Descriptor.close(pipe.writeEnd)
            throw error
        }
        return Guardian(descriptor: pipe.writeEnd)
    }

    /// The run ended normally: nothing is left to stop.
    public func release() {
        Descriptor.write(descriptor, "done\n")
        Descriptor.close(descriptor)
    }

    /// The guardian process: `parrun __guardian PID GRACE`, standard input the pipe.
    public static func main(arguments: [String]) -> Int32 {
        _ = signal(SIGINT, SIG_IGN)
        _ = signal(SIGHUP, SIG_IGN)
        guard arguments.count == 2, let supervisor = Int32(arguments[0]), let grace = Double(arguments[1]) else { return 2 }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        if String(decoding: received, as: UTF8.self).contains("done") { return 0 }
        let marker = "PARRUN_SUPERVISOR=\(supervisor)"
        var orphans = ProcessTable.processes(withEnvironment: marker)
        guard !orphans.isEmpty else { return 0 }
        Terminal.writeError("parrun: the parrun with pid \(supervisor) is gone; stopping \(orphans.count) process\(orphans.count == 1 ? "" : "es") it left running\n")
        signalAll(orphans, SIGTERM)
        let deadline = Clock.monotonic() + grace
        while Clock.monotonic() < deadline {
            orphans = orphans.filter { ProcessTable.startTicks(of: $0) != nil }
            if orphans.isEmpty { return 0 }
            usleep(50_000)
        }
        signalAll(ProcessTable.processes(withEnvironment: marker), SIGKILL)
        return 0
    }

    private static func signalAll(_ pids: [Int32], _ signal: Int32) {
        for pid in pids {
            let group = getpgid(pid)
            // Never the guardian's own group, nor init's.
            if group > 1 && group != getpgrp() { _ = kill(-group, signal) }
            _ = kill(pid, signal)
        }
    }
}
