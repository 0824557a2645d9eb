import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// codex tickets run by a real parrun against a fake codex program
/// (Fixtures/fake-codex), which records its argv and stdin and plays codex's
/// JSON lines: what parrun passes (the prompt on stdin, `resume THREAD`, the
/// worktree's sandbox), what it records, and how limits end an attempt.
@Suite struct CodexTicketTests {
    static let fake = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fake-codex").path

    private func project(_ tickets: String, settings: String = "") throws -> URL {
        let manifest = #"{"codex": ""# + Self.fake + #"", "# + settings + #""tickets": ["# + tickets + "]}"
        let directory = try CLITests.directory(["tickets.json": manifest])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("calls"), withIntermediateDirectories: true)
        return directory
    }

    private func run(_ arguments: [String], in directory: URL) throws -> CLITests.Outcome {
        try CLITests.run(arguments, in: directory, environment: ["FAKE_CODEX_DIR": directory.appendingPathComponent("calls").path])
    }

    private func call(_ directory: URL, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("calls/" + name), encoding: .utf8)) ?? ""
    }

    private func journal(_ directory: URL) throws -> [JournalRecord] {
        try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
    }

    @Test func agentCodexOnTheCommandLineRunsCodexWithThePromptOnStandardInput() throws {
        let directory = try project(#"{"id": "a", "prompt": "write a", "model": "gpt-5.5"}, {"id": "b", "agent": "claude", "prompt": "not run", "dependsOn": ["a"]}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        // b names claude, here /bin/false: it fails, while a ran through codex.
        let outcome = try run(["-q", "--agent", "codex", "--claude", "/bin/false"], in: directory)
        #expect(outcome.status == 1, "b's claude is /bin/false: \(outcome.stderr)")
        #expect(call(directory, "a.argv.1") == "-m\ngpt-5.5\n-\n", "the ticket's model, then the prompt from stdin: \(call(directory, "a.argv.1"))")
        #expect(call(directory, "a.stdin.1") == "write a")
        #expect(call(directory, "b.argv.1").isEmpty, "a ticket's own agent wins over --agent")
        #expect((try? String(contentsOf: directory.appendingPathComponent("a.txt"), encoding: .utf8)) == "written by a\n")
        // The thread is recorded from codex's event, not at the start.
        var starts: [String?] = []
        var threads: [String] = []
        for record in try journal(directory) {
            if case .start(let start) = record, start.id == "a" { starts.append(start.session) }
            if case .session(let session) = record, session.id == "a" { threads.append(session.session) }
        }
        #expect(starts == [nil] && threads == ["thread-a-1"])
        let status = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let a = try #require((object["tickets"] as? [[String: Any]])?.first { $0["id"] as? String == "a" })
        #expect(a["agent"] as? String == "codex" && a["session"] as? String == "thread-a-1")
        let stats = try #require(a["stats"] as? [String: Any])
        #expect(stats["inputTokens"] as? Int == 20 && stats["cacheReadTokens"] as? Int == 5 && stats["outputTokens"] as? Int == 12 && stats["estimated"] as? Bool == true, "\(stats)")
    }

    @Test func aPromptTemplateIsFilledInForCodexAsForClaude() throws {
        // Tickets with no recipe of their own: `--prompt-template` gives them a prompt, and `defaults.agent` codex runs it.
        let directory = try project(#"{"id": "a", "title": "Fix the parser", "description": "it drops the last line"}"#,
                                    settings: #""defaults": {"agent": "codex"}, "#)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("Ticket {{id}}: {{title}}\n{{description}}\n".utf8).write(to: directory.appendingPathComponent("task.tpl"))
        let outcome = try run(["-q", "--prompt-template", "task.tpl"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        // Filled in (the template file's last line break dropped, as for claude: the model fills it in for both).
        #expect(call(directory, "a.stdin.1") == "Ticket a: Fix the parser\nit drops the last line")
        // A field the template names and no ticket has is an error before anything runs.
        try Data("Ticket {{id}}: {{acceptance}}\n".utf8).write(to: directory.appendingPathComponent("bad.tpl"))
        let bad = try run(["-q", "-B", "--prompt-template", "bad.tpl"], in: directory)
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("acceptance"), "\(bad.stderr)")
        #expect(call(directory, "a.stdin.2").isEmpty, "codex did not run again")
    }

    @Test func aRateLimitedTurnIsRetriedInTheSameThreadCountingOnlyWhatItAdded() throws {
        let directory = try project(#"{"id": "r", "agent": "codex", "prompt": "fake:429-once go"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--rate-limit-wait", "0.1s"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry r in"), "\(outcome.stderr)")
        #expect(call(directory, "r.argv.2").hasSuffix("resume\nthread-r-1\n-\n"), "\(call(directory, "r.argv.2"))")
        #expect(call(directory, "r.stdin.2").contains("stopped by an API limit"), "\(call(directory, "r.stdin.2"))")
        var statuses: [String] = []
        var tokens: [Int] = []
        for case .end(let end) in try journal(directory) {
            statuses.append(end.status)
            tokens.append(end.stats?.totalTokens ?? -1)
        }
        // The failed turn reported no usage; the retried one's thread totals (2 calls) count once.
        #expect(statuses == ["rate-limited", "succeeded"] && tokens == [-1, 74], "\(statuses) \(tokens)")
    }

    @Test func aCodexUsageLimitPausesOnlyCodexTickets() throws {
        let directory = try project(#"{"id": "u", "agent": "codex", "prompt": "fake:usage-once go"}, {"id": "later", "agent": "codex", "prompt": "go", "dependsOn": ["u"]}, {"id": "sh", "run": "true"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "-j1", "--usage-limit-wait", "0.5s"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("parrun: codex usage limit reached: codex tickets wait until"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("the codex usage limit has reset; codex tickets start again"), "\(outcome.stderr)")
        #expect(call(directory, "u.argv.2").hasSuffix("resume\nthread-u-1\n-\n"))
    }

    @Test func aRetriedRateLimitIsSeenAndATurnWithoutItsEndFails() throws {
        let directory = try project(#"{"id": "s", "agent": "codex", "prompt": "fake:retried-429 go"}, {"id": "n", "agent": "codex", "prompt": "fake:no-turn go"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["--json", "-k"], in: directory)
        #expect(outcome.status == 1)
        let events = outcome.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let seen = events.filter { $0["event"] as? String == "rate-limit" }
        #expect(seen.count == 1 && seen.first?["agent"] as? String == "codex" && seen.first?["id"] as? String == "s", "\(seen)")
        let ends = Dictionary(uniqueKeysWithValues: events.filter { $0["event"] as? String == "ticket-end" }.map { ($0["id"] as? String ?? "", $0) })
        #expect(ends["s"]?["status"] as? String == "succeeded")
        #expect(ends["n"]?["status"] as? String == "failed" && (ends["n"]?["detail"] as? String ?? "").contains("no turn.completed event"), "\(ends["n"] ?? [:])")
    }

    @Test func inAWorktreeCodexGetsTheWorkspaceWriteSandboxAndItsWorkLands() throws {
        let directory = try project(#"{"id": "w", "agent": "codex", "prompt": "go"}, {"id": "idle", "agent": "codex", "prompt": "fake:no-turn"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(".parrun/\ncalls/\n".utf8).write(to: directory.appendingPathComponent(".gitignore"))
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            #expect(CommandRunner.run(["git"] + arguments, in: directory.path).succeeded)
        }
        let outcome = try run(["-q", "--worktree", "-k"], in: directory)
        #expect(outcome.status == 1, "idle did not succeed: \(outcome.stderr)")
        #expect(call(directory, "w.argv.1").contains("--sandbox\nworkspace-write\n-c\napproval_policy=\"never\"\n"), "\(call(directory, "w.argv.1"))")
        #expect((try? String(contentsOf: directory.appendingPathComponent("w.txt"), encoding: .utf8)) == "written by w\n", "landed")
        let diff = try CLITests.run(["diff", "w", "--no-pager"], in: directory)
        #expect(diff.stdout.contains("+written by w"), "\(diff.stdout)")
    }

    @Test func aRejectionInReviewGoesBackToTheThreadWithTheReason() throws {
        let directory = try project(#"{"id": "d", "agent": "codex", "prompt": "go", "review": true}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try run(["-q"], in: directory).status == 3, "awaiting review")
        #expect(call(directory, "d.argv.1") == "-\n", "a new thread")
        #expect(try run(["reject", "d", "--reason", "say more"], in: directory).status == 0)
        #expect(try run(["-q", "--resume"], in: directory).status == 3, "it ran again and awaits review again")
        #expect(call(directory, "d.argv.1") == "resume\nthread-d-1\n-\n", "the thread codex named continues: \(call(directory, "d.argv.1"))")
        #expect(call(directory, "d.stdin.1").contains("A reviewer rejected your work on this task: say more"))
        #expect(try run(["approve", "d"], in: directory).status == 0)
        #expect(try run(["-q", "--resume"], in: directory).status == 0)
    }

    @Test func aThreadOutOfContextContinuesAtOnce() throws {
        let directory = try project(#"{"id": "c", "agent": "codex", "prompt": "fake:context-once go"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(call(directory, "c.argv.2") == "resume\nthread-c-1\n-\n", "\(call(directory, "c.argv.2"))")
        #expect(call(directory, "c.stdin.2") + "\n" == Continuations.prompt, "the continuation prompt (the fake drops its last line break)")
        var statuses: [String] = []
        for case .end(let end) in try journal(directory) { statuses.append(end.status) }
        #expect(statuses == ["out-of-turns", "succeeded"])
    }
}
