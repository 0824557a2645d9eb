import Glibc
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// Random DAGs, random outcomes, random options and signals on the simulated
/// clock: whatever happens, the run's invariants hold.
@Suite struct RunControllerPropertyTests {
    @Test func invariantsHoldOverRandomRuns() throws {
        for seed in UInt64(1)...300 {
            var random = SeededGenerator(seed: seed)
            func roll(_ n: UInt64) -> Int { Int(random.next() % n) }
            let count = 2 + roll(25)
            var manifest = "pool p = \(1 + roll(2))\n"
            var dependencies: [String: [String]] = [:]
            for index in 0..<count {
                let deps = index == 0 ? [] : Set((0..<roll(4)).map { _ in "t\(roll(UInt64(index)))" }).sorted()
                dependencies["t\(index)"] = deps
                manifest += "t\(index): \(deps.joined(separator: " "))\n    @retries \(roll(3))\n"
                if roll(5) == 0 { manifest += "    @timeout \(1 + roll(3))s\n" }
                if roll(5) == 0 { manifest += "    @pool p\n" }
                if roll(4) == 0 { manifest += "    @verify true\n" }
                manifest += "    x\n"
            }
            let jobs = 1 + roll(4)
            var options = RunOptions()
            options.policy = .init(keepGoing: roll(2) == 0, maxFailures: roll(4) == 0 ? 1 + roll(3) : nil)
            options.failFast = roll(8) == 0
            options.gracePeriod = Double(roll(3))
            options.retryDelay = 0.5
            options.rerunOnConflict = roll(2) == 0
            // --worktree: successes land, one at a time, some with a conflict.
            let lands = roll(3) == 0
            var run = try ControllerSimulation(manifest, jobs: jobs, options: options, seed: seed)
            for index in 0..<count {
                run.behaviours["t\(index)"] = (0..<3).map { _ in
                    ControllerSimulation.Behaviour(
                        seconds: Double(1 + roll(30)) / 10, outcome: roll(10) < 7 ? .succeeded : .failed(.exited(1)), ignoresTerm: roll(10) == 0,
                        landing: lands ? (Double(roll(20)) / 10, roll(5) == 0 ? .conflict(["f"]) : nil) : nil,
                        gateSeconds: Double(roll(20)) / 10, gatePasses: roll(4) != 0)
                }
            }
            let signal = roll(6) == 0 ? [SIGINT, SIGTERM][roll(2)] : nil
            if let signal { run.signals = [(Double(roll(60)) / 10, signal)] }
            let result = run.run()
            let context = "seed \(seed):\n\(manifest)"

            // No ticket starts before each of its dependencies succeeded.
            for case .start(let id, _, let at) in run.entries {
                for dependency in dependencies[id] ?? [] {
                    let succeeded = run.outcomes.first { $0.id == dependency && $0.outcome.isSuccess }?.at
                    #expect(succeeded.map { $0 <= at } ?? false, "\(id) started at \(at) before \(dependency) succeeded; \(context)")
                }
                if let signalled = run.signalledAt { #expect(at < signalled, "\(id) started after the signal; \(context)") }
            }
            // No ticket runs twice at once, and never more than -j at once.
            var runningNow = Set<String>()
            for entry in run.entries {
                switch entry {
                case .start(let id, _, _): #expect(runningNow.insert(id).inserted, "\(id) started twice at once; \(context)")
                case .end(let id, _, _): runningNow.remove(id)
                default: break
                }
            }
            #expect(run.maxRunning <= jobs, "\(context)")
            #expect(run.overlappingLandings == 0, "two landings at once; \(context)")
            // Every ticket ends in exactly one final state that agrees with what happened.
            for index in 0..<count {
                let id = "t\(index)"
                let ends = run.outcomes.filter { $0.id == id }
                let status = try #require(run.status(result, id))
                switch status {
                case .succeeded:
                    #expect(ends.filter { $0.outcome.isSuccess }.count == 1 && ends.last?.outcome.isSuccess == true, "\(id); \(context)")
                case .failed, .timedOut, .interrupted:
                    #expect(!ends.isEmpty && !ends.contains { $0.outcome.isSuccess }, "\(id) \(status); \(context)")
                case .skipped, .notStarted:
                    #expect(ends.isEmpty, "\(id) \(status) but it ran; \(context)")
                default:
                    Issue.record("\(id) ended as \(status); \(context)")
                }
                #expect(result.records[index].attempts == ends.count, "\(id): attempts counted \(result.records[index].attempts), ran \(ends.count); \(context)")
            }
            // The exit status follows from what happened.
            let allSucceeded = (0..<count).allSatisfy { index in run.outcomes.contains { $0.id == "t\(index)" && $0.outcome.isSuccess } }
            let expected: Int32 = run.signalledAt != nil ? 128 + signal! : allSucceeded ? 0 : 1
            #expect(result.exitCode == expected, "exit \(result.exitCode), expected \(expected); \(context)")
        }
    }
}
