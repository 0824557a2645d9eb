import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// `parrun trace`: checked against the trace-event format (every event has
/// the fields its phase needs; a lane's spans never overlap) and against the
/// journal (one span per attempt, its duration the attempt's).
@Suite struct RunTraceTests {
    typealias Event = [String: Any]

    static func events(_ text: String) throws -> (events: [Event], other: [String: Any]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (try #require(object["traceEvents"] as? [Event]), object["otherData"] as? [String: Any] ?? [:])
    }

    /// The fields the trace-event format requires of each phase we write.
    static func checkFormat(_ events: [Event], sourceLocation: SourceLocation = #_sourceLocation) {
        for event in events {
            let phase = event["ph"] as? String ?? "?"
            #expect(event["name"] is String && event["pid"] is NSNumber && event["tid"] is NSNumber, "\(event)", sourceLocation: sourceLocation)
            switch phase {
            case "X":
                let ts = (event["ts"] as? NSNumber)?.doubleValue ?? -1
                let dur = (event["dur"] as? NSNumber)?.doubleValue ?? -1
                #expect(ts >= 0 && dur >= 0 && event["cat"] is String, "\(event)", sourceLocation: sourceLocation)
            case "i":
                #expect(((event["ts"] as? NSNumber)?.doubleValue ?? -1) >= 0, "\(event)", sourceLocation: sourceLocation)
                #expect(["g", "p", "t"].contains(event["s"] as? String ?? ""), "\(event)", sourceLocation: sourceLocation)
            case "M":
                let args = event["args"] as? [String: Any]
                #expect(["process_name", "thread_name", "process_sort_index", "thread_sort_index"].contains(event["name"] as? String ?? ""), sourceLocation: sourceLocation)
                #expect(args?["name"] is String || args?["sort_index"] is NSNumber, "\(event)", sourceLocation: sourceLocation)
            default:
                Issue.record("unexpected phase \(phase): \(event)", sourceLocation: sourceLocation)
            }
        }
        // Per lane, spans nest or are apart; and since a lane is one slot, two
        // tickets never overlap at all.
        let spans = events.filter { $0["ph"] as? String == "X" }
        let lanes = Dictionary(grouping: spans) { "\($0["pid"]!)/\($0["tid"]!)" }
        for (lane, list) in lanes {
            let sorted = list.map { (ts: ($0["ts"] as! NSNumber).doubleValue, end: ($0["ts"] as! NSNumber).doubleValue + ($0["dur"] as! NSNumber).doubleValue, name: $0["name"] as! String) }
                .sorted { $0.ts < $1.ts }
            for (earlier, later) in zip(sorted, sorted.dropFirst()) {
                #expect(later.ts >= earlier.end, "lane \(lane) runs \(earlier.name) and \(later.name) at once", sourceLocation: sourceLocation)
            }
        }
    }

    /// The journal's records as JSON objects.
    static func journal(_ directory: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    static func checkAgainstJournal(_ events: [Event], journal: [[String: Any]], runs: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        let spans = events.filter { $0["ph"] as? String == "X" && ($0["cat"] as? String ?? "").hasPrefix("attempt") }
        let starts = journal.filter { $0["type"] as? String == "start" && runs.contains($0["run"] as? String ?? "") }
        #expect(spans.count == starts.count, "one span per attempt: \(spans.count) spans, \(starts.count) starts", sourceLocation: sourceLocation)
        for end in journal where end["type"] as? String == "end" && runs.contains(end["run"] as? String ?? "") && (end["seconds"] as? Double ?? 0) > 0 {
            let id = end["id"] as! String
            let attempt = end["attempt"] as! Int
            let matching = spans.filter { span in
                let args = span["args"] as? [String: Any]
                return args?["id"] as? String == id && args?["attempt"] as? Int == attempt
            }
            let microseconds = (end["seconds"] as! Double) * 1_000_000
            #expect(matching.contains { abs((($0["dur"] as! NSNumber).doubleValue) - microseconds) <= 1 }, "\(id) attempt \(attempt): no span of \(microseconds) µs", sourceLocation: sourceLocation)
        }
    }

    static let manifest = #"""
        {"tickets": [
          {"id": "a", "run": "sleep 0.05"},
          {"id": "b", "run": "sleep 0.15", "dependsOn": ["a"]},
          {"id": "c", "run": "sleep 0.02; test -e flag || { touch flag; exit 1; }", "retries": 1, "dependsOn": ["a"]},
          {"id": "d", "run": "sleep 0.05", "dependsOn": ["b", "c"]},
          {"id": "e", "run": "true"}
        ]}
        """#

    @Test func aRunWithARetryTracesEveryAttemptOnItsWorkersLane() throws {
        let dir = try CLITests.directory(["tickets.json": Self.manifest])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLITests.run(["-q", "-j2", "--retry-delay", "0"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let traced = try CLITests.run(["trace", "-o", "run.json"], in: dir)
        #expect(traced.status == 0 && traced.stdout.isEmpty, "\(traced.stderr)")
        #expect(traced.stderr.contains("wrote the trace of run"))
        let (events, other) = try Self.events(try String(contentsOf: dir.appendingPathComponent("run.json"), encoding: .utf8))
        Self.checkFormat(events)
        let journal = try Self.journal(dir)
        let runID = try #require(journal.first { $0["type"] as? String == "run" }?["run"] as? String)
        Self.checkAgainstJournal(events, journal: journal, runs: [runID])
        #expect(events.contains { $0["ph"] as? String == "i" && $0["cat"] as? String == "retry" && $0["name"] as? String == "retry c" })
        #expect(events.contains { $0["name"] as? String == "c (attempt 2)" })
        // The critical path as it ran: a -> b -> d (b is slower than c's two attempts).
        #expect(other["criticalPath"] as? [String] == ["a", "b", "d"])
        let flagged = Set(events.filter { ($0["cat"] as? String ?? "").contains("critical-path") }.compactMap { ($0["args"] as? [String: Any])?["id"] as? String })
        #expect(flagged == ["a", "b", "d"])
        // Without -o, the same trace on standard output.
        let printed = try CLITests.run(["trace"], in: dir)
        #expect(printed.status == 0)
        #expect(try Self.events(printed.stdout).events.count == events.count)
    }

    @Test func aResumedRunTracesEachRunOfTheChainAsAProcess() throws {
        let dir = try CLITests.directory(["tickets.json": #"{"tickets": [{"id": "a", "run": "true"}, {"id": "b", "run": "test -e flag", "dependsOn": ["a"]}]}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run(["-q"], in: dir).status == 1)
        try Data().write(to: dir.appendingPathComponent("flag"))
        #expect(try CLITests.run(["-q", "--resume"], in: dir).status == 0)
        let traced = try CLITests.run(["trace"], in: dir)
        let (events, other) = try Self.events(traced.stdout)
        Self.checkFormat(events)
        #expect((other["runs"] as? [String])?.count == 2)
        #expect(events.filter { $0["name"] as? String == "process_name" }.count == 2)
        let spans = events.filter { $0["ph"] as? String == "X" }
        #expect(spans.map { $0["name"] as! String }.sorted() == ["a", "b", "b"], "a once, b in both runs")
    }

    @Test func nothingToTraceOrNowhereToWriteItFails() throws {
        let dir = try CLITests.directory(["tickets.json": Self.manifest])
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try CLITests.run(["trace"], in: dir)
        #expect(none.status == 1 && none.stdout.isEmpty)
        #expect(none.stderr.contains("no run of tickets.json"))
        #expect(try CLITests.run(["-q", "-j2", "--retry-delay", "0"], in: dir).status == 0)
        let unwritable = try CLITests.run(["trace", "-o", "missing/dir/run.json"], in: dir)
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.contains("cannot write trace"), "\(unwritable.stderr)")
        let misplaced = try CLITests.run(["-o", "x.json"], in: dir)
        #expect(misplaced.status == 2 && misplaced.stderr.contains("belongs to 'parrun trace'"))
    }

    @Test func landingsVerifyGatesAndUnfinishedAttemptsAreMarked() throws {
        let graph = try validGraph(#"{"tickets": [{"id": "x", "run": "true"}, {"id": "y", "run": "true", "dependsOn": ["x"]}]}"#)
        let owner = ProcessIdentity(pid: 7, startTicks: 1, host: "h")
        let records: [JournalRecord] = [
            .header,
            .run(.init(run: "r1", manifest: "/m", manifestHash: "h", jobs: 2, owner: owner, time: 100, resumes: nil, joined: false)),
            .start(.init(run: "r1", id: "x", attempt: 1, recipe: "", process: owner, owner: owner, worker: 0, time: 100.5)),
            .verify(.init(run: "r1", id: "x", attempt: 1, passed: true, exitCode: 0, time: 101.2)),
            .landing(.init(run: "r1", id: "x", branch: "main", base: "b0", landed: "c1", time: 101.4)),
            .end(.init(run: "r1", id: "x", attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 0.5, time: 101.5)),
            .start(.init(run: "r1", id: "y", attempt: 1, recipe: "", process: owner, owner: owner, worker: 1, time: 102)),
        ]
        let text = RunTrace(graph: graph, records: records, chain: ["r1"]).render()
        let (events, _) = try Self.events(text)
        Self.checkFormat(events)
        let landing = try #require(events.first { $0["cat"] as? String == "landing" })
        #expect(landing["name"] as? String == "landed x" && (landing["ts"] as? NSNumber)?.doubleValue == 1_400_000)
        #expect(events.contains { $0["cat"] as? String == "verify" && $0["name"] as? String == "verify x passed" })
        let x = try #require(events.first { $0["name"] as? String == "x" })
        #expect((x["ts"] as? NSNumber)?.doubleValue == 500_000 && (x["dur"] as? NSNumber)?.doubleValue == 500_000)
        // y never ended: it lasts until the last record the journal has (its own start), status "unfinished".
        let y = try #require(events.first { $0["name"] as? String == "y" })
        #expect((y["args"] as? [String: Any])?["status"] as? String == "unfinished")
        #expect(x["tid"] as? Int != y["tid"] as? Int, "workers 0 and 1 are two lanes")
    }
}

/// `--graph`: reverse edges in JSON, the critical path highlighted in DOT and Mermaid.
@Suite struct GraphHighlightTests {
    static func plan() throws -> Plan {
        let graph = try validGraph(#"{"tickets": [{"id": "a"}, {"id": "b", "dependsOn": ["a"], "run": "x"}, {"id": "c", "dependsOn": ["a"]}, {"id": "d", "dependsOn": ["b", "c"], "run": "y"}]}"#)
        return Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: nil, environment: nil, manifest: nil, cores: 1, ticketsToRun: 4),
                    weights: [1, 5, 1, 1])
    }

    @Test func jsonHasDependents() throws {
        let json = GraphFormat.json.render(try Self.plan(), manifestName: "m")
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let tickets = object["tickets"] as! [[String: Any]]
        #expect(tickets.map { $0["dependents"] as! [String] } == [["b", "c"], ["d"], ["d"], []])
        #expect(object["criticalPath"] as? [String] == ["a", "b", "d"])
    }

    @Test func dotDrawsTheCriticalPathRed() throws {
        let dot = GraphFormat.dot.render(try Self.plan(), manifestName: "m")
        #expect(dot.contains("\"a\" -> \"b\" [color=red3, penwidth=2];"))
        #expect(dot.contains("\"b\" -> \"d\" [color=red3, penwidth=2];"))
        #expect(dot.contains("\"a\" -> \"c\";"), "off the path: plain")
        #expect(dot.contains("\"d\" [label=\"d\", color=red3, penwidth=2];"))
    }

    @Test func mermaidClassesAndLinkStylesTheCriticalPath() throws {
        let mermaid = GraphFormat.mermaid.render(try Self.plan(), manifestName: "m")
        #expect(mermaid.contains("  class t0,t1,t3 critical\n"))
        // Edges in order: a->b (0), a->c (1), b->d (2), c->d (3).
        #expect(mermaid.contains("  linkStyle 0,2 stroke:#c00,stroke-width:3px\n"))
    }
}
