import Foundation
import Testing

/// `--resume` without an earlier run, and `--resume` with `--no-journal`.
@Suite struct ResumeOptionsTests {
    @Test func resumeWithoutAnEarlierRunSaysSoOnceAndRunsFresh() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    touch a.ran\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["--resume", "-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let notices = outcome.stderr.split(separator: "\n").filter { $0.contains("resume") }
        #expect(notices == ["parrun: no earlier run of Parrunfile to resume in .parrun; starting a fresh run"], "\(outcome.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.ran").path))
    }

    @Test(arguments: [["--resume", "--no-journal"], ["--no-journal", "-n", "--resume"]])
    func resumeWithoutAJournalIsAUsageError(arguments: [String]) throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    touch a.ran\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(arguments, in: directory)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("parrun: error: '--resume' and '--no-journal' cannot be used together: "), "\(outcome.stderr)")
        #expect(outcome.stderr.hasSuffix("Run 'parrun --help' for usage.\n"))
        #expect(outcome.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.ran").path), "nothing ran")
    }
}
