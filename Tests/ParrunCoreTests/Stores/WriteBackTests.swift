import Foundation
import Glibc
import Testing
@testable import ParrunModel

/// A `bd` that records how it was called (its directory and arguments) and
/// then runs `body`, first on PATH.
struct FakeBD {
    let bin: URL
    let log: URL

    init(in root: URL, body: String = "exit 0") throws {
        bin = root.appendingPathComponent("fake-bin")
        log = root.appendingPathComponent("bd-calls.log")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let script = bin.appendingPathComponent("bd")
        try Data("#!/bin/sh\n{ printf '%s\\037' \"$PWD\" \"$@\"; printf '\\036'; } >> '\(log.path)'\n\(body)\n".utf8).write(to: script)
        chmod(script.path, 0o755)
    }

    var environment: [String: String] { ["PATH": bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")] }

    /// Each call: the directory it ran in, and its arguments.
    func calls() -> [(directory: String, arguments: [String])] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return text.split(separator: "\u{1E}").map { call in
            let parts = call.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init).dropLast()
            return (parts.first ?? "", Array(parts.dropFirst()))
        }
    }
}

/// The journal's records of one type, as dictionaries.
func journalRecords(_ directory: URL, type: String) throws -> [[String: Any]] {
    let text = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
    return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        .filter { $0["type"] as? String == type }
}

/// Write-back: a store's tickets' progress recorded in the store as its own tool does.
@Suite(.serialized) struct WriteBackTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/beads-issues.jsonl")

    /// A project holding a copy of the real beads store, imported by `parrun.json`
    /// whose tickets echo their id; `failing` exits 4 after printing "boom".
    private func beadsProject(failing: String?) throws -> (URL, [[String: Any]]) {
        let store = try String(contentsOf: Self.fixture, encoding: .utf8)
        let records = store.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let overrides = failing.map { #", "tickets": [{"id": "\#($0)", "run": "echo boom; exit 4"}]"# } ?? ""
        let directory = try CLITests.directory([
            ".beads/issues.jsonl": store,
            "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "echo {{id}}"}\#(overrides)}"#,
        ])
        return (directory, records)
    }

    /// An open task of the store with no links, so that it runs.
    private func unlinkedOpenTask(_ records: [[String: Any]]) throws -> String {
        let record = records.first {
            $0["status"] as? String == "open" && $0["issue_type"] as? String != "epic" && (($0["dependencies"] as? [Any]) ?? []).isEmpty
        }
        return try #require(record?["id"] as? String)
    }

    @Test func beadsTicketsAreMarkedClosedAndCommentedThroughBdExactly() throws {
        let (probe, records) = try beadsProject(failing: nil)
        try? FileManager.default.removeItem(at: probe)
        let failing = try unlinkedOpenTask(records)
        let (directory, _) = try beadsProject(failing: failing)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bd = try FakeBD(in: directory)
        let run = try CLITests.run(["-q", "-k", "-j4", "parrun.json"], in: directory, environment: bd.environment)
        #expect(run.status == 1, "\(run.stderr)")
        let runID = try #require(try journalRecords(directory, type: "run").first?["run"] as? String)
        let started = try journalRecords(directory, type: "start").compactMap { $0["id"] as? String }
        #expect(started.count > 10, "most open issues of the store run: \(started.count)")
        #expect(started.contains(failing))
        // Per ticket, in order: in progress when it starts; closed, or a comment and open again.
        // Epics only group: they do no work, so nothing is written back for them.
        let epics = Set(records.filter { $0["issue_type"] as? String == "epic" }.compactMap { $0["id"] as? String })
        var expected: [String: [[String]]] = [:]
        for id in started where !epics.contains(id) {
            expected[id] = [["update", id, "--status", "in_progress"]] + (id == failing
                ? [["comments", "add", id, "parrun run \(runID): failed (exit 4)\n\nlast lines of its log:\nboom"], ["update", id, "--status", "open"]]
                : [["close", id, "--reason", "parrun run \(runID): succeeded"]])
        }
        var actual: [String: [[String]]] = [:]
        let project = try #require(FileSystemPath.resolved(directory.path))
        for call in bd.calls() {
            #expect(FileSystemPath.resolved(call.directory) == project, "bd runs in the project, where it finds .beads")
            actual[call.arguments[call.arguments[0] == "comments" ? 2 : 1], default: []].append(call.arguments)
        }
        for id in Set(actual.keys).union(expected.keys) where actual[id] != expected[id] {
            Issue.record("\(id): \(actual[id] ?? []) != \(expected[id] ?? [])")
        }
        // Not started, never written: closed issues, held-back ones, the failed one's dependents.
        let ids = Set(records.compactMap { $0["id"] as? String })
        #expect(Set(actual.keys).subtracting(ids).isEmpty && actual.count == started.filter { !epics.contains($0) }.count, "\(Set(actual.keys).subtracting(ids))")
        #expect(try journalRecords(directory, type: "write-back").allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func withoutBdThereIsOneWarningAndResumeCatchesUpOnceItIsThere() throws {
        let store = """
            {"id": "bd-1", "title": "One", "status": "open", "priority": 1, "issue_type": "task"}
            {"id": "bd-2", "title": "Two", "status": "open", "priority": 2, "issue_type": "task"}

            """
        let directory = try CLITests.directory([".beads/issues.jsonl": store, "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "true"}}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q", "parrun.json"], in: directory, environment: ["PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "`bd` is not on PATH").count == 2, "once: \(run.stderr)")
        #expect(!run.stderr.contains("write-back of"), "no warning per ticket: \(run.stderr)")
        let failed = try journalRecords(directory, type: "write-back")
        #expect(failed.count == 4 && failed.allSatisfy { $0["ok"] as? Bool == false && $0["detail"] as? String == "bd is not on PATH" })

        let bd = try FakeBD(in: directory)
        let resumed = try CLITests.run(["-q", "--resume", "parrun.json"], in: directory, environment: bd.environment)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let runID = try #require(try journalRecords(directory, type: "run").last?["run"] as? String)
        #expect(bd.calls().map(\.arguments) == [
            ["close", "bd-1", "--reason", "parrun run \(runID): succeeded"], ["close", "bd-2", "--reason", "parrun run \(runID): succeeded"],
        ])
        // Done: a further --resume has nothing to write back.
        _ = try CLITests.run(["-q", "--resume", "parrun.json"], in: directory, environment: bd.environment)
        #expect(bd.calls().count == 2)
    }

    @Test func aHungBdIsStoppedAfterItsTimeoutWithoutHoldingUpTheRun() throws {
        let directory = try CLITests.directory([
            ".beads/issues.jsonl": (1...3).map { #"{"id": "bd-\#($0)", "title": "T", "status": "open", "issue_type": "task"}"# }.joined(separator: "\n") + "\n",
            "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "sleep 0.2"}}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let pids = directory.appendingPathComponent("bd-pids")
        let bd = try FakeBD(in: directory, body: "echo $$ >> '\(pids.path)'; exec sleep 300")
        var environment = bd.environment
        environment["PARRUN_WRITE_BACK_TIMEOUT"] = "1"
        let began = Date()
        let run = try CLITests.run(["-j3", "parrun.json"], in: directory, environment: environment)
        let seconds = Date().timeIntervalSince(began)
        #expect(run.status == 0, "\(run.stderr)")
        // The tickets ran beside the hung bd: the run's own wall time is theirs.
        let wall = try #require(run.stderr.range(of: #"3 succeeded in \d+ms"#, options: .regularExpression))
        #expect(Int(run.stderr[wall].dropFirst("3 succeeded in ".count).dropLast(2))! < 1000, "\(run.stderr)")
        // Two timeouts, then bd is given up for the run: no wait of a timeout per call.
        #expect(seconds < 5, "\(seconds)")
        #expect(bd.calls().count == 2, "\(bd.calls())")
        #expect(run.stderr.contains("`bd` timed out 2 times; this run calls it no more"), "\(run.stderr)")
        let records = try journalRecords(directory, type: "write-back")
        #expect(records.count == 6 && records.allSatisfy { $0["ok"] as? Bool == false })
        #expect(records.contains { ($0["detail"] as? String)?.contains("timed out after 1s") == true })
        // Every hung bd was stopped.
        let started = try String(contentsOf: pids, encoding: .utf8).split(separator: "\n").compactMap { Int32($0) }
        #expect(started.count == 2 && started.allSatisfy { kill($0, 0) != 0 })
    }

    /// A fake `bd` that writes the status it is given into the JSONL, as bd's export does.
    static let statusWritingBD = #"""
        case "$1" in
          update) status=$4 ;;
          close) status=closed ;;
          *) exit 0 ;;
        esac
        sed -i "/\"id\": \"$2\"/s/\"status\": \"[a-z_]*\"/\"status\": \"$status\"/" .beads/issues.jsonl
        """#

    /// With a `bd` that records in the JSONL what it is told, as bd's export does.
    @Test func aSecondRunOfAFinishedBeadsStoreRunsNothing() throws {
        let store = (1...4).map { #"{"id": "bd-\#($0)", "title": "T\#($0)", "status": "open", "issue_type": "task"}"# }.joined(separator: "\n") + "\n"
        let directory = try CLITests.directory([".beads/issues.jsonl": store, "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "echo {{id}}"}}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let bd = try FakeBD(in: directory, body: Self.statusWritingBD)
        let first = try CLITests.run(["-q", "parrun.json"], in: directory, environment: bd.environment)
        #expect(first.status == 0 && first.stdout.split(separator: "\n").count == 4, "\(first.stdout)\(first.stderr)")
        let text = try String(contentsOf: directory.appendingPathComponent(".beads/issues.jsonl"), encoding: .utf8)
        #expect(text == store.replacingOccurrences(of: #""status": "open""#, with: #""status": "closed""#))
        let second = try CLITests.run(["parrun.json"], in: directory, environment: bd.environment)
        #expect(second.status == 0 && second.stdout.isEmpty, "\(second.stdout)")
        #expect(second.stderr.contains("0 succeeded"), "\(second.stderr)")
        #expect(bd.calls().count == 8, "nothing more was written back")
    }

    /// parrun killed with -9 leaves its ticket `in_progress` in the store; that
    /// mark is its own, so the next run runs the ticket instead of holding it back.
    @Test func anIssueParrunLeftInProgressWhenKilledRunsAgain() throws {
        let store = #"{"id": "bd-1", "title": "T1", "status": "open", "issue_type": "task"}"# + "\n"
        let recipe = #"if [ ! -e killed ]; then touch killed; until grep -q in_progress .beads/issues.jsonl; do sleep 0.05; done; sleep 0.5; kill -9 $PARRUN_SUPERVISOR; sleep 5; fi; echo done {{id}}"#
        let directory = try CLITests.directory([".beads/issues.jsonl": store, "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "\#(recipe)"}}"#])
        defer { try? FileManager.default.removeItem(at: directory) }
        let bd = try FakeBD(in: directory, body: Self.statusWritingBD)
        let killed = try CLITests.run(["-q", "parrun.json"], in: directory, environment: bd.environment)
        #expect(killed.status == 137 || killed.status == -9 || killed.status == 9, "\(killed.status) \(killed.stderr)")
        #expect(try String(contentsOf: directory.appendingPathComponent(".beads/issues.jsonl"), encoding: .utf8).contains("in_progress"))
        let plan = try CLITests.run(["-n", "--summary", "parrun.json"], in: directory, environment: bd.environment)
        #expect(plan.stdout.hasPrefix("tickets 1 (1 to run"), "not held back by parrun's own mark: \(plan.stdout)")
        let resumed = try CLITests.run(["-q", "--resume", "parrun.json"], in: directory, environment: bd.environment)
        #expect(resumed.status == 0 && resumed.stdout == "done bd-1\n", "\(resumed.stdout)\(resumed.stderr)")
        #expect(try String(contentsOf: directory.appendingPathComponent(".beads/issues.jsonl"), encoding: .utf8) == store.replacingOccurrences(of: "open", with: "closed"))
    }

    @Test func noWriteBackLeavesTheStoreAlone() throws {
        let directory = try CLITests.directory([
            ".beads/issues.jsonl": #"{"id": "bd-1", "title": "T", "status": "open", "issue_type": "task"}"# + "\n",
            "parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "true"}}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let bd = try FakeBD(in: directory)
        let run = try CLITests.run(["-q", "--no-write-back", "parrun.json"], in: directory, environment: bd.environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(bd.calls().isEmpty)
        #expect(try journalRecords(directory, type: "write-back").isEmpty)
    }
}

/// Resolved paths, to compare directories however they were written (/tmp links).
enum FileSystemPath {
    static func resolved(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }
}
