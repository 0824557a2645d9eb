import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunState

/// Prompt tickets run by a real parrun against a fake claude program
/// (Fixtures/fake-claude), which records its argv and stdin and plays the
/// CLI's stream-json events: success, failures, rate and usage limits, sessions.
@Suite struct PromptTicketTests {
    static let fake = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fake-claude").path

    /// A directory with `tickets.json` whose `claude` is the fake; it records into `calls/`.
    private func project(_ tickets: String, settings: String = "") throws -> URL {
        let manifest = #"{"claude": ""# + Self.fake + #"", "# + settings + #""tickets": ["# + tickets + "]}"
        let directory = try CLITests.directory(["tickets.json": manifest])
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("calls"), withIntermediateDirectories: true)
        return directory
    }

    private func run(_ arguments: [String], in directory: URL) throws -> CLITests.Outcome {
        try CLITests.run(arguments, in: directory, environment: ["FAKE_CLAUDE_DIR": directory.appendingPathComponent("calls").path])
    }

    private func call(_ directory: URL, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("calls/" + name), encoding: .utf8)) ?? ""
    }

    private func journal(_ directory: URL) throws -> [JournalRecord] {
        try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
    }

    /// -j is about CPUs; agents wait on the API and run in slots of their own.
    @Test func agentsRunInSlotsOfTheirOwnApartFromJobs() throws {
        let tickets = (1...4).map { #"{"id": "p\#($0)", "prompt": "write p\#($0)"}"# } + [#"{"id": "sh", "run": "true"}"#]
        let directory = try project(tickets.joined(separator: ", "))
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = try run(["-n", "-j1"], in: directory)
        #expect(plan.stdout.contains("jobs 1 (-j 1)\nagents 3 at once, apart from jobs (default; set with --agents N or pool claude = N)\n"), "\(plan.stdout)")
        #expect(try run(["-n", "-j1", "--agents", "5"], in: directory).stdout.contains("agents 5 at once, apart from jobs (--agents 5)"))

        let outcome = try run(["-q", "-j1"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var workers: [String: Int] = [:]
        for case .start(let start) in try journal(directory) { workers[start.id] = start.worker }
        #expect(workers["sh"] == 0, "the shell ticket has the one -j slot: \(workers)")
        #expect(Set((1...3).compactMap { workers["p\($0)"] }) == [1, 2, 3], "three agents at once beside it: \(workers)")

        try FileManager.default.removeItem(at: directory.appendingPathComponent(".parrun"))
        #expect(try run(["-q", "-j4", "--agents", "1"], in: directory).status == 0)
        workers = [:]
        for case .start(let start) in try journal(directory) { workers[start.id, default: -1] = start.worker }
        #expect(Set((1...4).compactMap { workers["p\($0)"] }) == [4], "one agent slot, after the four -j slots: \(workers)")
    }

    @Test func aPromptGoesOnStdinAndFieldsBecomeFlags() throws {
        let long = String(repeating: "Do the thing; $(rm -rf ~) stays text. ", count: 5000)
        let directory = try project(
            #"{"id": "a", "prompt": ""# + long + #"", "maxTurns": 4, "allowedTools": ["Read", "Bash(git log:*)"]}"#,
            settings: #""defaults": {"model": "sonnet", "permissionMode": "acceptEdits"}, "#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(call(directory, "a.stdin.1") == long, "the whole prompt, byte for byte, on standard input")
        let argv = call(directory, "a.argv.1").split(separator: "\n").map(String.init)
        #expect(argv.count == 11)
        #expect(argv.first == "--session-id")
        let session = argv.count > 1 ? argv[1] : ""
        #expect(session.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(Array(argv.dropFirst(2)) == [
            "--model", "sonnet", "--permission-mode", "acceptEdits", "--max-turns", "4",
            "--allowedTools", "Read", "Bash(git log:*)",
        ])
        // What the agent did is shown, not the raw events; those are kept next to the log.
        #expect(outcome.stdout == "session \(session) (fake-model)\nWorking on a\nWrite a.txt\nresult: success, 2 turns, $0.0125, 1.2k tokens\n")
        let events = try String(contentsOf: directory.appendingPathComponent(".parrun/logs/a.events.jsonl"), encoding: .utf8)
        #expect(events.hasPrefix(#"{"type":"system","subtype":"init","session_id":""# + session))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.txt").path))
        #expect(outcome.stderr.contains("agent a: 2 turns, $0.0125, 1.2k tokens"), "\(outcome.stderr)")
        // The journal has the session and the stats.
        let records = try journal(directory)
        #expect(records.contains { if case .session(let s) = $0 { s.id == "a" && s.session == session } else { false } })
        let end = records.compactMap { if case .end(let e) = $0 { e } else { nil } }.first
        #expect(end?.stats?.costUSD == 0.0125)
        #expect(end?.stats?.turns == 2)
    }

    @Test func anAgentThatDidNotFinishFailsTheTicketSayingWhy() throws {
        let directory = try project(
            #"{"id": "turns", "prompt": "fake:max-turns", "continuations": 0}, {"id": "silent", "prompt": "fake:no-result"}, "#
                + #"{"id": "flagged", "prompt": "fake:error-success"}, {"id": "after", "dependsOn": ["turns"], "prompt": "x"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "-k", "-j3"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("FAIL turns: ran out of turns (error_max_turns, exit 1)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("FAIL silent: no result event (exit 0)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("FAIL flagged: the result reports an error (exit 0): done flagged"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("skipped after: 'turns' failed"))
        let status = try run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let tickets = try #require(object["tickets"] as? [[String: Any]])
        #expect(tickets.first?["detail"] as? String == "ran out of turns (error_max_turns, exit 1)")
        #expect((tickets.first?["stats"] as? [String: Any])?["turns"] as? Int == 2)
    }

    @Test func aRateLimitIsRetriedInTheSameSessionWhateverRetriesSays() throws {
        let directory = try project(#"{"id": "r", "prompt": "fake:rate-once", "retries": 0}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--rate-limit-wait", "0.1s"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry r in"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("rate limited 429 (rate_limit_error)"))
        #expect(outcome.stderr.contains("API limits: 1 rate-limit back-off, 0 usage-limit pauses"), "\(outcome.stderr)")
        let first = call(directory, "r.argv.1").split(separator: "\n").map(String.init)
        let second = call(directory, "r.argv.2").split(separator: "\n").map(String.init)
        #expect(second.prefix(2) == ["--resume", first.count > 1 ? first[1] : "?"][...])
        #expect(call(directory, "r.stdin.2").contains("stopped by an API limit"))
    }

    @Test(.timeLimit(.minutes(4)))
    func rateLimitsLowerHowManyAgentsRunAndQuietRaisesItAgain() throws {
        let tickets = (1...4).map { #"{"id": "r\#($0)", "prompt": "fake:rate-once"}"# }.joined(separator: ", ")
            + #", {"id": "wait", "dependsOn": ["r1", "r2", "r3", "r4"], "run": "sleep 1"}"#
        let directory = try project(tickets)
        defer { try? FileManager.default.removeItem(at: directory) }
        // `wait` keeps the run going after the last rate limit, long enough for quiet periods.
        let outcome = try run(["--json", "--agents", "4", "--rate-limit-wait", "0.1s", "--agent-limit-quiet", "0.3s"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        var limit = 4
        var limits: [Int] = []
        var running = Set<String>()
        for line in outcome.stdout.split(separator: "\n") {
            guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let kind = event["event"] as? String else { continue }
            let id = event["id"] as? String ?? ""
            switch kind {
            case "agent-limit":
                limit = event["limit"] as? Int ?? limit
                limits.append(limit)
                #expect(event["configured"] as? Int == 4)
            case "ticket-start" where id != "wait":
                running.insert(id)
                #expect(running.count <= limit, "\(running.count) agents ran under a limit of \(limit)")
            case "ticket-end":
                running.remove(id)
            default:
                break
            }
        }
        #expect(limits.prefix(2) == [2, 1], "halved on each rate limit, never below 1: \(limits)")
        #expect(zip(limits, limits.dropFirst()).contains { $1 > $0 }, "raised again after a quiet period: \(limits)")
        #expect(limits.allSatisfy { (1...4).contains($0) })
    }

    @Test(.timeLimit(.minutes(4)))
    func aUsageLimitPausesEveryPromptTicketUntilItResets() throws {
        let directory = try project(
            #"{"id": "u", "prompt": "fake:usage-once"}, {"id": "v", "prompt": "fake:usage-text"}, {"id": "shell", "run": "true"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = Date()
        let outcome = try run(["-q", "-j1", "--agents", "1"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(Date().timeIntervalSince(started) >= 1.5, "it waited for the reset, about 2 s")
        #expect(outcome.stderr.contains("parrun: usage limit reached: prompt tickets wait until"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("the usage limit has reset; prompt tickets start again"))
        #expect(outcome.stderr.contains("API limits: 0 rate-limit back-offs, 2 usage-limit pauses"), "\(outcome.stderr)")
        // The shell ticket ran during the pause, before the first prompt ticket's retry.
        let lines = outcome.stderr.split(separator: "\n")
        let shellStart = lines.firstIndex(of: "start shell") ?? lines.endIndex
        let retry = lines.firstIndex(of: "start u (attempt 2)") ?? lines.startIndex
        #expect(shellStart < retry, "\(outcome.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aResumedRunContinuesAnInterruptedAgentInItsSession() throws {
        let directory = try project(#"{"id": "s", "prompt": "fake:slow"}, {"id": "t", "dependsOn": ["s"], "prompt": "then"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let calls = directory.appendingPathComponent("calls")
        let first = try LaunchedParrun(["-q"], in: directory, environment: ["FAKE_CLAUDE_DIR": calls.path])
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: calls.appendingPathComponent("s.running").path) {
            usleep(20_000)
        }
        let session = call(directory, "s.argv.1").split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
        usleep(200_000)
        kill(first.pid, SIGKILL)
        first.wait()
        let plan = try run(["-n", "--resume"], in: directory)
        #expect(plan.stdout.contains("  s  interrupted\n"), "\(plan.stdout)")
        let resumed = try run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let argv = call(directory, "s.argv.1").split(separator: "\n").map(String.init)
        #expect(argv.prefix(2) == ["--resume", session][...], "continued in its own session")
        #expect(call(directory, "s.stdin.1").hasPrefix("Your previous attempt at this task was interrupted"))

        // With --fresh-sessions an interrupted ticket starts over.
        let again = try project(#"{"id": "s", "prompt": "fake:slow"}"#)
        defer { try? FileManager.default.removeItem(at: again) }
        let killed = try LaunchedParrun(["-q"], in: again, environment: ["FAKE_CLAUDE_DIR": again.appendingPathComponent("calls").path])
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: again.appendingPathComponent("calls/s.running").path) {
            usleep(20_000)
        }
        usleep(200_000)
        kill(killed.pid, SIGKILL)
        killed.wait()
        #expect(try run(["-q", "--resume", "--fresh-sessions"], in: again).status == 0)
        #expect(call(again, "s.argv.1").hasPrefix("--session-id\n"))
        #expect(call(again, "s.stdin.1") == "fake:slow")
    }

    @Test(.timeLimit(.minutes(4)), arguments: [SIGINT, SIGTERM])
    func aResumeAfterCtrlCOrSIGTERMContinuesTheAgentsSession(signal: Int32) throws {
        let directory = try project(#"{"id": "s", "prompt": "fake:slow"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let calls = directory.appendingPathComponent("calls")
        let first = try LaunchedParrun(["-q", "--grace", "0.2s"], in: directory, environment: ["FAKE_CLAUDE_DIR": calls.path])
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: calls.appendingPathComponent("s.running").path) {
            usleep(20_000)
        }
        let session = call(directory, "s.argv.1").split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
        usleep(200_000)
        kill(first.pid, signal)
        #expect(first.wait() == 128 + signal, "\(first.stderr)")
        let resumed = try run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let argv = call(directory, "s.argv.1").split(separator: "\n").map(String.init)
        #expect(argv.prefix(2) == ["--resume", session][...], "continued in its own session: \(argv)")
        #expect(call(directory, "s.stdin.1").hasPrefix("Your previous attempt at this task was interrupted"))
    }

    @Test(.timeLimit(.minutes(4)))
    func aFailedVerifySendsItsOutputBackToTheAgentAndAShellTicketFails() throws {
        let check = #"grep -q fixed $PARRUN_TICKET_ID.txt || { echo \"expected fixed, found $(cat $PARRUN_TICKET_ID.txt)\"; exit 1; }"#
        let directory = try project(
            #"{"id": "agent", "prompt": "fake:fix-on-feedback"}, {"id": "sh", "run": "echo draft > sh.txt"}, "#
                + #"{"id": "after", "dependsOn": ["agent"], "run": "true", "verify": "true"}"#,
            settings: #""defaults": {"verify": ""# + check + #""}, "#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "-k", "--verify-feedback", "20"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("VERIFY FAILED agent (exit 1)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("ok agent"), "the agent fixed it after the feedback: \(outcome.stderr)")
        #expect(outcome.stderr.contains("FAIL sh: verify failed (exit 1)"), "a shell ticket simply fails: \(outcome.stderr)")
        #expect(outcome.stderr.contains("ok after"))
        #expect(outcome.stderr.contains("  verify: 4 runs for 3 tickets, 2 failed; 1 ticket passed after feedback\n"), "\(outcome.stderr)")
        let argv = call(directory, "agent.argv.2").split(separator: "\n").map(String.init)
        let first = call(directory, "agent.argv.1").split(separator: "\n").map(String.init)
        #expect(argv.prefix(2) == ["--resume", first.count > 1 ? first[1] : "?"][...], "the follow-up continues the agent's session")
        let followUp = call(directory, "agent.stdin.2")
        #expect(followUp.contains("The verifier of this task"), "\(followUp)")
        #expect(followUp.contains("```\n fixed, found draft\n```"), "the end of the verifier's output, 20 bytes, reaches the agent: \(followUp)")
        let log = try String(contentsOf: directory.appendingPathComponent(".parrun/logs/sh.log"), encoding: .utf8)
        #expect(log.contains("--- parrun: verify ---\nexpected fixed, found draft\n"), "\(log)")
        let verifies = try journal(directory).compactMap { if case .verify(let v) = $0 { "\(v.id) \(v.passed)" } else { nil } }
        #expect(verifies.sorted() == ["after true", "agent false", "agent true", "sh false"])
    }

    @Test func approvalThenResumeAndRejectionWithAReason() throws {
        let directory = try project(
            #"{"id": "draft", "prompt": "fake:fix-on-feedback", "review": true}, {"id": "publish", "dependsOn": ["draft"], "run": "cp draft.txt published.txt"}, "#
                + #"{"id": "other", "run": "true"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try run(["-q"], in: directory)
        #expect(first.status == 3, "awaiting review exits 3: \(first.stderr)")
        #expect(first.stderr.contains("awaiting review (1): draft"), "\(first.stderr)")
        #expect(first.stderr.contains("ok other"), "everything else goes on")
        let status = try run(["status"], in: directory)
        #expect(status.stdout.split(separator: "\n").contains { $0.hasPrefix("  draft ") && $0.contains("awaiting-review") }, "\(status.stdout)")
        // Not decided yet: resuming leaves it waiting.
        #expect(try run(["-q", "--resume"], in: directory).status == 3)
        #expect(call(directory, "draft.argv.2").isEmpty, "it did not run again")

        let rejected = try run(["reject", "draft", "--reason", "say it is fixed"], in: directory)
        #expect(rejected.status == 0, "\(rejected.stderr)")
        let plan = try run(["-n", "--resume"], in: directory)
        #expect(plan.stdout.contains("  draft    rejected: say it is fixed\n"), "\(plan.stdout)")
        #expect(try run(["-q", "--resume"], in: directory).status == 3, "it ran again and awaits review again")
        let session = call(directory, "draft.argv.1").split(separator: "\n").dropFirst().first.map(String.init) ?? "?"
        let again = call(directory, "draft.argv.1").split(separator: "\n").map(String.init)
        #expect(again.prefix(2) == ["--resume", session][...] || again.first == "--resume", "continued in its session")
        #expect(call(directory, "draft.stdin.1").contains("A reviewer rejected your work on this task: say it is fixed"))

        #expect(try run(["approve", "draft"], in: directory).status == 0)
        let approved = try run(["-q", "--resume"], in: directory)
        #expect(approved.status == 0, "\(approved.stderr)")
        #expect((try? String(contentsOf: directory.appendingPathComponent("published.txt"), encoding: .utf8)) == "fixed\n",
                "the dependent ran on the approved work")
        let refused = try run(["approve", "draft"], in: directory)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("draft does not await review"), "\(refused.stderr)")
    }

    @Test func maxCostStopsStartingPromptTickets() throws {
        let directory = try project(
            #"{"id": "a", "prompt": "x"}, {"id": "b", "dependsOn": ["a"], "prompt": "x"}, {"id": "c", "dependsOn": ["a"], "run": "true"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run(["-q", "--max-cost", "0.01"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("parrun: --max-cost $0.01 reached ($0.0125 spent): no more prompt tickets start"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("ok c"), "shell tickets go on")
        #expect(call(directory, "b.argv.1").isEmpty, "b never ran")
        #expect(outcome.stderr.contains("2 succeeded, 1 not started"), "\(outcome.stderr)")
    }

    @Test func maxCostCountsWhatTheRunSpentBeforeItWasResumed() throws {
        let directory = try project(#"{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "x"}, {"id": "c", "prompt": "x"}"#)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try run(["-q", "-j1", "--agents", "1", "--max-cost", "0.02"], in: directory)
        #expect(first.stderr.contains("--max-cost $0.02 reached ($0.025 spent)"), "\(first.stderr)")
        #expect(first.stderr.contains("2 succeeded, 1 not started"), "\(first.stderr)")
        // The same limit would stop at once: the line to continue raises it by as much again.
        #expect(first.stderr.contains("to continue: parrun --resume -q -j1 --agents 1 --max-cost 0.05\n"
            + "    --max-cost raised: the run's agents have spent $0.025 of the $0.02 it allowed\n"), "\(first.stderr)")
        let resumed = try run(["-q", "-j1", "--agents", "1", "--max-cost", "0.02", "--resume"], in: directory)
        #expect(resumed.status == 1)
        #expect(resumed.stderr.contains("parrun: the agents of this run cost $0.025 before; --max-cost $0.02 counts it"), "\(resumed.stderr)")
        #expect(resumed.stderr.contains("--max-cost $0.02 reached ($0.025 spent)"), "\(resumed.stderr)")
        #expect(call(directory, "c.argv.1").isEmpty, "the budget was spent before the resume: c never ran")
        let raised = try run(["-q", "-j1", "--agents", "1", "--max-cost", "0.05", "--resume"], in: directory)
        #expect(raised.status == 0, "\(raised.stderr)")
        #expect(!call(directory, "c.argv.1").isEmpty)
    }

    /// Every prompt ticket takes an agent slot (the claude pool's size); one
    /// that names a pool of its own is bounded by that pool too.
    @Test func agentSlotsBoundEveryPromptAndANamedPoolBoundsItToo() throws {
        let text = #"{"pools": {"claude": 2, "solo": 1}, "tickets": [{"id": "a1", "pool": "solo", "prompt": "x"}, "#
            + #"{"id": "a2", "pool": "solo", "prompt": "x"}, {"id": "p1", "prompt": "x"}, {"id": "p2", "prompt": "x"}, {"id": "sh", "run": "true"}]}"#
        let graph = try validGraph(text)
        let pools = try #require(readManifest(text).manifest).settings.pools
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph),
                        jobs: .resolve(commandLine: .count(4), environment: nil, manifest: nil, cores: 4, ticketsToRun: 4), pools: pools)
        var scheduler = Scheduler(plan: plan)
        let started = scheduler.start().map { graph.tickets[$0.ticket].id }.sorted()
        #expect(started == ["a1", "p1", "sh"], "a2 waits for solo, p2 for an agent slot")
    }
}
