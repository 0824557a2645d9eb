import Foundation
import Testing

/// Targets, `--label`, `--limit` and estimates through the real binary, on a
/// 60-ticket graph whose recipes leave a file per ticket: the files say exactly what ran.
@Suite(.serialized) struct TargetsCLITests {
    typealias Project = TicketSelectionTests.Project

    /// A project directory with the manifest and an empty `ran` folder; each recipe appends a line to ran/ID.
    private func project(seed: UInt64 = 5, recipe: ((String) -> String)? = nil) throws -> (Project, URL) {
        let project = Project(seed: seed, recipe: recipe ?? { "echo x >> ran/\($0)" })
        let directory = try CLITests.directory(["tickets.json": project.json, "ran/.keep": ""])
        return (project, directory)
    }

    /// Ticket ids that ran, with how often each did.
    private func ran(_ directory: URL) throws -> [String: Int] {
        let folder = directory.appendingPathComponent("ran")
        var counts: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != ".keep" {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            counts[name] = text.split(separator: "\n").count
        }
        return counts
    }

    private func clear(_ directory: URL) throws {
        let folder = directory.appendingPathComponent("ran")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != ".keep" {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }

    /// What a selection should run: the closure, less what is done, less groups (no recipe, no file).
    private func expected(_ project: Project, roots: [String]) -> Set<String> {
        project.closure(roots).subtracting(project.done).subtracting(project.groups)
    }

    @Test func targetsAndLabelsRunExactlyTheChosenTicketsAndWhatTheyNeed() throws {
        let (project, directory) = try project()
        defer { try? FileManager.default.removeItem(at: directory) }

        let targets = try CLITests.run(["-j4", "t59", "t41", "t23"], in: directory)
        #expect(targets.status == 0, "\(targets.stderr)")
        #expect(Set(try ran(directory).keys) == expected(project, roots: ["t59", "t41", "t23"]))
        #expect(try ran(directory).values.allSatisfy { $0 == 1 })
        #expect(targets.stderr.contains("of 60 tickets to run (targets t59, t41, t23, with what they depend on)"), "\(targets.stderr)")

        try clear(directory)
        let labelled = try CLITests.run(["-j4", "--label", "db", "--label", "fast"], in: directory)
        #expect(labelled.status == 0, "\(labelled.stderr)")
        #expect(Set(try ran(directory).keys) == expected(project, roots: project.labelled(["db", "fast"])))

        // -f names the manifest, so every operand is a target; a manifest operand that exists is one too.
        for arguments in [["-f", "tickets.json", "t30"], ["tickets.json", "t30"], ["t30", "-f", "tickets.json"]] {
            try clear(directory)
            let outcome = try CLITests.run(arguments, in: directory)
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(Set(try ran(directory).keys) == expected(project, roots: ["t30"]), "\(arguments)")
        }
    }

    @Test func aRunWithTargetsKeepsTheRecordsOfTheTicketsItDidNotChoose() throws {
        let (project, directory) = try project(seed: 6)
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try CLITests.run(["-j4"], in: directory)
        #expect(full.status == 0, "\(full.stderr)")
        try clear(directory)

        let targeted = try CLITests.run(["-j4", "t30"], in: directory)
        #expect(targeted.status == 0, "\(targeted.stderr)")
        #expect(Set(try ran(directory).keys) == expected(project, roots: ["t30"]))
        let journal = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
        #expect(journal.components(separatedBy: "\"type\":\"run\"").count - 1 == 2, "the full run's records are kept")

        let status = try CLITests.run(["status"], in: directory)
        #expect(status.stdout.contains(": finished\n"), "\(status.stdout)")
        #expect(!status.stdout.contains(" pending "), "\(status.stdout)")

        // Everything succeeded in one run or the other: nothing is left to resume.
        try clear(directory)
        let resumed = try CLITests.run(["--resume", "-j4"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try ran(directory).isEmpty, "\(resumed.stderr)")
    }

    @Test func dryRunAndGraphHonourTargetsAndSayWhyEachTicketWasChosen() throws {
        let (project, directory) = try project()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dry = try CLITests.run(["-n", "t59"], in: directory)
        #expect(dry.status == 0, "\(dry.stderr)")
        let toRun = project.closure(["t59"]).subtracting(project.done)
        #expect(dry.stdout.hasPrefix("Plan for tickets.json: \(toRun.count) of 60 tickets to run\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("chosen (targets t59): why each ticket runs\n"))
        let notChosen = Set(project.ids).subtracting(project.closure(["t59"])).subtracting(project.done).count
        #expect(dry.stdout.contains("tickets 60 (\(toRun.count) to run, \(60 - toRun.count - notChosen) done, \(notChosen) not chosen)"), "\(dry.stdout)")
        #expect(dry.stdout.range(of: #"\n  t59 +target\n"#, options: .regularExpression) != nil, "\(dry.stdout)")
        #expect(dry.stdout.contains("dependency of "))
        #expect(try ran(directory).isEmpty, "-n runs nothing")

        let graph = try CLITests.run(["--graph", "json", "t59"], in: directory)
        #expect(graph.status == 0, "\(graph.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(graph.stdout.utf8)) as? [String: Any]
        let ids = (json?["tickets"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(Set(ids) == project.closure(["t59"]), "the graph draws the target and everything it depends on")
    }

    @Test func anUnknownTargetIsExitTwoWithTheNearestIdsAndRunsNothing() throws {
        let (_, directory) = try project()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["t3", "t5x"], in: directory)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("parrun: error: no ticket 't5x' (did you mean 't5', 't50' or 't51'?) in tickets.json"), "\(outcome.stderr)")
        #expect(try ran(directory).isEmpty)

        let file = try CLITests.run(["tickets.jsn"], in: directory)
        #expect(file.status == 2)
        #expect(file.stderr.contains("to name a manifest, give it as ./FILE or -f FILE"), "\(file.stderr)")

        let empty = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try CLITests.run(["build"], in: empty)
        #expect(none.status == 2)
        #expect(none.stderr.contains("no manifest: 'build' is not a file here, so it was read as a ticket id"), "\(none.stderr)")
    }

    @Test func aLabelNoTicketCarriesAndBadLimitsAreUsageErrors() throws {
        let (_, directory) = try project()
        defer { try? FileManager.default.removeItem(at: directory) }
        let label = try CLITests.run(["--label", "dbb"], in: directory)
        #expect(label.status == 2)
        #expect(label.stderr.contains("no ticket in tickets.json carries label 'dbb'; labels in use: db, fast, slow, ui; did you mean 'db'?"), "\(label.stderr)")
        for bad in ["0", "-1", "x", "1.5", ""] {
            let outcome = try CLITests.run(["--limit", bad], in: directory)
            #expect(outcome.status == 2, "--limit '\(bad)'")
            #expect(outcome.stderr.contains("for '--limit': expected a whole number of at least 1"), "\(outcome.stderr)")
        }
        #expect(try ran(directory).isEmpty)
    }

    @Test func limitStartsAtMostNTicketsAndTheNextRunsTakeTheRestOnce() throws {
        let (project, directory) = try project(seed: 9)
        defer { try? FileManager.default.removeItem(at: directory) }
        let all = Set(project.ids).subtracting(project.done).subtracting(project.groups)

        let dry = try CLITests.run(["-n", "--limit", "10"], in: directory)
        #expect(dry.stdout.contains("chosen (--limit 10): why each ticket runs\n"), "\(dry.stdout)")
        #expect(dry.stdout.range(of: #"\npending, beyond --limit 10 \(\d+\), left for the next run: t"#, options: .regularExpression) != nil, "\(dry.stdout)")
        #expect(try ran(directory).isEmpty)

        let first = try CLITests.run(["-j3", "--limit", "10"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        let afterFirst = try ran(directory)
        #expect(afterFirst.count == 10)
        #expect(first.stderr.range(of: #"parrun: 10 succeeded, \d+ pending \(--limit\) in "#, options: .regularExpression) != nil, "\(first.stderr)")
        #expect(first.stderr.contains("beyond --limit 10, left for the next run; parrun --resume -j3 --limit 10 starts the next 10"), "\(first.stderr)")

        let status = try CLITests.run(["status"], in: directory)
        #expect(status.stdout.range(of: #"not finished: \d+ pending beyond --limit 10; `parrun --resume --limit 10` starts the next 10, `parrun --resume` all\n"#, options: .regularExpression) != nil, "\(status.stdout)")
        #expect(status.stdout.contains(" pending "), "\(status.stdout)")
        #expect(try CLITests.run(["status", "--json"], in: directory).stdout.contains("\"live\":false,\"limit\":10,"))

        let second = try CLITests.run(["--resume", "-j3", "--limit", "10", "--json"], in: directory)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.range(of: #""event": "run-end".*"pending": \d+"#, options: .regularExpression) != nil, "\(second.stdout)")
        let afterSecond = try ran(directory)
        #expect(afterSecond.count == 20)
        #expect(afterSecond.values.allSatisfy { $0 == 1 }, "nothing ran twice")

        let rest = try CLITests.run(["--resume", "-j3"], in: directory)
        #expect(rest.status == 0, "\(rest.stderr)")
        let final = try ran(directory)
        #expect(Set(final.keys) == all)
        #expect(final.values.allSatisfy { $0 == 1 }, "each ticket ran once over the three invocations")
    }

    @Test func theEstimateCountsWhatPromptTicketsCostLastTime() throws {
        // Each fake agent reports $0.0125 and 1,160 tokens.
        let tickets = (1...3).map { #"{"id": "p\#($0)", "prompt": "write p\#($0)"}"# } + [#"{"id": "p4", "prompt": "new"}"#, #"{"id": "sh", "run": "true"}"#]
        let manifest = #"{"claude": ""# + PromptTicketTests.fake + #"", "tickets": ["# + tickets.joined(separator: ", ") + "]}"
        let directory = try CLITests.directory(["tickets.json": manifest, "calls/.keep": ""])
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["FAKE_CLAUDE_DIR": directory.appendingPathComponent("calls").path]
        let first = try CLITests.run(["-q", "p1", "p2", "p3", "sh"], in: directory, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")

        let dry = try CLITests.run(["-n"], in: directory, environment: environment)
        #expect(dry.stdout.contains("from the last successful runs of 4 of 5 tickets; 1 has no history"), "\(dry.stdout)")
        #expect(dry.stdout.contains("  agents: $0.0375, 3.5k tokens expected (from 3 of 4 prompt tickets; 1 without history, not counted)\n"), "\(dry.stdout)")

        let second = try CLITests.run(["-q", "p1", "p2", "p3"], in: directory, environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("  agents: $0.0375 expected, $0.0375 spent\n"), "\(second.stderr)")
    }

    @Test func theEstimateOfASecondRunIsWithinFifteenPercentOfItsWallTime() throws {
        var state: UInt64 = 42
        func sleep(_ id: String) -> String {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let hundredths = 5 + Int((state >> 33) % 16)
            return "sleep 0.\(hundredths < 10 ? "0" : "")\(hundredths)"
        }
        let (_, directory) = try project(seed: 21, recipe: sleep)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try CLITests.run(["-j4"], in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stderr.contains("estimate:"), "a first run has no history")

        let dry = try CLITests.run(["-n", "-j4"], in: directory)
        #expect(dry.stdout.contains("estimate at -j4: "), "\(dry.stdout)")
        #expect(dry.stdout.contains("from the last successful runs of "), "\(dry.stdout)")

        let second = try CLITests.run(["-j4"], in: directory)
        #expect(second.status == 0, "\(second.stderr)")
        let line = try #require(second.stderr.split(separator: "\n").first { $0.hasPrefix("  estimate: ") }, "\(second.stderr)")
        var percent = 0
        if let match = line.range(of: #"\((\d+)% (over|under)\)"#, options: .regularExpression) {
            percent = Int(line[match].dropFirst().prefix { $0.isNumber }) ?? 1000
        } else {
            #expect(line.contains("(as estimated)"), "\(line)")
        }
        #expect(percent <= 15, "\(line)")
    }
}
