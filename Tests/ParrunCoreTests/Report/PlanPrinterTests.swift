import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel

@Suite struct PlanPrinterTests {
    private let manifest = """
        {"jobs": 2, "tickets": [
          {"id": "setup", "title": "Prepare", "run": "mkdir -p out"},
          {"id": "docs", "status": "done"},
          {"id": "lint", "dependsOn": ["setup"], "run": "true", "priority": 1},
          {"id": "build", "dependsOn": ["setup", "docs"], "run": "make"},
          {"id": "review", "dependsOn": ["build", "lint"], "prompt": "Review \\"it\\"", "title": "Review the build"}
        ]}
        """

    private func plan(jobs: JobsRequest? = nil) throws -> Plan {
        let graph = try validGraph(manifest)
        let runs = Plan.freshRunMask(graph)
        let count = JobCount.resolve(commandLine: jobs, environment: nil, manifest: .count(2), cores: 4, ticketsToRun: runs.filter { $0 }.count)
        return Plan(graph: graph, runs: runs, jobs: count)
    }

    @Test func dryRunListsWavesDoneTicketsCriticalPathCountsAndJobs() throws {
        #expect(PlanPrinter(plan: try plan(), manifestName: "tickets.json").dryRun() == """
            Plan for tickets.json: 4 of 5 tickets to run

            wave 1 (1 ticket)
              setup   shell   prio 0   # Prepare

            wave 2 (2 tickets)
              build   shell   prio 0   after setup, docs
              lint    shell   prio 1   after setup

            wave 3 (1 ticket)
              review  prompt  prio 0   after build, lint  # Review the build

            already done (1): docs

            critical path (3 tickets): setup -> lint -> review
            tickets 5 (4 to run, 1 done)  edges 5  waves 3  widest wave 2 (wave 2)  critical path 3
            jobs 2 (manifest jobs = 2)
            agents 3 at once, apart from jobs (default; set with --agents N or pool claude = N)

            """)
    }

    @Test func summaryIsOnlyTheCounts() throws {
        #expect(PlanPrinter(plan: try plan(jobs: .auto), manifestName: "m").summary() == """
            tickets 5 (4 to run, 1 done)  edges 5  waves 3  widest wave 2 (wave 2)  critical path 3
            jobs 2 (-j auto: 4 cores / 2 = 2, clamped to 1..8)
            agents 3 at once, apart from jobs (default; set with --agents N or pool claude = N)

            """)
    }

    @Test func graphJSONFollowsTheDocumentedSchema() throws {
        let text = GraphFormat.json.render(try plan(), manifestName: "tickets.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "parrun-graph")
        #expect(object["version"] as? Int == 1)
        #expect(object["manifest"] as? String == "tickets.json")
        let jobs = try #require(object["jobs"] as? [String: Any])
        #expect(jobs["value"] as? Int == 2 && jobs["source"] as? String == "manifest")
        let counts = try #require(object["counts"] as? [String: Int])
        #expect(counts == ["tickets": 5, "toRun": 4, "done": 1, "edges": 5, "waves": 3, "widestWave": 2, "criticalPath": 3, "heldBack": 0])
        let tickets = try #require(object["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["id"] as? String } == ["setup", "docs", "lint", "build", "review"])
        let review = tickets[4]
        #expect(review["recipe"] as? String == "prompt")
        #expect(review["dependsOn"] as? [String] == ["build", "lint"])
        #expect(review["wave"] as? Int == 3)
        #expect(review["runs"] as? Bool == true)
        #expect(tickets[1]["runs"] as? Bool == false)
        #expect(tickets[1]["wave"] is NSNull)
        #expect(tickets[1]["status"] as? String == "done")
        #expect(object["waves"] as? [[String]] == [["setup"], ["lint", "build"], ["review"]])
        #expect(object["criticalPath"] as? [String] == ["setup", "lint", "review"], "equal paths: the dependent first in the manifest wins")
    }

    @Test func dotHasANodePerTicketAndAnEdgePerDependency() throws {
        let dot = GraphFormat.dot.render(try plan(), manifestName: "m")
        #expect(dot.hasPrefix("digraph parrun {\n"))
        #expect(dot.contains("  \"review\" [label=\"review\\nReview the build\", shape=note, color=red3, penwidth=2];\n"), "on the critical path")
        #expect(dot.contains("  \"docs\" [label=\"docs\", style=\"rounded,dashed\", color=gray50, fontcolor=gray50];\n"))
        #expect(dot.components(separatedBy: " -> ").count - 1 == 5)
        #expect(dot.contains("  \"setup\" -> \"build\";\n"))
    }

    @Test func dotRendersWithGraphviz() throws {
        guard let dotPath = ["/usr/bin/dot", "/usr/local/bin/dot"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            print("skipped: Graphviz `dot` is not installed (apt-get install graphviz); .ci/run installs it")
            return
        }
        // Titles with quotes, backslashes and line breaks must not break the DOT syntax.
        let graph = try validGraph(#"[{"id": "a", "title": "say \"hi\" \\ and\nmore"}, {"id": "b-1.x", "dependsOn": ["a"]}]"#)
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: nil, environment: nil, manifest: nil, cores: 1, ticketsToRun: 2))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: dotPath)
        process.arguments = ["-Tsvg"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(GraphFormat.dot.render(plan, manifestName: "m").utf8))
        try input.fileHandleForWriting.close()
        let svg = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(svg)")
        #expect(svg.contains("<svg"))
        #expect(svg.contains("b&#45;1.x") || svg.contains("b-1.x"))
    }

    @Test func mermaidUsesSafeNodeNamesAndEscapedLabels() throws {
        let mermaid = GraphFormat.mermaid.render(try plan(), manifestName: "m")
        #expect(mermaid.hasPrefix("flowchart LR\n"))
        #expect(mermaid.contains("  t0[\"setup<br/>Prepare\"]\n"))
        #expect(mermaid.contains("  t4([\"review<br/>Review the build\"])\n"))
        #expect(mermaid.contains("  t0 --> t3\n"))
        #expect(mermaid.contains("  class t1 done\n"))
    }
}
