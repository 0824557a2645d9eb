import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// SIGKILL a real parrun at random moments, then `--resume` until the run is
/// done, and check the promises of the journal: every ticket ends succeeded,
/// no ticket recorded as succeeded runs again, no ticket starts before its
/// dependencies succeeded, and no recipe outlives its parrun.
@Suite struct CrashSafetyTests {
    /// A random DAG whose recipes log their start and end (with the run id) to
    /// `events`, sleeping a little in between.
    static func manifest(tickets: Int, events: String, seed: UInt64) -> (text: String, dependencies: [String: [String]]) {
        var random = SeededGenerator(seed: seed)
        var text = ""
        var dependencies: [String: [String]] = [:]
        for index in 0..<tickets {
            let id = "t\(index)"
            let count = index == 0 ? 0 : Int(random.next() % 3)
            let deps = Set((0..<count).map { _ in "t\(Int(random.next() % UInt64(index)))" }).sorted()
            dependencies[id] = deps
            let pause = 50 + random.next() % 200
            text += "\(id): \(deps.joined(separator: " "))\n"
            text += "    echo \"start \(id) $PARRUN_RUN_ID\" >> \(events); sleep 0.\(String(pause).leftPadded(to: 3)); echo \"end \(id) $PARRUN_RUN_ID\" >> \(events)\n"
        }
        return (text, dependencies)
    }

    struct Event {
        var isStart: Bool
        var id: String
        var run: String
    }

    static func events(_ path: String) -> [Event] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ").map(String.init)
            guard words.count == 3 else { return nil }
            return Event(isStart: words[0] == "start", id: words[1], run: words[2])
        }
    }

    /// "ID started before [DEP] ended" for every start that came too early.
    static func startsBeforeDependencies(_ events: [Event], _ dependencies: [String: [String]]) -> [String] {
        var ended = Set<String>()
        var early: [String] = []
        for event in events {
            if event.isStart {
                let missing = dependencies[event.id, default: []].filter { !ended.contains($0) }
                if !missing.isEmpty { early.append("\(event.id) started before \(missing) ended") }
            } else {
                ended.insert(event.id)
            }
        }
        return early
    }

    /// Tickets the journal records as succeeded, in the chain of its latest run.
    static func recordedSucceeded(_ journal: String, manifest: String) throws -> Set<String> {
        let history = RunHistory(try JournalReader.read(journal).records)
        guard let latest = history.latestRun(manifest: manifest) else { return [] }
        return Set(history.ticketStates(chain: history.chain(endingAt: latest.run)).filter { $0.value.succeeded }.map(\.key))
    }

    /// Waits (up to 5 s) until no process started by the parrun with `pid` is left.
    static func survivors(of pid: Int32) -> [Int32] {
        var left: [Int32] = []
        for _ in 0..<100 {
            left = ProcessTable.processes(withEnvironment: "PARRUN_SUPERVISOR=\(pid)")
            if left.isEmpty { return [] }
            usleep(50_000)
        }
        return left
    }

    @Test(.timeLimit(.minutes(4)))
    func killedAtRandomMomentsAndResumedEveryTicketSucceedsOnce() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let eventsPath = directory.appendingPathComponent("events.txt").path
        let (text, dependencies) = Self.manifest(tickets: 60, events: eventsPath, seed: 7)
        let manifestURL = directory.appendingPathComponent("Parrunfile")
        try Data(text.utf8).write(to: manifestURL)
        let manifestPath = manifestURL.resolvingSymlinksInPath().path
        let journal = directory.appendingPathComponent(".parrun/journal.jsonl").path
        var random = SeededGenerator(seed: 11)

        /// Per run id, the tickets recorded as succeeded before that run started.
        var succeededBefore: [String: Set<String>] = [:]
        var finished = false
        var kills = 0
        for round in 0..<40 where !finished {
            let before = try Self.recordedSucceeded(journal, manifest: manifestPath)
            let seenRuns = Set(Self.events(eventsPath).map(\.run))
            let parrun = try LaunchedParrun(round == 0 ? ["-j3", "-q"] : ["-j3", "-q", "--resume"], in: directory)
            // Kill during the first dozen rounds; then let a resume finish.
            if round < 12 {
                usleep(useconds_t(5_000 + random.next() % 400_000))
                kill(parrun.pid, SIGKILL)
                kills += 1
            }
            let status = parrun.wait()
            let survivors = Self.survivors(of: parrun.pid)
            #expect(survivors.isEmpty, "recipes of the killed parrun \(parrun.pid) still run: \(survivors)")
            for run in Set(Self.events(eventsPath).map(\.run)).subtracting(seenRuns) { succeededBefore[run] = before }
            if status == 0 { finished = true } else {
                #expect(status == 128 + SIGKILL, "round \(round): \(parrun.stderr)")
            }
        }
        #expect(finished, "a resume without kills finished the run")
        #expect(kills > 0)

        let events = Self.events(eventsPath)
        // 1. Every ticket ended succeeded.
        let succeeded = try Self.recordedSucceeded(journal, manifest: manifestPath)
        #expect(succeeded == Set(dependencies.keys), "not succeeded: \(Set(dependencies.keys).subtracting(succeeded).sorted())")
        // 2. No ticket recorded as succeeded ran again in a later run.
        for event in events where event.isStart {
            #expect(!(succeededBefore[event.run] ?? []).contains(event.id), "\(event.id) ran again in \(event.run) after it was recorded as succeeded")
        }
        // 3. No ticket started before each of its dependencies had ended.
        let early = Self.startsBeforeDependencies(events, dependencies)
        #expect(early.isEmpty, "\(early)")
        // ... and the journal agrees: a start only after its dependencies' succeeded ends.
        var recordedSuccess = Set<String>()
        for record in try JournalReader.read(journal).records {
            switch record {
            case .start(let start):
                let missing = dependencies[start.id, default: []].filter { !recordedSuccess.contains($0) }
                #expect(missing.isEmpty, "the journal shows \(start.id) starting before \(missing) succeeded")
            case .end(let end) where end.status == "succeeded":
                recordedSuccess.insert(end.id)
            default:
                break
            }
        }
    }
}
