import Foundation
import Testing

/// Real signals sent to a real parrun process.
@Suite struct SignalTests {
    private func launch(_ manifest: String, _ arguments: [String]) throws -> (Subprocess, URL, OutputFile) {
        let directory = try CLITests.directory(["Parrunfile": manifest])
        let errors = try OutputFile()
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(null) }
        let process = try Subprocess(CLITests.binary.path, arguments, in: directory, environment: Subprocess.environment(["NO_COLOR": "1"]),
                                     output: null, error: errors.descriptor)
        return (process, directory, errors)
    }

    /// Waits until every file exists (the recipes have started), up to 10 s.
    private func waitFor(_ names: [String], in directory: URL) -> Bool {
        for _ in 0..<200 {
            if names.allSatisfy({ FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path) }) {
                usleep(100_000)  // let the shell write the pid, not just create the file
                return true
            }
            usleep(50_000)
        }
        return false
    }

    private func pids(_ names: [String], in directory: URL) -> [Int32] {
        names.compactMap { name in
            (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    private let manifest = """
        one:
            sleep 1000 & echo $! > one.pid; wait
        two:
            sh -c 'sleep 1000 & echo $! > two.pid; wait'
        later: one
            touch later.ran

        """

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalStopsEveryProcessAndExitsWith128PlusIt(signal: Int32, status: Int32) throws {
        let (process, directory, errors) = try launch(manifest, ["-j2", "-q", "--grace", "2s"])
        #expect(waitFor(["one.pid", "two.pid"], in: directory), "the tickets started")
        let children = pids(["one.pid", "two.pid"], in: directory)
        #expect(children.count == 2)
        kill(process.pid, signal)
        let exit = process.wait()
        let stderr = errors.text
        #expect(exit == status, "\(stderr)")
        #expect(stderr.contains("interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"))
        #expect(stderr.contains("STOPPED one"))
        for pid in children { #expect(RunTests.isGone(pid), "grandchild \(pid) survived") }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("later.ran").path))
    }

    @Test func aSecondInterruptKillsAtOnce() throws {
        let stubborn = "stubborn:\n    trap '' TERM INT; echo $$ > shell.pid; while true; do sleep 0.05; done\n"
        let (process, directory, _) = try launch(stubborn, ["-q", "--grace", "60s"])
        #expect(waitFor(["shell.pid"], in: directory))
        let started = Date()
        kill(process.pid, SIGINT)
        usleep(300_000)
        kill(process.pid, SIGINT)
        #expect(process.wait() == 130)
        #expect(Date().timeIntervalSince(started) < 10, "did not wait for the 60 s grace period")
        for pid in pids(["shell.pid"], in: directory) { #expect(RunTests.isGone(pid)) }
    }
}
