import Foundation
import Glibc
@testable import ParrunPlatform

/// A child process for the tests, started with parrun's own spawn, not
/// `Foundation.Process`. A child of `Foundation.Process` keeps the socket
/// Foundation learns of its exit through, and tests run in parallel, so one
/// test's long-lived child (a Slurm run, a mock server) could hold up
/// `waitUntilExit` in others until it ended: unrelated tests then finished
/// together, past their time limits. Here the child keeps no descriptor but
/// 0, 1 and 2, runs in a process group of its own, with default signals.
final class Subprocess {
    let pid: Int32
    private var status: Int32?

    /// `output` and `error` become the child's standard output and error.
    init(_ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String],
         input: String = "/dev/null", output: Int32, error: Int32) throws {
        var request = SpawnRequest(
            arguments: [executable] + arguments, environment: PreparedEnvironment(environment), extraEnvironment: [],
            directory: directory?.path, inputPath: input, outputDescriptor: output)
        request.errorDescriptor = error
        if executable.contains("/") { request.executable = executable }
        pid = try ProcessSpawner.spawn(request)
    }

    /// A child already started (by `ProcessSpawner`), to wait for or kill.
    init(pid: Int32) {
        self.pid = pid
    }

    /// The test process's environment with `changes` (nil removes a variable).
    static func environment(_ changes: [String: String?]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in changes { environment[key] = value }
        return environment
    }

    /// Waits for the exit: the exit status, or 128 + the signal that ended it.
    @discardableResult
    func wait() -> Int32 {
        if let status { return status }
        let value: Int32 = switch ProcessControl.reap(pid) {
        case .exited(let code): code
        case .signaled(let signal): 128 + signal
        }
        status = value
        return value
    }

    var isRunning: Bool { status == nil && !ProcessControl.hasExited(pid) }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            wait()
        }
    }
}

/// A file a child writes to, read back afterwards.
final class OutputFile {
    let url: URL
    let descriptor: Int32

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-test-\(UUID().uuidString)")
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit {
        close(descriptor)
        try? FileManager.default.removeItem(at: url)
    }

    var text: String { String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
}
