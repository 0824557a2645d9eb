import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform

/// `--worktree` conflicts end: work that conflicted is redone from the new
/// head (its agent told what conflicted), a bounded number of times, and the
/// command parrun prints to continue always makes progress.
@Suite(.enabled(if: gitAvailable, "git is needed for the worktree tests (.ci/run installs it)"))
struct ConflictTests: GitRepositoryTests {
    /// y's work conflicts with x's, which lands first.
    private let conflicting = "x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\nafter: y\n    cat shared.txt > after.txt\n"

    /// A ticket whose work always conflicts: as it works, someone commits to main the same line.
    private func alwaysConflicting(_ directory: URL) -> String {
        "y:\n    echo \"from y $$\" > shared.txt; cd '\(directory.path)' && echo \"main $$\" > shared.txt && git -c user.name=t -c user.email=t@t commit -qam bump\n"
    }

    /// The arguments of the summary's `to continue: parrun ...` line, if it has one.
    private func toContinue(_ stderr: String) -> [String]? {
        guard let line = stderr.split(separator: "\n").first(where: { $0.hasPrefix("  to continue: parrun ") }) else { return nil }
        return line.dropFirst("  to continue: parrun ".count).split(separator: " ").map(String.init)
    }

    @Test(.timeLimit(.minutes(4)))
    func theConflictMessageNamesTheTicketItsWorktreeBranchAndFiles() throws {
        let directory = try repository(conflicting)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "--worktree"], in: directory)
        #expect(outcome.status == 1)
        let branch = try git(directory, "branch", "--list", "parrun/*/y", "--format=%(refname:short)").trimmingCharacters(in: .whitespacesAndNewlines)
        let worktree = directory.appendingPathComponent(".parrun/worktrees/y").path
        let block = "CONFLICT y: its work conflicts with what landed on main since it started\n    files:    shared.txt\n    worktree: \(worktree)\n    branch:   \(branch)\n"
        #expect(outcome.stderr.contains(block), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("next:     parrun --resume runs it again from the new head of main (rerun 1 of 1)"), "\(outcome.stderr)")

        let json = try repository(conflicting)
        defer { try? FileManager.default.removeItem(at: json) }
        let events = try CLITests.run(["-j2", "--json", "--worktree"], in: json)
        let line = events.stdout.split(separator: "\n").first { $0.contains("\"event\": \"conflicted\"") } ?? ""
        #expect(line.contains("\"files\": [\"shared.txt\"]"), "\(line)")
        #expect(line.contains("\"worktree\": \"\(json.appendingPathComponent(".parrun/worktrees/y").path)\""), "\(line)")
        #expect(line.contains("\"branch\": \"parrun/") && line.contains("\"next\": \"rerun-on-resume\""), "\(line)")
    }

    @Test(.timeLimit(.minutes(4)))
    func resumeRerunsAConflictedShellTicketFromTheNewHead() throws {
        let directory = try repository(conflicting)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "-j2", "--worktree"], in: directory).status == 1)
        let resumed = try CLITests.run(["-q", "-j2", "--resume", "--worktree"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("y runs again from the new head of main, its work having conflicted in shared.txt"), "\(resumed.stderr)")
        #expect(read(directory, "shared.txt") == "from y\n", "y's recipe, rerun on top of x, landed")
        #expect(read(directory, "after.txt") == "from y\n", "then its dependent ran")
        #expect(try git(directory, "log", "--format=%s", "main").contains("x\n"), "x's work is still in the history")
    }

    @Test(.timeLimit(.minutes(4)))
    func onConflictRerunRerunsAsOftenAsTheTicketsRetriesThenLeavesItToTheUser() throws {
        let repo = try repository("")
        defer { try? FileManager.default.removeItem(at: repo) }
        try Data(alwaysConflicting(repo).utf8).write(to: repo.appendingPathComponent("Parrunfile"))
        let outcome = try CLITests.run(["-q", "--worktree", "--on-conflict", "rerun", "--retries", "2"], in: repo)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.components(separatedBy: "retry y in 0ms").count - 1 == 2, "two reruns for two retries: \(outcome.stderr)")
        #expect(outcome.stderr.contains("next:     it runs again now from the new head of main (rerun 1 of 2)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("it conflicts again after the 2 reruns it may have"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("  conflicts to resolve by hand: y"), "\(outcome.stderr)")
        #expect(toContinue(outcome.stderr) == nil, "no --resume is offered that could do nothing: \(outcome.stderr)")
    }

    /// The printed `to continue` command, followed as it is, makes progress:
    /// the run ends succeeded, or parrun stops offering it and says why.
    @Test(.timeLimit(.minutes(4)))
    func followingToContinueEndsSucceededOrStopsWithADifferentMessage() throws {
        // Work that conflicts once: a rerun on the new head lands.
        let once = try repository(conflicting)
        defer { try? FileManager.default.removeItem(at: once) }
        var outcome = try CLITests.run(["-q", "-j2", "--worktree"], in: once)
        var followed = 0
        while let arguments = toContinue(outcome.stderr), followed < 4 {
            outcome = try CLITests.run(arguments, in: once)
            followed += 1
        }
        #expect(outcome.status == 0 && followed == 1, "followed \(followed): \(outcome.stderr)")

        // Work that conflicts every time: the reruns end, and so does the offer.
        let always = try repository("")
        defer { try? FileManager.default.removeItem(at: always) }
        try Data(alwaysConflicting(always).utf8).write(to: always.appendingPathComponent("Parrunfile"))
        outcome = try CLITests.run(["-q", "--worktree"], in: always)
        var messages = [outcome.stderr]
        followed = 0
        while let arguments = toContinue(outcome.stderr), followed < 4 {
            outcome = try CLITests.run(arguments, in: always)
            messages.append(outcome.stderr)
            followed += 1
        }
        #expect(followed == 1, "one rerun, then no offer: \(messages)")
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("resolve it by hand in its worktree"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("  once resolved: parrun --resume -q --worktree"), "\(outcome.stderr)")
        // Asked again anyway, it says there is nothing to do, and still offers nothing.
        let again = try CLITests.run(["--resume", "-q", "--worktree"], in: always)
        #expect(again.status == 1)
        #expect(again.stderr.contains("parrun: nothing to do for y: its kept work"), "\(again.stderr)")
        #expect(toContinue(again.stderr) == nil, "\(again.stderr)")
        // The user resolves it (uncommitted, on top of main): --resume lands that.
        let worktree = always.appendingPathComponent(".parrun/worktrees/y")
        try git(worktree, "reset", "-q", "--hard", "main")
        try Data("resolved\n".utf8).write(to: worktree.appendingPathComponent("shared.txt"))
        let resolved = try CLITests.run(["--resume", "-q", "--worktree"], in: always)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(read(always, "shared.txt") == "resolved\n")
    }

    @Test(.timeLimit(.minutes(4)))
    func aPromptTicketsRerunContinuesItsSessionToldWhichFilesConflicted() throws {
        let manifest = #"{"claude": ""# + PromptTicketTests.fake + #"", "tickets": ["#
            + #"{"id": "x", "run": "echo from x > y.txt"}, {"id": "y", "prompt": "fake:late write y.txt"}]}"#
        let directory = try repository(manifest, name: "tickets.json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let calls = directory.appendingPathComponent("calls")
        try FileManager.default.createDirectory(at: calls, withIntermediateDirectories: true)
        let environment = ["FAKE_CLAUDE_DIR": calls.path]
        let first = try CLITests.run(["-q", "-j2", "--worktree"], in: directory, environment: environment)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("files:    y.txt"), "\(first.stderr)")
        #expect(first.stderr.contains("its agent told what conflicted"), "\(first.stderr)")
        // Attempt numbers start again in a resumed run: what the fake recorded, as each run left it.
        func lastCall() -> (argv: [String], stdin: String) {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: calls.path)) ?? []).filter { $0.hasPrefix("y.argv.") }.sorted()
            let name = names.last ?? "y.argv.1"
            let argv = (read(calls, name) ?? "").split(separator: "\n").map(String.init)
            return (argv, read(calls, name.replacingOccurrences(of: "argv", with: "stdin")) ?? "")
        }
        let started = lastCall().argv
        let session = started.firstIndex(of: "--session-id").map { started[$0 + 1] }
        #expect(session != nil, "\(started)")
        let resumed = try CLITests.run(["-q", "-j2", "--resume", "--worktree"], in: directory, environment: environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(read(directory, "y.txt") == "written by y\n", "the agent's redone work landed on top of x's")
        let (argv, prompt) = lastCall()
        let resumedWith = argv.firstIndex(of: "--resume").map { argv[$0 + 1] }
        #expect(resumedWith == session, "the rerun continues the session that did the work: \(argv)")
        #expect(prompt.contains("could not be merged") && prompt.contains("y.txt") && prompt.contains("new head of main"), "\(prompt)")
    }
}

private let gitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
