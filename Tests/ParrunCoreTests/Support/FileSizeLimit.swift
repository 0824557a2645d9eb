import Foundation

/// Runs parrun under a file-size limit (RLIMIT_FSIZE), the fault a full disk
/// gives without root: `/bin/sh` ignores SIGXFSZ and sets the limit, then
/// execs parrun, so a write past it fails with EFBIG instead of killing it.
enum FileSizeLimit {
    /// `blocks` as the shell's `ulimit -f` counts them (512 or 1024 bytes).
    static func run(_ arguments: [String], blocks: Int, in directory: URL) throws -> CLITests.Outcome {
        let out = try OutputFile()
        let err = try OutputFile()
        let process = try Subprocess(
            "/bin/sh", ["-c", "trap '' XFSZ; ulimit -f \(blocks) && exec \"$0\" \"$@\"", CLITests.binary.path] + arguments,
            in: directory, environment: Subprocess.environment(["PARRUN_JOBS": nil, "NO_COLOR": "1"]),
            output: out.descriptor, error: err.descriptor)
        let status = process.wait()
        return CLITests.Outcome(status: status, stdout: out.text, stderr: err.text)
    }
}
