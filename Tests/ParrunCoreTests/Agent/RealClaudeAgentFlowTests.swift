import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// Unattended agents with the real `claude` CLI against the mock Messages API
/// (as `RealClaudeTests`): the worktree's default permission mode lets the
/// agent write, an agent that wrote nothing ends `no-change`, and a session
/// out of turns continues.
@Suite(.enabled(if: RealClaude.cli != nil, "set PARRUN_TEST_CLAUDE to a claude binary (.ci/run installs one) to run the real-CLI tests"),
       .enabled(if: RealClaude.python != nil, "python3 is needed for the mock Messages API"))
struct RealClaudeAgentFlowTests {

    private func ends(_ directory: URL) throws -> [JournalRecord.EndRecord] {
        var ends: [JournalRecord.EndRecord] = []
        for case .end(let end) in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records { ends.append(end) }
        return ends
    }

    @Test(.timeLimit(.minutes(4)))
    func inAWorktreeTheAgentMayWriteAndOneThatWroteNothingEndsNoChange() throws {
        let directory = try CLITests.directory([".gitignore": ".parrun/\nhome/\nmock.*\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "git \(arguments): \(result.output)")
        }
        let mock = try RealClaude.Mock(in: directory)
        // The Write tool wants an absolute path: the ticket's worktree.
        let worktree = directory.appendingPathComponent(".parrun/worktrees/writer").path
        let manifest = #"{"tickets": ["#
            + #"{"id": "writer", "prompt": "Write it [[write \#(worktree)/out.txt: written]]"},"#
            + #"{"id": "idle", "prompt": "Look around and change nothing."},"#
            + #"{"id": "research", "prompt": "Only read.", "allowNoChange": true}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "-k", "--worktree", "tickets.json"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect((try? String(contentsOf: directory.appendingPathComponent("out.txt"), encoding: .utf8)) == "written\n",
                "acceptEdits by default: the write landed: \(outcome.stderr)")
        #expect(outcome.stderr.contains("NO CHANGE idle: its agent changed nothing"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("2 succeeded, 1 with no change"), "\(outcome.stderr)")
        let statuses = Dictionary(try ends(directory).map { ($0.id, $0.status) }) { $1 }
        #expect(statuses == ["writer": "succeeded", "idle": "no-change", "research": "succeeded"])
    }

    /// Two agents change the same line: the one that lands second conflicts,
    /// and its agent continues its session in a worktree from the new head,
    /// told what conflicted; its redone work lands and the run succeeds.
    @Test(.timeLimit(.minutes(4)))
    func twoAgentsWhoseWorkConflictsEndWithBothChangesLanded() throws {
        let directory = try CLITests.directory([".gitignore": ".parrun/\nhome/\nmock.*\n", "shared.txt": "original\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "git \(arguments): \(result.output)")
        }
        let mock = try RealClaude.Mock(in: directory)
        let worktrees = directory.appendingPathComponent(".parrun/worktrees").path
        // b answers late, so a lands first and b's change conflicts with it.
        let manifest = #"{"tickets": ["#
            + #"{"id": "a", "prompt": "Edit [[write \#(worktrees)/a/shared.txt: from a]]"},"#
            + #"{"id": "b", "prompt": "Edit [[write \#(worktrees)/b/shared.txt: from b]] [[slow 3]] [[on feedback write \#(worktrees)/b/shared.txt: from a and b]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "--agents", "2", "--worktree", "--on-conflict", "rerun", "tickets.json"],
                                       in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("shared.txt"), "the conflict names the file: \(outcome.stderr)")
        // The mock writes "from a and b" only when told the work could not be merged.
        #expect((try? String(contentsOf: directory.appendingPathComponent("shared.txt"), encoding: .utf8)) == "from a and b\n",
                "b's redone work landed on top of a's: \(outcome.stderr)")
        #expect(try ends(directory).filter { $0.id == "b" }.map(\.status) == ["conflict", "succeeded"])
        var sessions: [String: Set<String>] = [:]
        for case .session(let record) in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records {
            sessions[record.id, default: []].insert(record.session)
        }
        #expect(sessions["b"]?.count == 1, "b's rerun continued its session: \(sessions)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aSessionOutOfTurnsIsContinuedAndFinishes() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try RealClaude.Mock(in: directory)
        let file = directory.appendingPathComponent("long.txt").path
        // One turn: the Write uses it; the answer after the tool's result needs a second.
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "long", "prompt": "Work long [[write \#(file): done]]", "maxTurns": 1}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "tickets.json"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("continue long in its session"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains(", 1 continuation\n"), "\(outcome.stderr)")
        #expect(try ends(directory).map(\.status) == ["out-of-turns", "succeeded"])
        var sessions: [String] = []
        for case .session(let record) in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records {
            sessions.append(record.session)
        }
        #expect(Set(sessions).count == 1, "the continuation is the same session: \(sessions)")
    }
}
