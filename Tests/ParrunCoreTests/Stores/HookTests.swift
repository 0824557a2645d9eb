import Foundation
import Glibc
import Testing
@testable import ParrunModel
@testable import ParrunSupport

/// `on` hooks: run beside the run with templates filled in, stopped after
/// their timeout, and their failures warned about and journalled.
@Suite(.serialized) struct HookTests {
    @Test func hooksGetTheirTemplatesAndAHungOrFailingHookNeverHoldsUpTheRun() throws {
        let manifest = #"""
            {"on": {"start": "echo start {{id}} {{status}} >> events.txt",
                    "success": "echo success {{id}} {{title}} {{status}} {{log}} {{run}} >> events.txt",
                    "failure": ["echo failure {{id}} {{status}} >> events.txt", "exit 7"],
                    "end": "echo end {{status}} {{run}} >> events.txt; echo $$ > hung.pid; exec sleep 300",
                    "timeout": "1s"},
             "tickets": [
               {"id": "a", "title": "It's A", "run": "true"},
               {"id": "b", "dependsOn": ["a"], "run": "exit 2"}
             ]}
            """#
        let directory = try CLITests.directory(["tickets.json": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let began = Date()
        let run = try CLITests.run(["-q"], in: directory)
        let seconds = Date().timeIntervalSince(began)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(seconds < 4, "the hung end hook is stopped after 1s: \(seconds)")
        let runID = try #require(try journalRecords(directory, type: "run").first?["run"] as? String)
        let events = try String(contentsOf: directory.appendingPathComponent("events.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Set(events) == [
            "start a started", "success a It's A succeeded .parrun/logs/a.log \(runID)",
            "start b started", "failure b failed", "end failed \(runID)",
        ], "\(events)")
        #expect(events.last == "end failed \(runID)")
        // The failing hook and the hung one: a warning each, and a journal record each.
        #expect(run.stderr.contains("warning: the failure hook for b failed: exited 7"), "\(run.stderr)")
        #expect(run.stderr.contains("warning: the end hook failed: timed out after 1s and was stopped"), "\(run.stderr)")
        let hooks = try journalRecords(directory, type: "hook")
        #expect(hooks.map { "\($0["event"]!) \($0["id"] as? String ?? "-")" }.sorted() == ["end -", "failure b"])
        let pid = try #require(Int32(try String(contentsOf: directory.appendingPathComponent("hung.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "the hung hook was stopped")
    }

    @Test func aHungStartHookLeavesTheTicketsRunning() throws {
        let manifest = "on start = sleep 300\non timeout = 1s\n\na:\n    sleep 0.3\nb: a\n    sleep 0.3\n"
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let wall = try #require(run.stderr.range(of: #"2 succeeded in \d+ms"#, options: .regularExpression))
        #expect(Int(run.stderr[wall].dropFirst("2 succeeded in ".count).dropLast(2))! < 1000, "the tickets did not wait for the hooks: \(run.stderr)")
        #expect(run.stderr.components(separatedBy: "warning: the start hook for").count == 3, "\(run.stderr)")
    }

    @Test func anUnknownEventIsAnErrorWithASuggestion() {
        let (_, problems) = check(#"{"on": {"sucess": "true"}, "tickets": [{"id": "a", "run": "true"}]}"#)
        #expect(problems == ["1:9: error: `on` has no event `sucess`"], "\(problems)")
        let text = check("on finish = true\n\na:\n    true\n")
        #expect(text.problems == ["1:4: error: `on` has no event `finish`"], "\(text.problems)")
    }

    @Test func hooksAreReadFromBothFormats() throws {
        let json = ManifestReader.read(SourceFile(name: "m", text: #"{"on": {"success": ["a", "b"], "timeout": "2m"}, "tickets": []}"#)).manifest
        #expect(json?.settings.hooks == Hooks(commands: [.success: "a\nb"], timeoutSeconds: 120))
        let text = ManifestReader.read(SourceFile(name: "m", text: "on failure = notify {{id}}\non end = echo done\n")).manifest
        #expect(text?.settings.hooks == Hooks(commands: [.failure: "notify {{id}}", .end: "echo done"]))
    }
}
