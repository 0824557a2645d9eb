import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// `--worktree` landing on a branch checked out with uncommitted changes: the
/// user's files, index and untracked files are never damaged.
@Suite(.enabled(if: gitInstalled, "git is needed for the worktree tests (.ci/run installs it)"))
struct DirtyCheckoutTests: GitRepositoryTests {
    /// A repository with one commit on `main` holding `files`, and `manifest` as Parrunfile (untracked).
    private func repository(_ manifest: String, files: [String: String]) throws -> URL {
        let directory = try CLITests.directory(files)
        try git(directory, "init", "-q", "-b", "main")
        try git(directory, "add", "-A")
        try git(directory, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
        try write(directory, "Parrunfile", manifest)
        return directory
    }

    private static let ignoring = [".gitignore": ".parrun/\nParrunfile\n"]



    private func write(_ directory: URL, _ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(name))
    }

    @Test(.timeLimit(.minutes(4)))
    func landingOnADirtyCheckoutBringsTheLandedFilesAndKeepsEveryChangeOfTheUser() throws {
        let files = Self.ignoring.merging(["mine.txt": "original\n", "staged.txt": "original\n"]) { $1 }
        let directory = try repository("a:\n    echo a > a.txt\nb:\n    echo b > b.txt\nc: a\n    echo c > c.txt\n", files: files)
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(directory, "mine.txt", "my work in progress\n")
        try write(directory, "staged.txt", "staged by me\n")
        try git(directory, "add", "staged.txt")
        try write(directory, "notes.txt", "new, untracked\n")
        let outcome = try CLITests.run(["-q", "-j2", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for name in ["a", "b", "c"] { #expect(read(directory, "\(name).txt") == "\(name)\n", "\(name)'s work is in the checkout") }
        #expect(read(directory, "mine.txt") == "my work in progress\n")
        #expect(read(directory, "notes.txt") == "new, untracked\n")
        let status = try git(directory, "status", "--porcelain")
        #expect(status == " M mine.txt\nM  staged.txt\n?? notes.txt\n", "only the user's own changes, none of the landing's: \(status)")
        #expect(try git(directory, "diff", "--cached", "staged.txt").contains("+staged by me"), "the user's staged change stays staged")
        #expect(!outcome.stderr.contains("read-tree"), "no catch-up advice is needed: \(outcome.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aDirtyFileATicketDeclaresItTouchesRefusesTheRunBeforeAnythingStarts() throws {
        let manifest = "a:\n    @touches shared.txt\n    echo from a > shared.txt; touch ../../../a-ran\nb:\n    echo b > b.txt\n"
        let directory = try repository(manifest, files: Self.ignoring.merging(["shared.txt": "original\n"]) { $1 })
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(directory, "shared.txt", "my work in progress\n")
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 2, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("shared.txt (touched by a)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("git stash -u") && outcome.stderr.contains("--into BRANCH"), "the options: \(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a-ran").path), "nothing started")
        #expect(read(directory, "b.txt") == nil, "nothing landed")
        #expect(try git(directory, "log", "--format=%s", "main") == "start\n", "nothing landed")
        #expect(read(directory, "shared.txt") == "my work in progress\n")
    }

    @Test(.timeLimit(.minutes(4)))
    func aLandingThatWouldOverwriteAnUndeclaredDirtyFileFailsThatTicketAlone() throws {
        let manifest = "a:\n    echo from a > shared.txt\nb:\n    echo b > b.txt\nlater: a\n    touch later.txt\n"
        let directory = try repository(manifest, files: Self.ignoring.merging(["shared.txt": "original\n"]) { $1 })
        defer { try? FileManager.default.removeItem(at: directory) }
        try write(directory, "shared.txt", "my work in progress\n")
        let outcome = try CLITests.run(["-q", "-k", "--worktree"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("not landed: its work changes shared.txt, which you changed in"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Commit or stash your changes"), "\(outcome.stderr)")
        #expect(read(directory, "shared.txt") == "my work in progress\n", "the user's file is untouched")
        #expect(try git(directory, "show", "main:shared.txt") == "original\n", "the branch did not move for a")
        #expect(read(directory, "b.txt") == "b\n", "the other ticket landed, files and all")
        #expect(read(directory, "later.txt") == nil, "a's dependent did not run")
        #expect(try git(directory, "status", "--porcelain") == " M shared.txt\n", "nothing staged behind the user's back")
    }

    @Test(.timeLimit(.minutes(4)))
    func theJournalRecordsEachLandingsBaseAndTheCommitItLanded() throws {
        let directory = try repository("a:\n    echo a > a.txt\nb: a\n    echo b > b.txt\n", files: Self.ignoring)
        defer { try? FileManager.default.removeItem(at: directory) }
        let start = try git(directory, "rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let tip = try git(directory, "rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines)
        let journal = try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
        let landings = journal.compactMap { if case .landing(let landing) = $0 { landing } else { nil } }
        #expect(landings.map(\.id) == ["a", "b"])
        #expect(landings.allSatisfy { $0.branch == "main" })
        #expect(landings.first?.base == start, "a landed on the commit the run began from")
        #expect(landings.first?.landed == landings.last?.base, "b landed on a's commit")
        #expect(landings.last?.landed == tip)
        #expect(try git(directory, "show", "\(landings.first?.landed ?? ""):a.txt") == "a\n")
    }

    @Test(.timeLimit(.minutes(4)))
    func aStateDirectoryInsideTheRepositoryIsExcludedOnceAndGitignoreIsLeftAlone() throws {
        let directory = try repository("a:\n    echo a > a.txt\n", files: ["readme.txt": "hi\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.components(separatedBy: "parrun: note: added /.parrun/ to ").count == 2, "said once: \(first.stderr)")
        let exclude = read(directory, ".git/info/exclude") ?? ""
        #expect(exclude.split(separator: "\n").contains("/.parrun/"), "\(exclude)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".gitignore").path), "the user's .gitignore is theirs")
        #expect(try git(directory, "status", "--porcelain") == "?? Parrunfile\n", "the state directory is out of git status")
        let second = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stderr.contains("info/exclude"), "not said again: \(second.stderr)")
        #expect(read(directory, ".git/info/exclude") == exclude, "not added again")
    }
}

private let gitInstalled = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
