import Foundation

/// A real `parrun` process started in the background, its output going to
/// files (a pipe nobody reads could stall it).
final class LaunchedParrun {
    let process: Subprocess
    private let errorFile: OutputFile
    private let outputFile: OutputFile

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        var env = Subprocess.environment(["PARRUN_JOBS": nil, "NO_COLOR": "1"])
        for (key, value) in environment { env[key] = value }
        errorFile = try OutputFile()
        outputFile = try OutputFile()
        process = try Subprocess(CLITests.binary.path, arguments, in: directory, environment: env, output: outputFile.descriptor, error: errorFile.descriptor)
    }

    var pid: Int32 { process.pid }

    /// Waits for the exit; returns the exit status (or 128 + signal).
    @discardableResult
    func wait() -> Int32 { process.wait() }

    var output: String { outputFile.text }

    var stderr: String { errorFile.text }
}
