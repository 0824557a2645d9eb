import Foundation
import Testing
@testable import ParrunCLI
@testable import ParrunCore

/// Without a manifest argument parrun finds one, its own formats first, then other tools' stores.
@Suite struct StoresLookupTests {
    @Test func theDefaultNamesAreTriedInOrder() {
        #expect(ManifestLocator.defaultNames == ["tickets.json", "Parrunfile", ".beads/issues.jsonl", ".sage/tickets/index.json", ".specs/tasks/tasks.json"])
    }

    @Test func theFirstDefaultThatExistsIsTheManifest() throws {
        // Each file holds one ticket named for the file, so the plan shows which was read.
        let files = [
            "tickets.json": #"{"tickets": [{"id": "from-tickets-json"}]}"#,
            "Parrunfile": "from-parrunfile:\n",
            ".beads/issues.jsonl": #"{"id": "from-beads", "status": "open", "issue_type": "task"}"# + "\n",
            ".sage/tickets/index.json": #"{"version": 1, "tickets": [{"id": "from-sage", "state": "UNPROCESSED", "priority": "P1"}]}"#,
            ".specs/tasks/tasks.json": #"{"tasks": [{"id": "from-specs", "status": "pending", "priority": "low"}]}"#,
        ]
        let directory = try CLITests.directory(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let expected = [
            ("tickets.json", "from-tickets-json"), ("Parrunfile", "from-parrunfile"), (".beads/issues.jsonl", "from-beads"),
            (".sage/tickets/index.json", "from-sage"), (".specs/tasks/tasks.json", "from-specs"),
        ]
        for (name, ticket) in expected {
            let plan = try CLITests.run(["-n"], in: directory)
            #expect(plan.status == 0, "\(name): \(plan.stderr)")
            #expect(plan.stdout.hasPrefix("Plan for \(name): 1 of 1 ticket to run"), "\(plan.stdout)")
            #expect(plan.stdout.contains("  \(ticket) "), "\(plan.stdout)")
            try FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        let none = try CLITests.run(["-n"], in: directory)
        #expect(none.status != 0)
        #expect(none.stderr.contains(".beads/issues.jsonl"), "the error lists every name tried: \(none.stderr)")
    }

    @Test func bdListJSONCanBePipedIn() throws {
        let printed = "[" + [beadsIssue("bd-1", priority: 1), beadsIssue("bd-2", status: "blocked"), beadsIssue("bd-3", links: [("bd-2", "blocks")])].joined(separator: ",") + "]"
        let plan = try CLITests.run(["-n", "-"], stdin: Data(printed.utf8))
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.hasPrefix("Plan for <stdin>: 1 of 3 tickets to run"), "\(plan.stdout)")
        #expect(plan.stdout.contains("held back, not run (2):\n  bd-2  status blocked\n  bd-3  depends on bd-2 (status blocked)\n"), "\(plan.stdout)")
    }

    @Test(arguments: [(["-q", "./.beads/./issues.jsonl"], ""), (["-q", "issues.jsonl"], ".beads"), (["-q", "../.beads/issues.jsonl"], "sub")])
    func aStoreBelongsToItsProjectHoweverItsPathIsSpelt(arguments: [String], from folder: String) throws {
        let directory = try CLITests.directory([".beads/issues.jsonl": beadsIssue("bd-1") + "\n", "sub/keep": ""])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(arguments, in: folder.isEmpty ? directory : directory.appendingPathComponent(folder))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/journal.jsonl").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".beads/.parrun").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("sub/.parrun").path))
    }

    @Test func aTaskFileRunsItsTicketsInTheProjectWhenReadFromInsideItsFolder() throws {
        let directory = try CLITests.directory([".specs/tasks/tasks.json": #"{"tasks": [{"id": "t", "status": "pending", "run": "pwd > where.txt"}]}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q", "tasks/tasks.json"], in: directory.appendingPathComponent(".specs"))
        #expect(run.status == 0, "\(run.stderr)")
        let place = try String(contentsOf: directory.appendingPathComponent("where.txt"), encoding: .utf8)
        #expect(place.trimmingCharacters(in: .whitespacesAndNewlines) == directory.resolvingSymlinksInPath().path)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".specs/tasks/.parrun").path))
    }
}
