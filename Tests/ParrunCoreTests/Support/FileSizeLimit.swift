import Foundation

/// Runs parrun under a file-size limit (RLIMIT_FSIZE), the fault a full disk
/// gives without root: `/bin/sh` ignores SIGXFSZ and sets the limit, then
/// execs parrun, so a write past it fails with EFBIG instead of killing it.
enum FileSizeLimit {
    /// `blocks` as the shell's `ulimit -f` counts them (512 or 1024 bytes).
    static func run(_ arguments: [String], blocks: Int, in directory: URL) throws -> CLITests.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(blocks) && exec \"$0\" \"$@\"", CLITests.binary.path] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PARRUN_JOBS"] = nil
        environment["NO_COLOR"] = "1"
        process.environment = environment
        let scratch = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("out")
        let err = scratch.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return CLITests.Outcome(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
