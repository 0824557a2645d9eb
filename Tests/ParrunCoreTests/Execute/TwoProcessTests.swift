import Foundation
import Testing
@testable import ParrunCore

/// Two real parrun processes on one manifest and state directory.
@Suite struct TwoProcessTests {
    @Test(.timeLimit(.minutes(4)))
    func twoParrunsStartedTogetherRunEachTicketExactlyOnce() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let eventsPath = directory.appendingPathComponent("events.txt").path
        let (text, dependencies) = CrashSafetyTests.manifest(tickets: 200, events: eventsPath, seed: 3)
        // Shorter recipes than the crash test: 200 of them, 3 at a time in each process.
        let quick = text.replacingOccurrences(of: "sleep 0.", with: "sleep 0.0")
        try Data(quick.utf8).write(to: directory.appendingPathComponent("Parrunfile"))

        let first = try LaunchedParrun(["-j3", "-q"], in: directory)
        let second = try LaunchedParrun(["-j3", "-q"], in: directory)
        let statuses = [first.wait(), second.wait()]
        #expect(statuses == [0, 0], "\(first.stderr)\n---\n\(second.stderr)")
        #expect((first.stderr + second.stderr).contains("joining it as another set of workers"), "one parrun joined the other's run")

        let events = CrashSafetyTests.events(eventsPath)
        var starts: [String: Int] = [:]
        for event in events where event.isStart { starts[event.id, default: 0] += 1 }
        let wrong = dependencies.keys.filter { starts[$0] != 1 }.sorted()
        #expect(wrong.isEmpty, "not run exactly once: \(wrong.map { "\($0) x\(starts[$0] ?? 0)" })")
        #expect(Set(events.map(\.run)).count == 1, "both processes worked on one run")
        let early = CrashSafetyTests.startsBeforeDependencies(events, dependencies)
        #expect(early.isEmpty, "\(early)")
        // Both did part of the work.
        #expect(first.stderr.contains("ok t") && second.stderr.contains("ok t"), "\(first.stderr)\n---\n\(second.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aTicketClaimedByALiveParrunIsWaitedForNotRunAgain() throws {
        let directory = try CLITests.directory([
            "Parrunfile": """
                slow:
                    echo slow >> runs.txt; sleep 1
                after: slow
                    echo after >> runs.txt

                """,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LaunchedParrun(["-q"], in: directory)
        // Until the first has started `slow`.
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("runs.txt").path) {
            usleep(20_000)
        }
        let second = try LaunchedParrun(["-q"], in: directory)
        #expect([first.wait(), second.wait()] == [0, 0], "\(first.stderr)\n---\n\(second.stderr)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.txt"), encoding: .utf8)
        #expect(runs == "slow\nafter\n")
        #expect(second.stderr.contains("info: slow is running in another parrun (pid \(first.pid)); waiting for it"), "\(second.stderr)")
    }

    /// A fresh run rewrites a shorter journal (dropping the manifest's earlier
    /// run); it must follow the new file from its end, or it misses what a
    /// joining parrun records and runs that ticket again.
    @Test(.timeLimit(.minutes(4)))
    func aRunThatCompactedTheJournalSeesWhatAJoiningParrunDid() throws {
        let directory = try CLITests.directory([
            "Parrunfile": """
                a:
                    touch a-started; sleep 1.5; echo a >> runs.txt
                b:
                    echo b >> runs.txt
                c: a b
                    echo c >> runs.txt

                """,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let started = directory.appendingPathComponent("a-started")
        // The earlier run makes the journal longer than what the next run and its joiner write before b ends.
        #expect(try CLITests.run(["-q", "-j2"], in: directory).status == 0)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("runs.txt"))
        try FileManager.default.removeItem(at: started)
        let first = try LaunchedParrun(["-q", "-j1"], in: directory)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: started.path) {
            usleep(20_000)
        }
        let second = try LaunchedParrun(["-q", "-j1"], in: directory)
        #expect([first.wait(), second.wait()] == [0, 0], "\(first.stderr)\n---\n\(second.stderr)")
        #expect(second.stderr.contains("joining it as another set of workers"), "\(second.stderr)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.txt"), encoding: .utf8)
        #expect(runs.split(separator: "\n").sorted() == ["a", "b", "c"], "each ticket once: \(runs)")
    }

    /// A parrun at -j1 on `directory`'s Parrunfile and, once it has made
    /// `marker`, a second one (at `jobs`) that joins its run and is waited for.
    private func joinedRun(in directory: URL, after marker: String, jobs: String) throws -> (first: LaunchedParrun, second: CLITests.Outcome) {
        let first = try LaunchedParrun(["-q", "-j1"], in: directory)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(marker).path) { usleep(20_000) }
        return (first, try CLITests.run(["-q", "-j" + jobs], in: directory))
    }

    /// A ticket the other parrun ended awaiting review is not "left unfinished": the joiner must not run it again.
    @Test(.timeLimit(.minutes(4)))
    func aTicketAwaitingReviewInTheOtherParrunDoesNotRunAgain() throws {
        let directory = try CLITests.directory(["Parrunfile": "r:\n    @review\n    touch r-started; sleep 1; echo r >> runs.txt\nc:\n    sleep 2.5\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, second) = try joinedRun(in: directory, after: "r-started", jobs: "2")
        #expect(first.wait() == 3 && second.status == 3, "both end awaiting review: \(first.stderr)\n---\n\(second.stderr)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.txt"), encoding: .utf8)
        #expect(runs == "r\n", "r ran once: \(runs)")
    }

    /// Both parruns free `c` at about the same moment; whichever runs it, the
    /// other must take its failure from the journal, not run it again.
    @Test(.timeLimit(.minutes(4)))
    func aTicketThatFailedInTheOtherParrunIsNotRunAgain() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    touch a-started; sleep 1\nb:\n    sleep 1\nc: a b\n    echo c >> runs.txt; exit 1\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (first, second) = try joinedRun(in: directory, after: "a-started", jobs: "1")
        _ = first.wait()
        #expect(second.status == 1 || first.stderr.contains("FAIL c"), "\(first.stderr)\n---\n\(second.stderr)")
        let runs = try String(contentsOf: directory.appendingPathComponent("runs.txt"), encoding: .utf8)
        #expect(runs == "c\n", "c ran once: \(runs)")
    }
}
