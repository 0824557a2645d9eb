import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// Unattended agents, end to end against the fake claude (Fixtures/fake-claude):
/// a session out of turns continues (`continuations`), an agent that changed
/// nothing in its worktree ends `no-change` (`allowNoChange`), and agents in
/// worktrees get a permission mode that lets them write.
@Suite struct AgentFlowTests {
    private func project(_ tickets: String, settings: String = "") throws -> URL {
        let manifest = #"{"claude": ""# + PromptTicketTests.fake + #"", "# + settings + #""tickets": ["# + tickets + "]}"
        let directory = try CLITests.directory(["tickets.json": manifest])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("calls"), withIntermediateDirectories: true)
        return directory
    }

    /// A git repository with one commit, holding `tickets.json` (committed) and an ignored `.parrun`.
    private func repository(_ tickets: String, settings: String = "") throws -> URL {
        let directory = try project(tickets, settings: settings)
        try Data(".parrun/\ncalls/\n".utf8).write(to: directory.appendingPathComponent(".gitignore"))
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "git \(arguments): \(result.output)")
        }
        return directory
    }

    private func run(_ arguments: [String], in directory: URL) throws -> CLITests.Outcome {
        try CLITests.run(arguments + ["tickets.json"], in: directory, environment: ["FAKE_CLAUDE_DIR": directory.appendingPathComponent("calls").path])
    }

    private func call(_ directory: URL, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("calls/" + name), encoding: .utf8)) ?? ""
    }

    private func ends(_ directory: URL) throws -> [JournalRecord.EndRecord] {
        var ends: [JournalRecord.EndRecord] = []
        for case .end(let end) in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records { ends.append(end) }
        return ends
    }

    // MARK: - Continuations

    @Test func aSessionOutOfTurnsContinuesInTheSameSessionAndSucceeds() throws {
        let directory = try project(#"{"id": "long", "prompt": "fake:max-turns-once", "retries": 0}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let first = call(directory, "long.argv.1").split(separator: "\n").map(String.init)
        let second = call(directory, "long.argv.2").split(separator: "\n").map(String.init)
        #expect(first.first == "--session-id" && first.count > 1)
        #expect(second.prefix(2) == ["--resume", first.count > 1 ? first[1] : "?"][...], "the same session: \(second)")
        #expect(call(directory, "long.stdin.2") + "\n" == Continuations.prompt, "the continuation prompt (the fake drops its last newline)")
        #expect(outcome.stderr.contains("continue long in its session (attempt 1 ran out of turns (error_max_turns, exit 1))"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("agent long: ") && outcome.stderr.contains(", 1 continuation\n"), "\(outcome.stderr)")
        let ends = try ends(directory)
        #expect(ends.map(\.status) == ["out-of-turns", "succeeded"])
        #expect(ends.map(\.retry) == [true, false])
        // Each attempt's live result line shows its own cost, as its end record does (claude
        // reports the session's total; the fake reports $0.0125 at every call).
        let shownCosts = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("result: ") }.map { $0.split(separator: ",")[2].trimmingCharacters(in: .whitespaces) }
        let recordedCosts = ends.map { $0.stats.map { "$" + String(format: "%.4f", $0.costUSD) } ?? "?" }
        #expect(shownCosts == ["$0.0125", "$0.00"], "\(outcome.stdout)")
        #expect(recordedCosts == ["$0.0125", "$0.0000"], "\(ends)")
    }

    @Test func continuationsUsedUpFailTheTicketSayingSo() throws {
        let directory = try project(#"{"id": "endless", "prompt": "fake:max-turns", "continuations": 1}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("FAIL endless: ran out of turns (error_max_turns, exit 1), 2 attempts, 1 continuation"), "\(outcome.stderr)")
        #expect(call(directory, "endless.argv.2").hasPrefix("--resume\n"))
        #expect(call(directory, "endless.argv.3").isEmpty, "one continuation, as the ticket says")
        let ends = try ends(directory)
        #expect(ends.map(\.status) == ["out-of-turns", "out-of-turns"])
        #expect(ends.map(\.retry) == [true, false])
    }

    // MARK: - No change, and the permission mode, with --worktree

    @Test(.enabled(if: gitAvailable, "git is needed"), .timeLimit(.minutes(4)))
    func anAgentThatChangedNothingInItsWorktreeEndsNoChange() throws {
        let directory = try repository(#"{"id": "idle", "prompt": "fake:nothing"}, {"id": "next", "dependsOn": ["idle"], "run": "true"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("NO CHANGE idle: its agent changed nothing"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("0 succeeded, 1 with no change, 1 skipped"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("skipped next: 'idle' changed nothing"), "\(outcome.stderr)")
        #expect(try ends(directory).first { $0.id == "idle" }?.status == "no-change")
        let status = try run(["status"], in: directory)
        #expect(status.stdout.contains("no-change"), "\(status.stdout)")
        // The default permission mode lets an unattended agent write in its worktree.
        let argv = call(directory, "idle.argv.1").split(separator: "\n").map(String.init)
        #expect(Array(argv.dropFirst(2)) == ["--permission-mode", "acceptEdits"], "\(argv)")
    }

    @Test(.enabled(if: gitAvailable, "git is needed"), .timeLimit(.minutes(4)))
    func anAgentThatChangedNothingIsNotHeldForReview() throws {
        let directory = try repository(#"{"id": "idle", "prompt": "fake:nothing", "review": true}, {"id": "writer", "prompt": "fake:ok", "review": true}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--worktree"], in: directory)
        #expect(outcome.stderr.contains("NO CHANGE idle: its agent changed nothing"), "ends at once, not after approval: \(outcome.stderr)")
        let statuses = Dictionary(try ends(directory).map { ($0.id, $0.status) }, uniquingKeysWith: { $1 })
        #expect(statuses == ["idle": "no-change", "writer": "awaiting-review"], "\(statuses)")
        let status = try run(["status"], in: directory)
        #expect(!status.stdout.contains("parrun approve idle"), "nothing of idle's to approve: \(status.stdout)")
    }

    @Test(.enabled(if: gitAvailable, "git is needed"), .timeLimit(.minutes(4)))
    func allowNoChangeMakesAnIdleAgentASuccessAndATicketsPermissionModeWins() throws {
        let directory = try repository(
            #"{"id": "research", "prompt": "fake:nothing", "allowNoChange": true, "permissionMode": "plan"}, "#
                + #"{"id": "writer", "prompt": "fake:ok"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let research = call(directory, "research.argv.1").split(separator: "\n").map(String.init)
        #expect(Array(research.dropFirst(2)) == ["--permission-mode", "plan"], "the ticket's own mode, once: \(research)")
        // Without --worktree nothing is added: the user's own checkout keeps the CLI's default.
        let plain = try project(#"{"id": "here", "prompt": "fake:ok"}"#)
        defer { try? FileManager.default.removeItem(at: plain) }
        #expect(try run(["-q"], in: plain).status == 0)
        #expect(!call(plain, "here.argv.1").contains("--permission-mode"))
    }
}

private let gitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
