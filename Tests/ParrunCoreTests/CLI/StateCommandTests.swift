import Foundation
import Testing
@testable import ParrunCLI
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// `--resume`, `status`, `logs` and `clean` on real runs of the real binary.
@Suite struct StateCommandTests {
    /// b fails until the file `fixed` exists; c depends on b; every recipe logs to runs.txt.
    static let manifest = """
        a:
            echo a >> runs.txt
        b: a
            echo b >> runs.txt; echo b says hello; test -f fixed
        c: b
            echo c >> runs.txt
        d:
            echo d >> runs.txt

        """

    private func runs(_ directory: URL) -> [String] {
        let text = (try? String(contentsOf: directory.appendingPathComponent("runs.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    private func reset(_ directory: URL) throws {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("runs.txt"))
    }

    @Test func resumeRerunsOnlyWhatDidNotSucceedAndWhatDependsOnIt() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)
        #expect(runs(directory).sorted() == ["a", "b", "d"])

        let plan = try CLITests.run(["-n", "--resume"], in: directory)
        #expect(plan.status == 0)
        #expect(plan.stdout.contains("resuming: what runs again and why\n  b  failed\n  c  skipped\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("already succeeded (2): a, d"), "\(plan.stdout)")

        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("fixed").path, contents: nil)
        try reset(directory)
        let resumed = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(runs(directory) == ["b", "c"])
        #expect(resumed.stderr.contains("resuming run "), "\(resumed.stderr)")

        // Nothing left: a resume runs nothing.
        try reset(directory)
        #expect(try CLITests.run(["-q", "--resume"], in: directory).status == 0)
        #expect(runs(directory) == [])

        // A changed recipe reruns its ticket and everything downstream (make semantics).
        let edited = Self.manifest.replacingOccurrences(of: "echo a >>", with: "echo A >>")
        try Data(edited.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let replan = try CLITests.run(["-n", "--resume"], in: directory)
        #expect(replan.stdout.contains("  a  recipe changed\n  b  dependency a reruns\n  c  dependency b reruns\n"), "\(replan.stdout)")
        #expect(try CLITests.run(["-q", "--resume"], in: directory).status == 0)
        #expect(runs(directory) == ["A", "b", "c"])
    }

    @Test func theSummaryShowsTheFailuresLogAndHowToContinue() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest + "e: d\n    sleep 0.3\nf: e\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "Parrunfile"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("  FAIL b: exit 1 (log: .parrun/logs/b.log)\n      | b says hello\n"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("  skipped c: 'b' failed\n"))
        #expect(outcome.stderr.contains("  to continue: parrun --resume -q -j2 Parrunfile\n"), "\(outcome.stderr)")
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("fixed").path, contents: nil)
        let succeeded = try CLITests.run(["-q", "--resume", "-j2", "Parrunfile"], in: directory)
        #expect(succeeded.status == 0, "\(succeeded.stderr)")
        #expect(!succeeded.stderr.contains("to continue"), "a run that succeeded has nothing to continue")
    }

    @Test(.timeLimit(.minutes(4)))
    func twoManifestsInOneDirectoryDoNotTakeEachOthersTickets() throws {
        let directory = try CLITests.directory([
            "A.pf": "x:\n    sleep 1.5; echo A-done\n", "B.pf": "x:\n    echo B-ran > b-ran.txt; exit 1\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LaunchedParrun(["-q", "A.pf"], in: directory)
        for _ in 0..<500 where !((try? String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)) ?? "").contains("\"type\":\"start\"") { usleep(20_000) }
        let second = try CLITests.run(["-q", "B.pf"], in: directory)
        #expect(second.status == 1, "B's own x ran and failed: \(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("b-ran.txt").path))
        #expect(second.stderr.contains("also keeps the state of ") && second.stderr.contains("A.pf, which has tickets with the same ids (x)"), "\(second.stderr)")
        #expect(first.wait() == 0, "\(first.stderr)")
    }

    @Test func skippedDependentsSayHowTheirDependencyEnded() throws {
        let directory = try CLITests.directory(["Parrunfile": "slow:\n    @timeout 0.2s\n    sleep 5\nafter: slow\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "--grace", "0.2s"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("  skipped after: 'slow' timed out\n"), "\(outcome.stderr)")
    }

    @Test func theSummarysAdviceFitsTheOptions() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    exit 1\nb:\n    exit 1\nc:\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try CLITests.run(["-q", "-j1"], in: directory)
        #expect(plain.stderr.contains("-k runs everything that does not depend on it"), "\(plain.stderr)")
        let limited = try CLITests.run(["-q", "-j1", "-k", "--max-failures", "1"], in: directory)
        #expect(limited.stderr.contains("they did not start after the failure; --max-failures 1 was reached"), "\(limited.stderr)")
        #expect(!limited.stderr.contains("-k runs"), "-k is already given: \(limited.stderr)")
        try Data("x:\n    exit 1\ny:\n    @review\n    echo y\nz: y\n    echo z\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let review = try CLITests.run(["-q", "-k"], in: directory)
        #expect(review.stderr.contains("not started (1): z") && !review.stderr.contains("they did not start after the failure"),
                "z waits for the review, not for a failure: \(review.stderr)")
        try Data("a:\n    exit 1\nb:\n    exit 1\nc:\n    true\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let unrecorded = try CLITests.run(["-q", "-j1", "--no-journal"], in: directory)
        #expect(unrecorded.status == 1 && !unrecorded.stderr.contains("to continue"), "without a journal --resume cannot continue: \(unrecorded.stderr)")
    }

    @Test func aFreshRunAfterAnUnfinishedOneSuggestsResume() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)
        try reset(directory)
        let fresh = try CLITests.run(["-k", "-q"], in: directory)
        #expect(fresh.stderr.contains("parrun: the last run of Parrunfile did not finish (2 tickets left); `parrun --resume` continues it, this starts afresh"), "\(fresh.stderr)")
        #expect(runs(directory).sorted() == ["a", "b", "d"], "a fresh run runs everything again")
    }

    @Test func aFreshRunDropsTheManifestsEarlierRunsFromTheJournal() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest, "Other": "x:\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "Other"], in: directory).status == 0)
        for _ in 0..<3 { #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1) }
        let records = try JournalReader.read(journal(directory).path).records
        let manifests = records.compactMap { if case .run(let run) = $0 { run.manifest.hasSuffix("/Parrunfile") } else { nil } }
        #expect(manifests == [false, true], "the other manifest's run is kept, and only the latest of this one")
        // What the fresh run left is still resumable.
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("fixed").path, contents: nil)
        try reset(directory)
        #expect(try CLITests.run(["-q", "--resume"], in: directory).status == 0)
        #expect(runs(directory) == ["b", "c"])
    }

    @Test func aRunThatFailsItsSetUpLeavesTheEarlierRunResumable() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)
        let before = try Data(contentsOf: journal(directory))
        var refusals = [["--worktree"]]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/git") {
            #expect(CommandRunner.run(["git", "init", "-q"], in: directory.path).succeeded)
            refusals.append(["--worktree", "--into", "bad..name"])
        }
        for options in refusals {
            let refused = try CLITests.run(["-q"] + options, in: directory)
            #expect(refused.status == 2, "\(options): \(refused.stderr)")
            #expect(try Data(contentsOf: journal(directory)) == before, "\(options): exit 2 records nothing and drops nothing")
        }
        let plan = try CLITests.run(["-n", "--resume"], in: directory)
        #expect(plan.stdout.contains("resuming: what runs again and why\n  b  failed\n  c  skipped\n"), "\(plan.stdout)")
        #expect(runs(directory).sorted() == ["a", "b", "d"], "nothing ran")
    }

    private func journal(_ directory: URL) -> URL {
        directory.appendingPathComponent(".parrun/journal.jsonl")
    }

    private func append(_ text: String, to url: URL) throws {
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func aTornLastLineIsIgnoredWithAWarning() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)
        let lines = try String(contentsOf: journal(directory), encoding: .utf8).split(separator: "\n").count
        try append(#"{"v":1,"type":"end","run":"x","id":"b","#, to: journal(directory))
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("fixed").path, contents: nil)
        try reset(directory)
        // A reader that does not write (status) warns; the run that removes the line says so instead.
        let status = try CLITests.run(["status"], in: directory)
        #expect(status.stderr.contains("warning: the journal's last line (\(lines + 1)) was cut short by a crash; it is ignored"), "\(status.stderr)")
        let resumed = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.components(separatedBy: "cut short by a crash").count == 2, "reported once: \(resumed.stderr)")
        #expect(resumed.stderr.contains("note: the journal's last record was cut short by a crash"), "\(resumed.stderr)")
        #expect(try CLITests.run(["status"], in: directory).stderr.contains("cut short") == false, "the run removed it")
        #expect(runs(directory) == ["b", "c"])
    }

    @Test func aDamagedJournalIsRefusedByResumeNamingTheLine() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q"], in: directory).status == 1)
        var text = try String(contentsOf: journal(directory), encoding: .utf8)
        text = text.replacingOccurrences(of: #""type":"start""#, with: #""type":"start"#)
        try Data(text.utf8).write(to: journal(directory))
        try reset(directory)
        let resumed = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 2)
        #expect(resumed.stderr.contains(".parrun/journal.jsonl:3: this journal line is damaged"), "\(resumed.stderr)")
        #expect(runs(directory) == [], "nothing ran")
    }

    @Test func aJournalOfAnotherVersionIsRefused() throws {
        let directory = try CLITests.directory([
            "Parrunfile": Self.manifest, ".parrun/journal.jsonl": "{\"v\":2,\"type\":\"journal\"}\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let resumed = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 2)
        #expect(resumed.stderr.contains("journal.jsonl:1: journal format version 2 is not one this parrun knows"), "\(resumed.stderr)")
        #expect(runs(directory) == [])
    }

    @Test func statusShowsEachTicketAndTotals() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = try CLITests.run(["status"], in: directory)
        #expect(before.stdout.contains("Parrunfile has not run yet"), "\(before.stdout)")
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)

        let status = try CLITests.run(["status"], in: directory)
        #expect(status.status == 0)
        let rows = status.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains { $0.starts(with: ["b", "failed", "1"]) && $0.contains("exit") }, "\(status.stdout)")
        #expect(rows.contains { $0.starts(with: ["c", "skipped", "0"]) }, "\(status.stdout)")
        #expect(status.stdout.contains("not finished; `parrun --resume` continues it"))
        #expect(status.stdout.contains("total: 4 tickets: 2 succeeded, 1 failed, 1 skipped\n"), "\(status.stdout)")

        let json = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let tickets = try #require(object["tickets"] as? [[String: Any]])
        #expect(tickets.map { $0["state"] as? String } == ["succeeded", "failed", "skipped", "succeeded"])
        #expect(tickets[1]["exitCode"] as? Int == 1)
        #expect((object["totals"] as? [String: Int])?["failed"] == 1)
        #expect(object["live"] as? Bool == false)
    }

    @Test func statusShowsAReviewDecisionAndASecondDecisionNamesTheFirst() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    @review\n    echo a\nb: a\n    echo b\nc:\n    @review\n    echo c\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q"], in: directory).status == 3)
        #expect(try CLITests.run(["approve", "a"], in: directory).status == 0)
        #expect(try CLITests.run(["reject", "c", "--reason", "too terse"], in: directory).status == 0)
        let status = try CLITests.run(["status"], in: directory)
        let rows = status.stdout.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("  a ") && $0.contains("awaiting-review") && $0.contains("approved; parrun --resume counts it as succeeded") }, "\(status.stdout)")
        #expect(rows.contains { $0.hasPrefix("  c ") && $0.contains("rejected: too terse; parrun --resume runs it again") }, "\(status.stdout)")

        let again = try CLITests.run(["approve", "a"], in: directory)
        #expect(again.status == 0)
        #expect(again.stderr == "parrun: a was approved already; nothing changed\n", "\(again.stderr)")
        let changed = try CLITests.run(["reject", "a"], in: directory)
        #expect(changed.status == 2)
        #expect(changed.stderr.contains("a was approved already, and that stands until `parrun --resume` acts on it"), "\(changed.stderr)")
        let reversed = try CLITests.run(["approve", "c"], in: directory)
        #expect(reversed.status == 2)
        #expect(reversed.stderr.contains("c was rejected (reason: too terse) already"), "\(reversed.stderr)")
        let json = try CLITests.run(["status", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let tickets = try #require(object["tickets"] as? [[String: Any]])
        #expect(tickets.map { ($0["review"] as? [String: Any])?["decision"] as? String } == ["approved", nil, "rejected"], "the first decisions stand")
    }

    @Test func logsShowsTheLatestFailureOrANamedTicket() throws {
        let directory = try CLITests.directory(["Parrunfile": Self.manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-k", "-q"], in: directory).status == 1)
        let failure = try CLITests.run(["logs"], in: directory)
        #expect(failure.status == 0)
        #expect(failure.stdout == "b says hello\n")
        #expect(failure.stderr.contains("b failed (exit 1)"), "\(failure.stderr)")
        #expect(try CLITests.run(["logs", "a"], in: directory).stderr.contains("a printed nothing"))
        let unknown = try CLITests.run(["logs", "bb"], in: directory)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no ticket 'bb' in the manifest"), "\(unknown.stderr)")
    }

    @Test func logsTailKeepsTheLastLines() {
        let bytes = Array("one\ntwo\nthree\n".utf8)
        #expect(String(decoding: LogsCommand.lastLines(2, of: bytes), as: UTF8.self) == "two\nthree\n")
        #expect(String(decoding: LogsCommand.lastLines(5, of: bytes), as: UTF8.self) == "one\ntwo\nthree\n")
        #expect(LogsCommand.lastLines(0, of: bytes).isEmpty)
        #expect(String(decoding: LogsCommand.lastLines(1, of: Array("a\nno break".utf8)), as: UTF8.self) == "no break")
    }

    @Test(.timeLimit(.minutes(4)))
    func cleanRefusesWhileARunIsLiveUnlessForced() throws {
        let directory = try CLITests.directory([
            "Parrunfile": "slow:\n    touch started; sleep 30\n", ".parrun/keep.txt": "not parrun's",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let live = try LaunchedParrun(["-q"], in: directory)
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("started").path) {
            usleep(20_000)
        }
        let refused = try CLITests.run(["clean"], in: directory)
        #expect(refused.status == 4)
        #expect(refused.stderr.contains("is live (parrun pid \(live.pid)); stop it first, or use --force"), "\(refused.stderr)")
        #expect(FileManager.default.fileExists(atPath: journal(directory).path))
        kill(live.pid, SIGTERM)
        live.wait()

        let cleaned = try CLITests.run(["clean"], in: directory)
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: journal(directory).path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/logs").path))
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/keep.txt").path), "only parrun's own files go")
    }

    @Test(.timeLimit(.minutes(4)))
    func aClaimLeftByAKilledParrunIsTakenOverWithAMessage() throws {
        let directory = try CLITests.directory(["Parrunfile": "slow:\n    touch started; sleep 30\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let killed = try LaunchedParrun(["-q"], in: directory)
        // Up to 30 s: on a loaded machine the recipe can take seconds to start.
        for _ in 0..<1500 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("started").path) {
            usleep(20_000)
        }
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("started").path), "the recipe started (and so claimed the ticket)")
        kill(killed.pid, SIGKILL)
        killed.wait()
        #expect(CrashSafetyTests.survivors(of: killed.pid).isEmpty, "the guardian stopped the recipe")
        try Data("slow:\n    echo resumed\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let resumed = try CLITests.run(["-q", "--resume"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("taking over slow from parrun pid \(killed.pid), which is gone"), "\(resumed.stderr)")
    }
}
