import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform

/// `--worktree`: the landing lock queues the parruns of one run; without it
/// nothing moves the branch. Real git, real locks.
@Suite(.enabled(if: gitAvailable, "git is needed for the worktree tests (.ci/run installs it)"))
struct LandingLockTests {
    private func repository() throws -> URL {
        let directory = try CLITests.directory([".gitignore": ".parrun/\nParrunfile\n", "Parrunfile": "edit:\n    echo new > edit.txt\n"])
        for arguments in [["init", "-q", "-b", "main"], ["add", ".gitignore"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "\(result.output)")
        }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".parrun"), withIntermediateDirectories: true)
        return directory
    }

    private func landed(_ directory: URL) -> Bool {
        CommandRunner.run(["git", "cat-file", "-e", "main:edit.txt"], in: directory.path).succeeded
    }

    @Test(.timeLimit(.minutes(4)))
    func aLockHeldElsewhereFailsTheTicketAfterTheHelperTimeoutAndResumeLandsIt() throws {
        let directory = try repository()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lock = try WholeFileLock(path: directory.path + "/.parrun/" + WorktreeIsolation.lockFileName)
        let held = try CLITests.run(["-q", "--worktree"], in: directory, environment: ["PARRUN_HELPER_TIMEOUT": "1"])
        #expect(held.status == 1, "\(held.stderr)")
        #expect(held.stderr.contains("cannot take the landing lock"), "\(held.stderr)")
        #expect(held.stderr.contains("another parrun held it for 1s"), "\(held.stderr)")
        #expect(!landed(directory), "nothing moved the branch without the lock")
        lock.release()
        let resumed = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(landed(directory))
    }

    @Test(.timeLimit(.minutes(4)))
    func aSymlinkAtTheLockIsNotFollowed() throws {
        let directory = try repository()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = directory.appendingPathComponent("outside.txt")
        try Data("keep\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/.parrun/" + WorktreeIsolation.lockFileName, withDestinationPath: outside.path)
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("cannot take the landing lock"), "\(outcome.stderr)")
        #expect(try String(contentsOf: outside, encoding: .utf8) == "keep\n")
        #expect(!landed(directory))
    }
}

private let gitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
