import Foundation

/// A real `parrun` process started in the background, its output going to
/// files (a pipe nobody reads could stall it).
final class LaunchedParrun {
    let process = Process()
    private let errorFile: URL
    private let outputFile: URL

    init(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        process.executableURL = CLITests.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["PARRUN_JOBS"] = nil
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-out-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: errorFile)
        try? FileManager.default.removeItem(at: outputFile)
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits for the exit; returns the exit status (or 128 + signal).
    @discardableResult
    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    var output: String {
        String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
    }

    var stderr: String {
        String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
    }
}
