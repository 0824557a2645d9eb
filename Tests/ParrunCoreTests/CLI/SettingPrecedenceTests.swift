import Foundation
import Testing

/// One precedence for every setting: the ticket's own value, then the command
/// line, then the environment, then the manifest's defaults, then parrun's own.
@Suite struct SettingPrecedenceTests {
    @Test(.timeLimit(.minutes(4)))
    func timeoutOnTheCommandLineWinsOverTheManifestsDefault() throws {
        let manifest = #"{"defaults": {"timeout": "30s"}, "tickets": [{"id": "slow", "run": "sleep 20"}, {"id": "own", "run": "sleep 0.2", "timeout": "10s"}]}"#
        let directory = try CLITests.directory(["tickets.json": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = Date()
        let outcome = try CLITests.run(["-q", "-k", "--timeout", "1s", "--grace", "1s"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("TIMEOUT slow timed out after 1s"), "\(outcome.stderr)")
        #expect(Date().timeIntervalSince(started) < 10, "stopped by --timeout, not the default's 30s")
        #expect(!outcome.stderr.contains("TIMEOUT own"), "a ticket's own timeout wins over --timeout: \(outcome.stderr)")
    }
}
