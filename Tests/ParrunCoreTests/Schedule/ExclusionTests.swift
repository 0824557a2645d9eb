import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// `touches`: tickets whose declared paths may overlap never run at once.
@Suite struct ExclusionTests {
    @Test(arguments: [
        ("src/a.swift", "src/a.swift", true), ("src/a.swift", "src/b.swift", false),
        ("src/**", "src/parser/x.swift", true), ("src/*.swift", "src/parser/x.swift", false),
        ("src/", "src/deep/file", true), ("docs/**", "src/**", false), ("**/*.md", "docs/guide/intro.md", true),
        ("src/*.swift", "src/*.md", false), ("src/a*.swift", "src/*b.swift", true), ("Sources/[A-M]*", "Sources/Parser", false),
        ("Sources/[A-M]*", "Sources/Lexer", true), ("**", "anything/at/all", true),
    ])
    func globsOverlapWhenSomePathMatchesBoth(first: String, second: String, overlap: Bool) {
        #expect(PathGlob.mayOverlap(first, second) == overlap)
        #expect(PathGlob.mayOverlap(second, first) == overlap, "symmetric")
    }

    @Test func pathsMatchPatterns() {
        #expect(PathGlob.matches("src/**/*.swift", "src/a/b/c.swift"))
        #expect(PathGlob.matches("src/**/*.swift", "src/c.swift"))
        #expect(!PathGlob.matches("src/*.swift", "src/a/c.swift"))
        #expect(PathGlob.matches("docs/", "docs/x/y.md"))
        #expect(PathGlob.matches("file?.txt", "file1.txt"))
        #expect(!PathGlob.matches("file[!0-9].txt", "file1.txt"))
    }

    private func plan(_ text: String, jobs: Int = 4) throws -> Plan {
        let graph = try validGraph(text)
        return Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 4, ticketsToRun: 4))
    }

    @Test func theSchedulerPicksAnotherReadyTicketInstead() throws {
        let plan = try plan(#"""
            {"tickets": [
              {"id": "parser", "run": "true", "touches": ["src/parser/**"], "priority": 0},
              {"id": "lexer", "run": "true", "touches": "src/**", "priority": 1},
              {"id": "docs", "run": "true", "touches": ["docs/**"], "priority": 2},
              {"id": "free", "run": "true", "priority": 3}
            ]}
            """#)
        var scheduler = Scheduler(plan: plan)
        let first = scheduler.start().map { plan.graph.tickets[$0.ticket].id }
        #expect(first == ["parser", "docs", "free"], "lexer waits for parser; the others go")
        scheduler.succeeded(0)
        #expect(scheduler.start().map { plan.graph.tickets[$0.ticket].id } == ["lexer"])
        let text = PlanPrinter(plan: plan, manifestName: "m").dryRun()
        #expect(text.contains("never at the same time (their touches overlap):\n  parser and lexer  (src/parser/** ~ src/**)\n"), "\(text)")
        let (_, problems) = check(#"{"tickets": [{"id": "a", "run": "true", "touches": 3}]}"#)
        #expect(problems == ["1:52: error: `touches` of ticket 'a' must be a list of path patterns (or one string, comma-separated), found a number"])
    }

    @Test(.timeLimit(.minutes(4)))
    func overlappingTicketsNeverRunConcurrently() throws {
        // Each ticket logs its start and end with a timestamp; the overlapping ones must not interleave.
        let step = "echo \"$PARRUN_TICKET_ID start $(date +%s%N)\" >> ../times.txt; sleep 0.3; echo \"$PARRUN_TICKET_ID end $(date +%s%N)\" >> ../times.txt"
        let manifest = #"{"tickets": ["#
            + ["a", "b", "c"].map { #"{"id": "\#($0)", "run": "\#(step.replacingOccurrences(of: "\"", with: "\\\""))", "touches": ["shared/**"]}"# }.joined(separator: ",")
            + #", {"id": "d", "run": "\#(step.replacingOccurrences(of: "\"", with: "\\\""))", "touches": ["other/**"]}]}"#
        let directory = try CLITests.directory(["work/tickets.json": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j4", "work/tickets.json"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = try String(contentsOf: directory.appendingPathComponent("times.txt"), encoding: .utf8).split(separator: "\n")
        var intervals: [String: (start: Int, end: Int)] = [:]
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let time = Int(parts[2]) else { continue }
            var interval = intervals[String(parts[0]), default: (0, 0)]
            if parts[1] == "start" { interval.start = time } else { interval.end = time }
            intervals[String(parts[0])] = interval
        }
        let shared = ["a", "b", "c"].compactMap { intervals[$0] }.sorted { $0.start < $1.start }
        #expect(shared.count == 3)
        for (earlier, later) in zip(shared, shared.dropFirst()) {
            #expect(earlier.end <= later.start, "overlapping touches ran at the same time: \(intervals)")
        }
        let d = try #require(intervals["d"])
        #expect(shared.contains { $0.start < d.end && d.start < $0.end }, "d, touching other paths, ran beside one of them")
    }
}
