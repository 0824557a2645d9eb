import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunState

/// What parrun counts for the real `claude` CLI's attempts, checked against
/// what the mock Messages API (Fixtures/mock_anthropic.py) says it served:
/// a continued session's cumulative cost counted once, killed attempts
/// estimated from their tokens.
@Suite(.enabled(if: RealClaude.cli != nil, "set PARRUN_TEST_CLAUDE to a claude binary (.ci/run installs one) to run the real-CLI tests"),
       .enabled(if: RealClaude.python != nil, "python3 is needed for the mock Messages API"))
struct RealClaudeCostTests {
    typealias Mock = RealClaude.Mock


    private func write(_ manifest: String, in directory: URL) throws {
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("tickets.json"))
    }

    /// What the mock served: its answered requests' tokens, and their cost at the list price of the model asked for.
    private struct Served: Equatable {
        var requests = 0, inputTokens = 0, outputTokens = 0
        var costUSD = 0.0
    }

    private func served(_ directory: URL) throws -> Served {
        var total = Served()
        let log = try String(contentsOf: directory.appendingPathComponent("mock.log"), encoding: .utf8)
        for line in log.split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let served = object["served"] as? [String: Any] else { continue }
            let tokens = AgentStats(inputTokens: served["input_tokens"] as? Int ?? 0, outputTokens: served["output_tokens"] as? Int ?? 0)
            total.requests += 1
            total.inputTokens += tokens.inputTokens
            total.outputTokens += tokens.outputTokens
            total.costUSD += ModelPrices().price(of: served["model"] as? String).cost(of: tokens)
        }
        return total
    }

    /// `status --json`'s stats per ticket.
    private func stats(_ directory: URL) throws -> [String: [String: Any]] {
        let status = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        var found: [String: [String: Any]] = [:]
        for ticket in object["tickets"] as? [[String: Any]] ?? [] {
            if let id = ticket["id"] as? String, let stats = ticket["stats"] as? [String: Any] { found[id] = stats }
        }
        return found
    }

    private func total(_ stats: [String: [String: Any]], _ key: String) -> Double {
        stats.values.reduce(0) { $0 + (($1[key] as? NSNumber)?.doubleValue ?? 0) }
    }

    /// The CLI reports a session's cost from its start: rate-limited after a
    /// tool call and continued, the ticket's two attempts cost what the mock
    /// served once, not the first attempt's cost twice.
    @Test(.timeLimit(.minutes(4)))
    func aContinuedSessionCountsOnlyWhatItAdds() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        try write(#"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "c", "prompt": "Write it [[write \#(directory.path)/c.txt: c]] [[429 after tool]]"}]}"#, in: directory)
        let outcome = try CLITests.run(["-q", "--rate-limit-wait", "0.2s"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry c in"), "the rate limit was retried: \(outcome.stderr)")
        let served = try served(directory)
        #expect(served.requests == 2, "the Write, then the answer after the continued session")
        let counted = try stats(directory)
        #expect(abs(total(counted, "costUsd") - served.costUSD) < 1e-9, "counted \(counted), served \(served)")
        #expect(Int(total(counted, "inputTokens")) == served.inputTokens && Int(total(counted, "outputTokens")) == served.outputTokens, "\(counted) \(served)")
        #expect(counted["c"]?["estimated"] == nil)
    }

    /// The same across two parrun processes: the journal says what the
    /// session cost before, and the resumed run subtracts it.
    @Test(.timeLimit(.minutes(4)))
    func aSessionContinuedByResumeCountsOnlyWhatItAdds() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        try write(#"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["#
            + #"{"id": "c", "prompt": "Write it [[write \#(directory.path)/c.txt: c]] [[429 after tool]]"}]}"#, in: directory)
        let env = try RealClaude.environment(directory, mock: mock)
        let first = try LaunchedParrun(["-q", "--rate-limit-wait", "60s"], in: directory, environment: env)
        for _ in 0..<800 where !first.stderr.contains("retry c in") { usleep(25_000) }
        #expect(first.stderr.contains("retry c in"), "\(first.stderr)")
        kill(first.pid, SIGINT)
        first.wait()
        let resumed = try CLITests.run(["-q", "--resume"], in: directory, environment: env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let served = try served(directory)
        let counted = try stats(directory)
        #expect(served.requests == 2)
        #expect(abs(total(counted, "costUsd") - served.costUSD) < 1e-9, "counted \(counted), served \(served)")
    }

    /// Killed by its timeout before its result, an attempt is counted from the
    /// tokens its stream showed, priced by the list price or the manifest's.
    @Test(.timeLimit(.minutes(4)))
    func aKilledAttemptIsEstimatedFromItsTokensAtTheManifestsPrices() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let env = try RealClaude.environment(directory, mock: mock)
        func killed(_ tag: String, prices: String) throws -> (stats: [String: Any], stderr: String) {
            let project = directory.appendingPathComponent(tag)
            try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
            try write(#"{"defaults": {"permissionMode": "acceptEdits"}, \#(prices) "tickets": ["#
                + #"{"id": "k", "timeout": "10s", "prompt": "\#(tag) [[write \#(project.path)/k.txt: k]] [[slow after tool 60]]"}]}"#, in: project)
            let outcome = try CLITests.run(["-q"], in: project, environment: env)
            #expect(outcome.status == 1, "\(outcome.stderr)")
            return (try #require(try stats(project)["k"]), outcome.stderr)
        }
        let listed = try killed("listed", prices: "")
        #expect(listed.stats["estimated"] as? Bool == true, "\(listed.stats)")
        let input = listed.stats["inputTokens"] as? Int ?? 0, output = listed.stats["outputTokens"] as? Int ?? 0
        #expect(input == 25 && output >= 1, "the Write's message was seen: \(listed.stats)")
        let listPrice = ModelPrices().price(of: "claude-opus-5-5").cost(of: AgentStats(inputTokens: input, outputTokens: output))
        #expect(abs((listed.stats["costUsd"] as? Double ?? 0) - listPrice) < 1e-9, "\(listed.stats)")
        #expect(listed.stderr.contains("(estimated)"), "the summary marks it: \(listed.stderr)")
        let status = try CLITests.run(["status"], in: directory.appendingPathComponent("listed"))
        #expect(status.stdout.contains("(estimated)"), "status marks it: \(status.stdout)")

        let priced = try killed("priced", prices: #""prices": {"claude-opus-5-5": {"input": 1000, "output": 2000}},"#)
        let expected = Double(priced.stats["inputTokens"] as? Int ?? 0) * 1000 / 1e6 + Double(priced.stats["outputTokens"] as? Int ?? 0) * 2000 / 1e6
        #expect(abs((priced.stats["costUsd"] as? Double ?? 0) - expected) < 1e-9 && expected > 0.02, "\(priced.stats)")
    }

    /// Ten agents at once: what parrun counted, ticket by ticket, adds up to
    /// what the mock served, in tokens and in dollars.
    @Test(.timeLimit(.minutes(5)))
    func tenAgentsCostWhatTheMockServed() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mock = try Mock(in: directory)
        let tickets = (1...10).map { index in
            let write = index % 2 == 0 ? " [[write \(directory.path)/t\(index).txt: \(index)]]" : ""
            return #"{"id": "t\#(index)", "prompt": "Ticket \#(index)\#(write)"}"#
        }
        try write(#"{"defaults": {"permissionMode": "acceptEdits"}, "tickets": ["# + tickets.joined(separator: ", ") + "]}", in: directory)
        let outcome = try CLITests.run(["-q", "--agents", "5"], in: directory, environment: try RealClaude.environment(directory, mock: mock))
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let served = try served(directory)
        let counted = try stats(directory)
        #expect(counted.count == 10)
        #expect(served.requests == 15, "five answers, five writes of two requests each")
        #expect(abs(total(counted, "costUsd") - served.costUSD) < 1e-9, "counted \(counted), served \(served)")
        #expect(Int(total(counted, "inputTokens")) == served.inputTokens && Int(total(counted, "outputTokens")) == served.outputTokens)
        print("ten agents: counted $\(total(counted, "costUsd")), \(Int(total(counted, "inputTokens"))) in, \(Int(total(counted, "outputTokens"))) out; "
            + "the mock served \(served.requests) requests, $\(served.costUSD), \(served.inputTokens) in, \(served.outputTokens) out")
    }
}
