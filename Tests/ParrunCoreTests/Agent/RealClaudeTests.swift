import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunState

/// The real `claude` CLI (found through PARRUN_TEST_CLAUDE) run by parrun
/// against a mock of the Messages API on 127.0.0.1 (Fixtures/mock_anthropic.py,
/// on a free port): no network, no account. `.ci/run` installs the CLI from the
/// claude-agent-sdk wheel, so CI always runs these.
@Suite(.enabled(if: RealClaude.cli != nil, "set PARRUN_TEST_CLAUDE to a claude binary (.ci/run installs one) to run the real-CLI tests"),
       .enabled(if: RealClaude.python != nil, "python3 is needed for the mock Messages API"))
struct RealClaudeTests {

    typealias Mock = RealClaude.Mock


    private func sessions(_ directory: URL) throws -> [String: [String]] {
        var found: [String: [String]] = [:]
        for case .session(let record) in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records {
            found[record.id, default: []].append(record.session)
        }
        return found
    }

    private func read(_ directory: URL, _ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test(.timeLimit(.minutes(4)))
    func threeAgentsWriteTheirFilesInOrderAndARateLimitIsRetried() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        #expect(mock.port > 0, "the mock started")
        let path = directory.path
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "spec", "prompt": "Write the spec [[write \#(path)/spec.txt: the spec]]"},"#
            + #"{"id": "code", "dependsOn": ["spec"], "prompt": "Write the code [[write \#(path)/code.txt: the code]] [[429 once]]"},"#
            + #"{"id": "test", "dependsOn": ["code"], "prompt": "Write the test [[write \#(path)/test.txt: the test]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "--rate-limit-wait", "0.2s"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "spec.txt") == "the spec\n")
        #expect(read(directory, "code.txt") == "the code\n")
        #expect(read(directory, "test.txt") == "the test\n")
        #expect(outcome.stdout.contains("Write \(path)/code.txt"), "\(outcome.stdout)")
        #expect(outcome.stderr.contains("retry code in"), "the 429 was retried: \(outcome.stderr)")
        #expect(outcome.stderr.contains("API limits: 1 rate-limit back-off"), "\(outcome.stderr)")
        // Each ticket's session is recorded; the retry continued code's session.
        let recorded = try sessions(directory)
        #expect(recorded["spec"]?.count == 1)
        #expect(recorded["code"]?.count == 2)
        #expect(Set(recorded["code"] ?? []).count == 1, "the retry continued the same session")
        #expect(Set(recorded.values.compactMap(\.first)).count == 3)
        // Costs and turns are in the journal and in status.
        let status = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let tickets = try #require(object["tickets"] as? [[String: Any]])
        for ticket in tickets {
            let stats = ticket["stats"] as? [String: Any]
            #expect((stats?["costUsd"] as? Double ?? 0) > 0, "\(ticket)")
            #expect((stats?["turns"] as? Int ?? 0) >= 2, "\(ticket)")
        }
    }

    /// Allowed retries, the CLI retries a 529 itself and says so (`api_retry`):
    /// parrun sees each, lowers the agent limit once, and the attempt succeeds
    /// without a retry of parrun's.
    @Test(.timeLimit(.minutes(4)))
    func rateLimitsTheCLIRetriesItselfAreSeenAndTheTicketSucceeds() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "busy", "prompt": "Hi [[529 twice]] [[write \#(directory.path)/busy.txt: busy]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        var environment = try RealClaude.environment(directory, mock: mock)
        environment["CLAUDE_CODE_MAX_RETRIES"] = "2"
        let outcome = try CLITests.run(["--json", "--agents", "2"], in: directory, environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "busy.txt") == "busy\n")
        let events = outcome.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let seen = events.filter { $0["event"] as? String == "rate-limit" }
        #expect(seen.map { $0["retry"] as? Int } == [1, 2], "each api_retry was seen: \(outcome.stdout)")
        #expect(seen.allSatisfy { $0["id"] as? String == "busy" && $0["errorStatus"] as? Int == 529 && $0["attempt"] as? Int == 1 })
        #expect(seen.allSatisfy { $0["agentLimit"] as? Int == 1 && $0["configured"] as? Int == 2 && ($0["retryIn"] as? Double ?? -1) >= 0 })
        let limits = events.filter { $0["event"] as? String == "agent-limit" }.compactMap { $0["limit"] as? Int }
        #expect(limits == [1], "lowered once for the burst: \(limits)")
        let ends = events.filter { $0["event"] as? String == "ticket-end" }
        #expect(ends.count == 1 && ends.first?["status"] as? String == "succeeded", "no retry of parrun's: \(ends)")
        let waits = events.first { $0["event"] as? String == "run-end" }?["limitWaits"] as? [String: Any]
        #expect(waits?["rateLimitSignals"] as? Int == 2 && waits?["rateLimited"] as? Int == 0, "\(String(describing: waits))")
    }

    @Test(.timeLimit(.minutes(4)))
    func aUsageLimitPausesAgentsUntilItResets() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "u", "prompt": "Hi [[usage limit once]] [[write \#(directory.path)/u.txt: u]]"}, {"id": "sh", "run": "true"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "-j1"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("parrun: usage limit reached: prompt tickets wait until"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("1 usage-limit pause"), "\(outcome.stderr)")
        #expect(read(directory, "u.txt") == "u\n")
    }

    @Test(.timeLimit(.minutes(4)))
    func aFailedVerifyGoesBackToTheAgentWithItsOutput() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let file = directory.appendingPathComponent("answer.txt").path
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "v", "prompt": "Answer [[write \#(file): draft]] [[on feedback write \#(file): fixed]]", "#
            + #""verify": "grep -q fixed answer.txt || { echo 'answer.txt says draft, wanted fixed'; exit 1; }"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("VERIFY FAILED v (exit 1)"), "\(outcome.stderr)")
        #expect(read(directory, "answer.txt") == "fixed\n")
        #expect(try sessions(directory)["v"].map { Set($0).count } == 1, "the follow-up continued the same session")
        let log = try String(contentsOf: directory.appendingPathComponent("mock.log"), encoding: .utf8)
        #expect(log.split(separator: "\n").count >= 4, "the agent was called again after the verifier: \(log)")
    }

    /// Without -k a failure stops new tickets, but an agent at work goes on,
    /// its verify feedback rounds included.
    @Test(.timeLimit(.minutes(4)))
    func anotherTicketsFailureDoesNotCutAFeedbackRoundShort() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let file = directory.appendingPathComponent("answer.txt").path
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "v", "prompt": "Answer [[write \#(file): draft]] [[on feedback write \#(file): fixed]]", "#
            + #""verify": "grep -q fixed answer.txt || { echo 'answer.txt says draft, wanted fixed'; exit 1; }"},"#
            + #"{"id": "bad", "run": "exit 1"}, {"id": "after", "dependsOn": ["bad"], "run": "true"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "-j2"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 1, "bad failed: \(outcome.stderr)")
        #expect(outcome.stderr.contains("VERIFY FAILED v (exit 1)"), "\(outcome.stderr)")
        #expect(read(directory, "answer.txt") == "fixed\n", "v's feedback round ran after bad failed: \(outcome.stderr)")
        let status = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let states = Dictionary(uniqueKeysWithValues: (object["tickets"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["state"] as? String ?? "") })
        #expect(states["v"] == "succeeded" && states["after"] != "succeeded", "\(states)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aKilledRunResumesTheAgentInItsSession() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let manifest = #"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "s", "prompt": "Slow one [[slow 30]] [[write \#(directory.path)/s.txt: s]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let env = try RealClaude.environment(directory, mock: mock)
        let first = try LaunchedParrun(["-q"], in: directory, environment: env)
        // Until the CLI has reported its session (the mock then holds the answer back).
        for _ in 0..<400 where (try? sessions(directory))?["s"] == nil {
            usleep(25_000)
        }
        let session = try sessions(directory)["s"]?.first
        #expect(session != nil, "the session began: \(first.stderr)")
        usleep(300_000)
        kill(first.pid, SIGKILL)
        first.wait()
        #expect(CrashSafetyTests.survivors(of: first.pid).isEmpty, "the CLI did not outlive its parrun")
        let resumed = try CLITests.run(["-q", "--resume"], in: directory, environment: env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(read(directory, "s.txt") == "s\n")
        #expect(try sessions(directory)["s"] == [session ?? "?", session ?? "?"], "the resumed attempt continued the same session")
    }
}

/// What the real-CLI tests need from the machine.
enum RealClaude {
    static let cli = ProcessInfo.processInfo.environment["PARRUN_TEST_CLAUDE"].flatMap { $0.isEmpty ? nil : $0 }
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// The environment that points the real CLI at the mock, with a home of its own.
    static func environment(_ directory: URL, mock: Mock) throws -> [String: String] {
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return [
            "HOME": home.path, "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(mock.port)", "ANTHROPIC_API_KEY": "test-key",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "CLAUDE_CODE_MAX_RETRIES": "0",
            "PARRUN_CLAUDE": "\(cli ?? "claude") -p --output-format stream-json --verbose",
        ]
    }

    static let mockScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mock_anthropic.py").path

    /// The mock Messages API, running for one test.
    final class Mock {
    let process: Subprocess
    let port: Int

    /// `script`: the mock to run (the Messages API's by default; `RealCodex` runs the Responses API's).
    init(in directory: URL, script: String = RealClaude.mockScript) throws {
        let portFile = directory.appendingPathComponent("mock.port")
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(null) }
        process = try Subprocess(
            RealClaude.python ?? "/usr/bin/python3", [script, "--port-file", portFile.path, "--log", directory.appendingPathComponent("mock.log").path],
            environment: ProcessInfo.processInfo.environment, output: null, error: null)
        var port = 0
        for _ in 0..<200 {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let number = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                port = number
                break
            }
            usleep(25_000)
        }
        self.port = port
    }

    deinit {
        kill(process.pid, SIGKILL)
        process.wait()
    }
}
}
