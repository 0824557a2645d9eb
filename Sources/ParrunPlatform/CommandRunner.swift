#if canImport(Glibc)
import Glibc
#endif

/// Runs a short helper command (git) to completion and returns what it
/// printed: for the few commands parrun itself needs, not for recipes.
public enum CommandRunner {
    public struct Result: Sendable {
        public var status: ExitStatus
        /// Standard output and standard error, together.
        public var output: String
        public var succeeded: Bool { status == .exited(0) }
    }

    @discardableResult
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) -> Result {
        let pipe: OutputPipe
        do { pipe = try OutputPipe.make() } catch { return Result(status: .exited(127), output: error.description) }
        _ = fcntl(pipe.readEnd, F_SETFL, 0)  // this reader blocks
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
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while case .data(let count) = Descriptor.read(pipe.readEnd, into: &buffer) { bytes += buffer[0..<count] }
        Descriptor.close(pipe.readEnd)
        return Result(status: ProcessControl.reap(pid), output: String(decoding: bytes, as: UTF8.self))
    }
}
