import ParrunSupport
#if canImport(Glibc)
import Glibc
#endif

/// A helper program parrun runs for itself (git, squeue), watched without
/// blocking: its output is gathered as it comes, its exit is seen on an exit
/// descriptor (or by asking), and it can be stopped, group and all. The run
/// loop polls `descriptors` with its tickets; `CommandRunner` waits on one.
package final class HelperProcess {
    package let pid: Int32
    package let arguments: [String]
    /// Stdout and stderr together; non-blocking.
    package let output: Int32
    /// Readable once the helper exits (a pidfd); nil on kernels without them.
    package let exitDescriptor: Int32?
    private var bytes: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    private(set) var outputClosed = false
    /// Set once it was reaped.
    private var result: (status: ExitStatus, output: String)?

    package init(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws(SystemError) {
        let pipe = try OutputPipe.make()
        var request = SpawnRequest(
            arguments: arguments, environment: PreparedEnvironment(Environment.current().variables.merging(environment) { $1 }),
            extraEnvironment: [], directory: directory, outputDescriptor: pipe.writeEnd)
        request.inputPath = "/dev/null"
        do {
            (pid, exitDescriptor) = try ProcessSpawner.spawnWatched(request)
        } catch {
            Descriptor.close(pipe.readEnd)
            Descriptor.close(pipe.writeEnd)
            throw error
        }
        Descriptor.close(pipe.writeEnd)
        self.arguments = arguments
        output = pipe.readEnd
    }

    deinit {
        _ = finish()
    }

    /// What to poll for readability: the output while open, and the exit descriptor.
    package var descriptors: [Int32] {
        (outputClosed ? [] : [output]) + (exitDescriptor.map { [$0] } ?? [])
    }

    /// Reads what the pipe holds now.
    package func readAvailable() {
        while !outputClosed {
            switch Descriptor.read(output, into: &buffer) {
            case .data(let count): bytes += buffer[0..<count]
            case .wouldBlock: return
            case .endOfFile: outputClosed = true
            }
        }
    }

    /// The helper is finished when it exits, not when its pipe closes: git may
    /// leave a daemon holding the pipe.
    package var hasExited: Bool { ProcessControl.hasExited(pid) }

    package func signal(_ signal: Int32) {
        ProcessControl.signalGroup(pid, signal)
    }

    /// Once it has exited (or was killed): whatever it left behind is killed,
    /// its output read to the end, and it is reaped.
    @discardableResult
    package func finish() -> (status: ExitStatus, output: String) {
        if let result { return result }
        ProcessControl.signalGroup(pid, SIGKILL)
        readAvailable()
        let status = ProcessControl.reap(pid)
        Descriptor.close(output)
        if let exitDescriptor { Descriptor.close(exitDescriptor) }
        let finished = (status, String(decoding: bytes, as: UTF8.self))
        result = finished
        return finished
    }
}
