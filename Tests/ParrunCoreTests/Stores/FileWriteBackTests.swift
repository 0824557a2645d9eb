import Foundation
import Glibc
import Testing
@testable import ParrunModel

/// Write-back to task files and ticket indexes: the status edited in place,
/// every other byte kept.
@Suite(.serialized) struct FileWriteBackTests {
    static let tasks = """
        {
          "tasks": [
            {"id": "setup", "status": "completed", "priority": "high", "notes": "done by hand"},
            {"id": "api",   "status": "pending",   "priority": "medium", "dependsOn": ["setup"], "run": "echo api"},
            {"id": "ui", "priority": "low", "dependsOn": ["api"], "run": ["echo ui"], "extra": {"a": [1, 2.50]}},
            {"id": "docs",	"status" : "pending", "run": "echo docs; exit 3", "x-owner": "\\u00e9"}
          ],
          "meta": {"generatedBy": "a tool", "status": "keep me"}
        }

        """

    static let index = """
        {"version": 1, "tickets": [
          {"id": "T-1", "title": "Schema", "state": "COMPLETED", "priority": "P0"},
          {"id": "T-2", "title": "API", "state": "UNPROCESSED", "priority": "P2", "dependencies": ["T-1"], "run": "true"},
          {"id": "T-3", "title": "UI", "state": "DEFERRED", "priority": "P1", "run": "true", "owner": {"name": "x"}}
        ]}

        """

    private func read(_ directory: URL, _ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func aTaskFileGetsItsStatusesAndEveryOtherByteStaysAndARerunRunsNothing() throws {
        let directory = try CLITests.directory([".specs/tasks/tasks.json": Self.tasks])
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = ".specs/tasks/tasks.json"
        #expect(chmod(directory.appendingPathComponent(path).path, 0o640) == 0)
        let run = try CLITests.run(["-q", "-k"], in: directory)
        #expect(run.status == 1, "\(run.stderr)")
        // Exactly the status values changed; a ticket without one got it after its id.
        let expected = Self.tasks
            .replacingOccurrences(of: #""id": "api",   "status": "pending""#, with: #""id": "api",   "status": "completed""#)
            .replacingOccurrences(of: #"{"id": "ui", "priority""#, with: #"{"id": "ui", "status": "completed", "priority""#)
            .replacingOccurrences(of: #""status" : "pending", "run": "echo docs"#, with: #""status" : "failed", "run": "echo docs"#)
        #expect(try read(directory, path) == expected)
        var info = stat()
        #expect(stat(directory.appendingPathComponent(path).path, &info) == 0 && info.st_mode & 0o777 == 0o640, "the mode is kept")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(".specs/tasks").path) == ["tasks.json"], "no temporary file left")

        // The failed one runs again; once it succeeds, a further run runs nothing.
        try Data(try read(directory, path).replacingOccurrences(of: "exit 3", with: "exit 0").utf8).write(to: directory.appendingPathComponent(path))
        let again = try CLITests.run(["-q"], in: directory)
        #expect(again.status == 0 && again.stdout == "docs\n", "\(again.stdout)\(again.stderr)")
        #expect(try read(directory, path).contains(#""status" : "completed", "run": "echo docs; exit 0""#))
        let nothing = try CLITests.run([], in: directory)
        #expect(nothing.status == 0 && nothing.stdout.isEmpty, "\(nothing.stdout)")
        #expect(nothing.stderr.contains("0 succeeded"), "\(nothing.stderr)")
    }

    @Test func aTicketIndexGetsItsStates() throws {
        let directory = try CLITests.directory([".sage/tickets/index.json": Self.index])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = Self.index
            .replacingOccurrences(of: #""state": "UNPROCESSED""#, with: #""state": "COMPLETED""#)
            .replacingOccurrences(of: #""state": "DEFERRED""#, with: #""state": "COMPLETED""#)
        #expect(try read(directory, ".sage/tickets/index.json") == expected)
        let rerun = try CLITests.run(["-n", "--summary"], in: directory)
        #expect(rerun.stdout.hasPrefix("tickets 3 (0 to run, 3 done"), "\(rerun.stdout)")
    }

    /// sage has no failed state: a ticket that fails is DEFERRED, which the next run runs again.
    @Test func aTicketIndexTicketThatFailsIsDeferredAndRunsAgain() throws {
        let failing = Self.index.replacingOccurrences(of: #""dependencies": ["T-1"], "run": "true""#, with: #""dependencies": ["T-1"], "run": "exit 3""#)
        let directory = try CLITests.directory([".sage/tickets/index.json": failing])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q", "-k"], in: directory)
        #expect(run.status == 1, "\(run.stderr)")
        let stored = try read(directory, ".sage/tickets/index.json")
        #expect(stored.contains(#"{"id": "T-2", "title": "API", "state": "DEFERRED""#), "\(stored)")
        #expect(stored.contains(#"{"id": "T-3", "title": "UI", "state": "COMPLETED""#), "\(stored)")
        let rerun = try CLITests.run(["-n", "--summary"], in: directory)
        #expect(rerun.stdout.hasPrefix("tickets 3 (1 to run, 2 done"), "\(rerun.stdout)")
    }

    @Test func aReadOnlyStoreWarnsLosesNoWorkAndResumeWritesItBack() throws {
        let directory = try CLITests.directory([".specs/tasks/tasks.json": Self.tasks])
        let store = directory.appendingPathComponent(".specs/tasks/tasks.json").path
        defer {
            chmod(store, 0o644)
            try? FileManager.default.removeItem(at: directory)
        }
        #expect(chmod(store, 0o444) == 0)
        let run = try CLITests.run(["-q", "-k"], in: directory)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("api\n") && run.stdout.contains("ui\n"), "the work ran: \(run.stdout)")
        #expect(run.stderr.contains("warning: write-back of api (start) failed: cannot write in-progress to .specs/tasks/tasks.json: .specs/tasks/tasks.json is read-only"), "\(run.stderr)")
        #expect(run.stderr.contains("more write-backs failed"), "three warnings, then a count: \(run.stderr)")
        #expect(try read(directory, ".specs/tasks/tasks.json") == Self.tasks)
        let failed = try journalRecords(directory, type: "write-back")
        #expect(failed.count == 6 && failed.allSatisfy { $0["ok"] as? Bool == false })

        #expect(chmod(store, 0o644) == 0)
        let resumed = try CLITests.run(["-q", "-k", "--resume"], in: directory)
        #expect(resumed.status == 1, "docs fails again: \(resumed.stderr)")
        #expect(resumed.stdout == "docs\n", "only the failed ticket reruns: \(resumed.stdout)")
        let text = try read(directory, ".specs/tasks/tasks.json")
        #expect(text.contains(#""id": "api",   "status": "completed""#) && text.contains(#"{"id": "ui", "status": "completed""#), "\(text)")
        #expect(text.contains(#""status" : "failed""#))
    }

    @Test(.enabled(if: SmallFileSystem.canMount, SmallFileSystem.whyNot))
    func aStoreOnAReadOnlyFileSystemWarnsAndResumeWritesItBack() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let mount = directory.appendingPathComponent("ro").path
        let small = try SmallFileSystem(at: mount, bytes: 1 << 20)
        defer { small.unmount() }
        try Data(Self.index.utf8).write(to: URL(fileURLWithPath: mount + "/index.json"))
        try Data(#"{"import": "ro/index.json"}"#.utf8).write(to: directory.appendingPathComponent("parrun.json"))
        #expect(Glibc.mount("none", mount, nil, UInt(MS_REMOUNT | MS_RDONLY), nil) == 0)
        let run = try CLITests.run(["-q", "parrun.json"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: write-back of T-2 (start) failed"), "\(run.stderr)")
        #expect(try String(contentsOfFile: mount + "/index.json", encoding: .utf8) == Self.index)
        #expect(Glibc.mount("none", mount, nil, UInt(MS_REMOUNT), nil) == 0)
        let resumed = try CLITests.run(["-q", "--resume", "parrun.json"], in: directory)
        #expect(resumed.status == 0 && resumed.stdout.isEmpty, "nothing reruns: \(resumed.stdout)\(resumed.stderr)")
        let text = try String(contentsOfFile: mount + "/index.json", encoding: .utf8)
        #expect(text == Self.index.replacingOccurrences(of: "UNPROCESSED", with: "COMPLETED").replacingOccurrences(of: #""DEFERRED""#, with: #""COMPLETED""#))
    }

    @Test func statusEditsReplaceOnlyTheValue() throws {
        let text = #"{"tasks": [{"id": "a", "status": "pending", "b": 1}, {"id": "c"}]}"#
        func edit(_ id: String, _ status: String, _ kind: StoreKind = .taskFile) -> String? {
            guard case .success(let bytes) = StatusEdit.apply(Array(text.utf8), id: id, status: status, kind: kind) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(edit("a", "done \"now\"") == #"{"tasks": [{"id": "a", "status": "done \"now\"", "b": 1}, {"id": "c"}]}"#)
        #expect(edit("c", "failed") == #"{"tasks": [{"id": "a", "status": "pending", "b": 1}, {"id": "c", "status": "failed"}]}"#)
        #expect(edit("c", "FAILED", .ticketIndex) == #"{"tasks": [{"id": "a", "status": "pending", "b": 1}, {"id": "c", "state": "FAILED"}]}"#)
        #expect(StatusEdit.apply(Array(text.utf8), id: "zz", status: "x", kind: .taskFile) == .failure(.noTicket("zz")))
        // Several at once, in one pass: the last edit of an id wins, a missing id is reported alone.
        guard case .success(let (batch, failures)) = StatusEdit.apply(
            Array(text.utf8), edits: [("c", "in-progress"), ("a", "failed"), ("zz", "x"), ("c", "completed")], kind: .taskFile)
        else {
            Issue.record("the batch was not applied")
            return
        }
        #expect(String(decoding: batch, as: UTF8.self) == #"{"tasks": [{"id": "a", "status": "failed", "b": 1}, {"id": "c", "status": "completed"}]}"#)
        #expect(failures == ["zz": .noTicket("zz")])
        guard case .failure(.unreadable) = StatusEdit.apply(Array("{\"tasks\": [".utf8), id: "a", status: "x", kind: .taskFile) else {
            Issue.record("a damaged file is not edited")
            return
        }
    }
}
