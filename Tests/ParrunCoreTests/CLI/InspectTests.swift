import Foundation
import Testing
@testable import ParrunPlatform

/// `parrun show`, `parrun diff`, the inspection fields of `status --json`, the
/// `landed` line and events, and what `-n` and `--graph json` say of gates,
/// pools and worktrees; on real git repositories in temporary directories.
@Suite(.enabled(if: inspectGitAvailable, "git is needed for the inspection tests"))
struct InspectTests: GitRepositoryTests {
    @discardableResult
    private func git(_ directory: URL, _ arguments: String...) throws -> String {
        let result = CommandRunner.run(["git"] + arguments, in: directory.path)
        #expect(result.succeeded, "git \(arguments.joined(separator: " ")): \(result.output)")
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func showOfAnUnknownIdExitsTwoNamingTheNearestId() throws {
        let directory = try CLITests.directory(["Parrunfile": "build:\n    true\ntest: build\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["show", "biuld"], in: directory)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("no ticket 'biuld' in the manifest; did you mean 'build'?"), "\(outcome.stderr)")
        #expect(try CLITests.run(["diff", "tset"], in: directory).stderr.contains("did you mean 'test'?"))
    }

    @Test(.timeLimit(.minutes(4)))
    func showOfAPromptTicketHasItsSessionCostAttemptsAndTheSameAsJSON() throws {
        let manifest = #"{"claude": ""# + PromptTicketTests.fake + #"", "tickets": [{"id": "agent", "prompt": "fake:ok write", "verify": "echo checked the work; echo all good"}]}"#
        let directory = try repository(manifest, name: "tickets.json")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("calls"), withIntermediateDirectories: true)
        let environment = ["FAKE_CLAUDE_DIR": directory.appendingPathComponent("calls").path]
        let run = try CLITests.run(["-q", "--worktree", "--keep-worktrees"], in: directory, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let session = try String(contentsOf: directory.appendingPathComponent("calls/agent.argv.1"), encoding: .utf8)
            .split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
        let landed = try git(directory, "rev-parse", "main")

        let text = try CLITests.run(["show", "agent"], in: directory)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("  state:    succeeded\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  session:  \(session)\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  agent:    2 turns, $0.0125, 1.2k tokens"), "\(text.stdout)")
        #expect(text.stdout.contains("  landed:   \(landed)\n"), "\(text.stdout)")
        #expect(text.stdout.contains("  branch:   parrun/"), "\(text.stdout)")
        #expect(text.stdout.contains("succeeded (exit 0); verify passed\n"), "\(text.stdout)")
        #expect(text.stdout.hasSuffix("  verify output (end):\n    checked the work\n    all good\n"), "\(text.stdout)")

        let json = try object(try CLITests.run(["show", "agent", "--json"], in: directory).stdout)
        #expect(json["session"] as? String == session)
        #expect(json["landedCommit"] as? String == landed)
        #expect((json["branch"] as? String)?.hasSuffix("/agent") == true)
        #expect((json["worktree"] as? String)?.hasSuffix(".parrun/worktrees/agent") == true)
        #expect(json["verifyOutput"] as? String == "checked the work\nall good")
        #expect(json["stats"] as? [String: Any] != nil, "\(json)")
        let status = try object(try CLITests.run(["status", "--json"], in: directory).stdout)
        let entry = (status["tickets"] as? [[String: Any]])?.first
        #expect(entry?["session"] as? String == session, "\(status)")
        #expect(entry?["landedCommit"] as? String == landed, "\(status)")
        let attempts = try #require(json["attempts"] as? [[String: Any]])
        #expect(attempts.count == 1)
        #expect(attempts.first?["outcome"] as? String == "succeeded")
        #expect(attempts.first?["exitCode"] as? Int == 0)
        #expect((attempts.first?["startedAt"] as? Double ?? 0) > 1_700_000_000)
    }

    @Test(.timeLimit(.minutes(4)))
    func statusJSONCarriesSessionWorktreeBranchAndLandedCommit() throws {
        let directory = try repository("x:\n    echo x > x.txt\nkept:\n    @review\n    echo k > k.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(run.status == 3, "kept awaits review: \(run.stderr)")
        let status = try object(try CLITests.run(["status", "--json"], in: directory).stdout)
        let tickets = try #require(status["tickets"] as? [[String: Any]])
        let x = try #require(tickets.first { $0["id"] as? String == "x" })
        #expect(x["landedCommit"] as? String == (try git(directory, "log", "--format=%H", "--grep=^x$", "main")))
        let kept = try #require(tickets.first { $0["id"] as? String == "kept" })
        #expect(kept["landedCommit"] == nil, "its work has not landed")
        #expect((kept["branch"] as? String)?.hasPrefix("parrun/") == true, "\(kept)")
        #expect((kept["worktree"] as? String)?.hasSuffix("/.parrun/worktrees/kept") == true, "\(kept)")
        #expect(try CLITests.run(["show", "kept"], in: directory).stdout.contains("  review:   awaiting\n"))
        #expect(try CLITests.run(["reject", "kept", "--reason", "too small"], in: directory).status == 0)
        #expect(try CLITests.run(["show", "kept"], in: directory).stdout.contains("  review:   rejected: too small\n"))
    }

    @Test(.timeLimit(.minutes(4)))
    func diffShowsAPendingChangeThroughGitsPagerOnATerminalOnly() throws {
        let directory = try repository("kept:\n    @review\n    echo changed > shared.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "--worktree"], in: directory).status == 3)
        let pager = ["GIT_PAGER": "sed s/^/PAGED:/"]
        let piped = try CLITests.run(["diff", "kept"], in: directory, environment: pager)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.contains("-original\n+changed\n"), "\(piped.stdout)")
        #expect(!piped.stdout.contains("PAGED:"), "no pager when standard output is not a terminal")
        // On a terminal (script(1) gives it one), git's pager rules apply.
        let command = "'\(CLITests.binary.path)' diff kept"
        let terminal = CommandRunner.run(["script", "-qec", command, "/dev/null"], in: directory.path, environment: pager)
        #expect(terminal.output.contains("PAGED:"), "\(terminal.output)")
        #expect(terminal.output.contains("changed"), "\(terminal.output)")
        let noPager = CommandRunner.run(["script", "-qec", command + " --no-pager", "/dev/null"], in: directory.path, environment: pager)
        #expect(noPager.output.contains("changed") && !noPager.output.contains("PAGED:"), "\(noPager.output)")
    }

    @Test func showListsEveryAttemptWithItsOutcomeAndExit() throws {
        let directory = try CLITests.directory(["Parrunfile": "flaky:\n    test -f seen || { touch seen; exit 3; }\nlater:\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "--retries", "1", "--retry-delay", "0"], in: directory).status == 0)
        let text = try CLITests.run(["show", "flaky"], in: directory).stdout
        #expect(text.contains("  state:    succeeded\n"), "\(text)")
        #expect(text.contains(" failed (exit 3)\n") && text.contains(" succeeded (exit 0)\n"), "\(text)")
        #expect(!text.contains("session:") && !text.contains("landed:") && !text.contains("review:"), "nothing it does not have: \(text)")
        let attempts = try #require(try object(try CLITests.run(["show", "flaky", "--json"], in: directory).stdout)["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["outcome"] as? String } == ["failed", "succeeded"])
        #expect(attempts.map { $0["exitCode"] as? Int } == [3, 0])
        #expect(attempts.map { $0["attempt"] as? Int } == [1, 2])
    }

    @Test func diffOfATicketRunWithoutWorktreesSaysSoAndExitsTwo() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    echo a > a.txt\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q"], in: directory).status == 0)
        let outcome = try CLITests.run(["diff", "a"], in: directory)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("a did not run with --worktree"), "\(outcome.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func landingSaysLandedAsItsCommitAndJSONHasLandedAndConflictedEvents() throws {
        let directory = try repository("x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let human = try CLITests.run(["-q", "-j2", "-k", "--worktree"], in: directory)
        let short = try git(directory, "rev-parse", "--short=7", "main")
        #expect(human.stderr.contains("landed x as \(short)\n"), "\(human.stderr)")
        #expect(!human.stderr.contains("landed y"), "its work conflicted")

        let again = try repository("x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\n")
        defer { try? FileManager.default.removeItem(at: again) }
        let json = try CLITests.run(["--json", "-j2", "-k", "--worktree"], in: again)
        let events = try json.stdout.split(separator: "\n").map { try object(String($0)) }
        let landed = try #require(events.first { $0["event"] as? String == "landed" })
        #expect(landed["id"] as? String == "x")
        #expect(landed["commit"] as? String == (try git(again, "rev-parse", "main")))
        let conflicted = try #require(events.first { $0["event"] as? String == "conflicted" })
        #expect(conflicted["id"] as? String == "y")
        #expect(conflicted["files"] as? [String] == ["shared.txt"])
    }

    @Test func planAndGraphJSONShowGatesPoolAndWorktree() throws {
        let manifest = #"{"pools": {"gpu": 1}, "tickets": [{"id": "a", "run": "true", "pool": "gpu", "verify": "true", "review": true}, {"id": "b", "dependsOn": ["a"]}]}"#
        let directory = try CLITests.directory(["tickets.json": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try CLITests.run(["-n", "--worktree"], in: directory)
        #expect(plan.stdout.contains("  a  shell   prio 0   [verify review pool gpu worktree]\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("  b  none    prio 0   after a\n"), "a ticket without a recipe needs no worktree: \(plan.stdout)")
        #expect(try CLITests.run(["-n"], in: directory).stdout.contains("[verify review pool gpu]\n"))
        let graph = try object(try CLITests.run(["--graph", "json", "--worktree"], in: directory).stdout)
        let tickets = try #require(graph["tickets"] as? [[String: Any]])
        #expect(tickets.first?["gates"] as? [String: Bool] == ["verify": true, "review": true])
        #expect(tickets.first?["pool"] as? String == "gpu")
        #expect(tickets.first?["worktree"] as? Bool == true)
        #expect(tickets.last?["gates"] as? [String: Bool] == ["verify": false, "review": false])
        #expect(tickets.last?["worktree"] as? Bool == false)
    }
}

private let inspectGitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
