import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// The real `codex` CLI (found through PARRUN_TEST_CODEX) run by parrun
/// against a mock of the Responses API on 127.0.0.1 (Fixtures/mock_openai.py,
/// on a free port): no network, no account. `.ci/run` installs the CLI from
/// the openai-codex-cli-bin wheel, so CI always runs these.
@Suite(.enabled(if: RealCodex.cli != nil, "set PARRUN_TEST_CODEX to a codex binary (.ci/run installs one) to run the real codex tests"),
       .enabled(if: RealClaude.python != nil, "python3 is needed for the mock Responses API"))
struct RealCodexTests {
    typealias Mock = RealClaude.Mock

    private func journal(_ directory: URL) throws -> [JournalRecord] {
        try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
    }

    private func sessions(_ directory: URL) throws -> [String: [String]] {
        var found: [String: [String]] = [:]
        for case .session(let record) in try journal(directory) { found[record.id, default: []].append(record.session) }
        return found
    }

    private func read(_ directory: URL, _ name: String) -> String? {
        try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    private func statusTickets(_ directory: URL) throws -> [String: [String: Any]] {
        let status = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let tickets = object["tickets"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: tickets.map { ($0["id"] as? String ?? "", $0) })
    }

    /// Requests the mock answered, from its log.
    private func served(_ directory: URL) -> Int {
        (read(directory, "mock.log") ?? "").split(separator: "\n").filter { $0.contains("\"served\"") }.count
    }

    @Test(.timeLimit(.minutes(4)))
    func ticketsWriteFilesThroughApplyPatchAndExecCommandAndTheirThreadsAndTokensAreRecorded() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        #expect(mock.port > 0, "the mock started")
        let manifest = #"{"defaults": {"agent": "codex"}, "tickets": ["#
            + #"{"id": "patch", "prompt": "Write it [[patch patched.txt: patched]]"},"#
            + #"{"id": "exec", "dependsOn": ["patch"], "prompt": "Run it [[exec executed.txt: executed]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q"], in: directory, environment: try RealCodex.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "patched.txt") == "patched\n")
        #expect(read(directory, "executed.txt") == "executed\n")
        #expect(outcome.stdout.contains("apply_patch add ") && outcome.stdout.contains("patched.txt"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("exec /bin/bash -lc"), "\(outcome.stdout)")
        let recorded = try sessions(directory)
        #expect(recorded["patch"]?.count == 1 && recorded["exec"]?.count == 1 && recorded["patch"] != recorded["exec"])
        // The start records name no session: codex named it, parrun recorded it once it said.
        for case .start(let start) in try journal(directory) { #expect(start.session == nil) }
        let tickets = try statusTickets(directory)
        var tokens = 0
        for id in ["patch", "exec"] {
            let ticket = try #require(tickets[id])
            #expect(ticket["agent"] as? String == "codex")
            #expect(ticket["session"] as? String == recorded[id]?.first)
            let stats = try #require(ticket["stats"] as? [String: Any], "\(ticket)")
            #expect(stats["estimated"] as? Bool == true && (stats["costUsd"] as? Double ?? 0) > 0, "\(stats)")
            tokens += ["inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens"].reduce(0) { $0 + (stats[$1] as? Int ?? 0) }
        }
        #expect(tokens == served(directory) * 37, "every token the mock served, once: \(tokens)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aFailedVerifyGoesBackToTheThreadAsAResumedTurnAndTokensAreNotCountedTwice() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        let manifest = #"{"tickets": [{"id": "v", "agent": "codex", "prompt": "Answer [[patch answer.txt: draft]] [[on feedback patch answer.txt: fixed]]", "#
            + #""verify": "grep -q fixed answer.txt || { echo 'answer.txt says draft, wanted fixed'; exit 1; }"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q"], in: directory, environment: try RealCodex.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("VERIFY FAILED v (exit 1)"), "\(outcome.stderr)")
        #expect(read(directory, "answer.txt") == "fixed\n")
        let threads = try sessions(directory)["v"] ?? []
        #expect(threads.count == 2 && Set(threads).count == 1, "the feedback round resumed the same thread: \(threads)")
        let stats = try #require(try statusTickets(directory)["v"]?["stats"] as? [String: Any])
        let tokens = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheCreationTokens"].reduce(0) { $0 + (stats[$1] as? Int ?? 0) }
        #expect(tokens == served(directory) * 37, "the resumed turn counted only what it added to the thread: \(tokens) for \(served(directory)) answers")
        #expect(stats["turns"] as? Int == 2)
    }

    @Test(.timeLimit(.minutes(4)))
    func aKilledRunResumesTheCodexThread() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        let manifest = #"{"tickets": [{"id": "s", "agent": "codex", "prompt": "Slow one [[slow 30]] [[patch s.txt: s]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let env = try RealCodex.environment(directory, mock: mock)
        let first = try LaunchedParrun(["-q"], in: directory, environment: env)
        // Until codex has reported its thread and asked the mock (which holds its answer back).
        for _ in 0..<400 where (try? sessions(directory))?["s"] == nil || served(directory) == 0 && !(read(directory, "mock.log") ?? "").contains("responses") {
            usleep(25_000)
        }
        let thread = try sessions(directory)["s"]?.first
        #expect(thread != nil, "the thread began: \(first.stderr)")
        usleep(500_000)
        kill(first.pid, SIGKILL)
        first.wait()
        #expect(CrashSafetyTests.survivors(of: first.pid).isEmpty, "codex did not outlive its parrun")
        let resumed = try CLITests.run(["-q", "--resume"], in: directory, environment: env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(read(directory, "s.txt") == "s\n")
        #expect(try sessions(directory)["s"] == [thread ?? "?", thread ?? "?"], "the resumed attempt continued the same thread")
        let log = read(directory, "mock.log") ?? ""
        #expect(log.contains("\"items\": "), "the resumed turn asked the mock again: \(log)")
    }

    @Test(.timeLimit(.minutes(4)))
    func a429WithRetryAfterIsRetriedByCodexAndThrottlesTheCodexPool() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        let manifest = #"{"tickets": [{"id": "r", "agent": "codex", "prompt": "Hi [[429 once]] [[patch r.txt: r]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["--json"], in: directory, environment: try RealCodex.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "r.txt") == "r\n")
        let events = outcome.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let seen = events.filter { $0["event"] as? String == "rate-limit" }
        #expect(seen.count == 1 && seen.first?["agent"] as? String == "codex" && seen.first?["errorStatus"] as? Int == 429
                && seen.first?["retry"] as? Int == 1 && seen.first?["maxRetries"] as? Int == 5, "\(seen)")
        let limits = events.filter { $0["event"] as? String == "agent-limit" }
        #expect(limits.first?["agent"] as? String == "codex" && limits.first?["limit"] as? Int == 1 && limits.first?["configured"] as? Int == 2, "\(limits)")
        let ends = events.filter { $0["event"] as? String == "ticket-end" }
        #expect(ends.count == 1 && ends.first?["status"] as? String == "succeeded", "codex retried, parrun did not: \(ends)")
    }

    @Test(.timeLimit(.minutes(4)))
    func a429WithoutRetryAfterFailsTheAttemptAndParrunRetriesInTheSameThread() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        let manifest = #"{"tickets": [{"id": "n", "agent": "codex", "prompt": "Hi [[429 no retry-after]] [[patch n.txt: n]]"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "--rate-limit-wait", "0.2s"], in: directory, environment: try RealCodex.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry n in"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("API limits: 1 rate-limit back-off"), "\(outcome.stderr)")
        #expect(read(directory, "n.txt") == "n\n")
        let threads = try sessions(directory)["n"] ?? []
        #expect(threads.count == 2 && Set(threads).count == 1, "the retry resumed the thread: \(threads)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aUsageLimitPausesCodexTicketsOnly() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory, script: RealCodex.mockScript)
        let manifest = #"{"tickets": [{"id": "u", "agent": "codex", "prompt": "Hi [[usage limit once]] [[patch u.txt: u]]"}, {"id": "sh", "run": "true"}]}"#
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
        let outcome = try CLITests.run(["-q", "-j1", "--usage-limit-wait", "1s"], in: directory, environment: try RealCodex.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("parrun: codex usage limit reached: codex tickets wait until"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("1 usage-limit pause"), "\(outcome.stderr)")
        #expect(read(directory, "u.txt") == "u\n")
    }
}

/// What the real codex tests need from the machine.
enum RealCodex {
    static let cli = ProcessInfo.processInfo.environment["PARRUN_TEST_CODEX"].flatMap { $0.isEmpty ? nil : $0 }

    static let mockScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/mock_openai.py").path

    /// A CODEX_HOME of the test's own whose config points codex at the mock
    /// (a Responses API provider, a model codex knows, edits in its working
    /// folder unattended), and the command parrun runs.
    static func environment(_ directory: URL, mock: RealClaude.Mock) throws -> [String: String] {
        let home = directory.appendingPathComponent("home")
        let codexHome = home.appendingPathComponent("codex")
        try FileManager.default.createDirectory(at: codexHome, withIntermediateDirectories: true)
        let config = """
            model = "gpt-5.5"
            model_provider = "mock"
            approval_policy = "never"
            sandbox_mode = "workspace-write"

            [model_providers.mock]
            name = "mock"
            base_url = "http://127.0.0.1:\(mock.port)/v1"
            wire_api = "responses"

            """
        try Data(config.utf8).write(to: codexHome.appendingPathComponent("config.toml"))
        return [
            "HOME": home.path, "CODEX_HOME": codexHome.path,
            "PARRUN_CODEX": "\(cli ?? "codex") exec --json --skip-git-repo-check",
        ]
    }
}
