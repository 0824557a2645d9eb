import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Drives the scheduler with a simulated clock and fake jobs: no processes.
struct Simulation {
    struct Event: Equatable {
        var time: Double
        var ticket: String
        var kind: String  // "start" or "end"
        var worker: Int
    }

    var events: [Event] = []
    var scheduler: Scheduler
    var makespan = 0.0
    var maxRunning = 0
    var maxPerPool: [String: Int] = [:]

    /// Runs every ticket to the end; `durations` default to 1, `failing` tickets fail
    /// (after `retries` further attempts each).
    init(_ manifest: String, jobs: Int, durations: [String: Double] = [:], failing: Set<String> = [],
         retries: Int = 0, policy: Scheduler.FailurePolicy = .init()) throws {
        let read = ManifestReader.read(SourceFile(name: "m", text: manifest))
        let settings = try #require(read.manifest).settings
        let graph = try validGraph(manifest)
        let runs = Plan.freshRunMask(graph)
        let plan = Plan(graph: graph, runs: runs, jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 2, ticketsToRun: 0), pools: settings.pools)
        scheduler = Scheduler(plan: plan, policy: policy)
        var clock = 0.0
        var running: [(end: Double, ticket: Int, worker: Int)] = []
        var attempts = [Int](repeating: 0, count: graph.count)
        var retryAt: [(time: Double, ticket: Int)] = []
        while true {
            for (ticket, worker) in scheduler.start() {
                let id = graph.tickets[ticket].id
                events.append(Event(time: clock, ticket: id, kind: "start", worker: worker))
                running.append((clock + (durations[id] ?? 1), ticket, worker))
                attempts[ticket] += 1
            }
            maxRunning = max(maxRunning, running.count)
            for pool in plan.pools {
                let count = running.filter { graph.tickets[$0.ticket].pool == pool.name }.count
                maxPerPool[pool.name] = max(maxPerPool[pool.name] ?? 0, count)
            }
            if scheduler.isDone { break }
            // Advance to the next event: a ticket ending or a retry coming due.
            let nextEnd = running.map(\.end).min() ?? .infinity
            let nextRetry = retryAt.map(\.time).min() ?? .infinity
            clock = min(nextEnd, nextRetry)
            if nextRetry <= nextEnd, let index = retryAt.firstIndex(where: { $0.time == nextRetry }) {
                scheduler.requeue(retryAt.remove(at: index).ticket)
                continue
            }
            guard let index = running.firstIndex(where: { $0.end == nextEnd }) else { break }
            let done = running.remove(at: index)
            let id = graph.tickets[done.ticket].id
            events.append(Event(time: clock, ticket: id, kind: "end", worker: done.worker))
            if failing.contains(id) {
                if attempts[done.ticket] <= retries {
                    scheduler.retryLater(done.ticket)
                    retryAt.append((clock + 0.5, done.ticket))
                } else {
                    scheduler.failed(done.ticket)
                }
            } else {
                scheduler.succeeded(done.ticket)
            }
            makespan = clock
        }
        scheduler.finish()
    }

    func time(_ kind: String, _ ticket: String) -> Double? {
        events.first { $0.kind == kind && $0.ticket == ticket }?.time
    }

    var startOrder: [String] { events.filter { $0.kind == "start" }.map(\.ticket) }

    func state(_ id: String) -> TicketState? {
        scheduler.plan.graph.index(of: id).map { scheduler.states[$0] }
    }
}

@Suite struct SchedulerTests {
    @Test func aTicketStartsAsSoonAsItsOwnDependenciesSucceedNotItsWave() throws {
        // a is short, b long; c needs only a, so it must not wait for b.
        let simulation = try Simulation(lines("a:", "b:", "c: a", "d: b c"), jobs: 2, durations: ["a": 1, "b": 5, "c": 1])
        #expect(simulation.time("start", "c") == 1)
        #expect(simulation.time("start", "d") == 5)
        #expect(simulation.makespan == 6)
    }

    @Test func neverStartsBeforeEveryDependencyEnded() throws {
        let manifest = lines("a:", "b: a", "c: a", "d: b c", "e:", "f: e d")
        let simulation = try Simulation(manifest, jobs: 3, durations: ["a": 2, "b": 1, "c": 3, "e": 7])
        let graph = try validGraph(manifest)
        for (index, ticket) in graph.tickets.enumerated() {
            let start = try #require(simulation.time("start", ticket.id))
            for dependency in graph.dependencies(of: index) {
                let end = try #require(simulation.time("end", graph.tickets[Int(dependency)].id))
                #expect(end <= start, "\(ticket.id) started before \(graph.tickets[Int(dependency)].id) ended")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func neverRunsMoreThanJobsAndReusesWorkerSlots(jobs: Int) throws {
        let manifest = (0..<12).map { "t\($0):" }.joined(separator: "\n") + "\n"
        let simulation = try Simulation(manifest, jobs: jobs, durations: Dictionary(uniqueKeysWithValues: (0..<12).map { ("t\($0)", Double($0 % 4 + 1)) }))
        #expect(simulation.maxRunning == jobs)
        #expect(Set(simulation.events.map(\.worker)) == Set(0..<jobs))
        var busy = Set<Int>()
        for event in simulation.events.sorted(by: { ($0.time, $0.kind == "start" ? 1 : 0) < ($1.time, $1.kind == "start" ? 1 : 0) }) {
            if event.kind == "start" {
                #expect(!busy.contains(event.worker), "worker \(event.worker) given out twice")
                busy.insert(event.worker)
            } else {
                busy.remove(event.worker)
            }
        }
    }

    @Test func lowerPriorityValueStartsFirstThenLongerCriticalPathThenManifestOrder() throws {
        let manifest = lines(
            "plain:",
            "urgent:", "    @priority -1",
            "head:",  // starts a chain of three, so it goes before other priority-0 tickets
            "mid: head",
            "tail: mid",
            "other:"
        )
        let simulation = try Simulation(manifest, jobs: 1)
        #expect(Array(simulation.startOrder.prefix(3)) == ["urgent", "head", "mid"])
        #expect(simulation.startOrder.last == "other")
    }

    @Test func poolLimitsHoldIndependentlyOfJobsAndOtherTicketsGoAhead() throws {
        let manifest = lines(
            "pool git = 1",
            "g1:", "    @pool git",
            "g2:", "    @pool git",
            "g3:", "    @pool git",
            "x:", "y:"
        )
        let simulation = try Simulation(manifest, jobs: 3, durations: ["g1": 2, "g2": 2, "g3": 2])
        #expect(simulation.maxPerPool["git"] == 1)
        #expect(simulation.time("start", "x") == 0, "a full pool does not block other ready tickets")
        #expect(simulation.time("start", "y") == 0)
        #expect(simulation.makespan == 6)
    }

    @Test func withoutKeepGoingAFailureStopsNewStartsAndLetsRunningOnesFinish() throws {
        let simulation = try Simulation(lines("a:", "b:", "c:", "d: a"), jobs: 2, durations: ["a": 1, "b": 3], failing: ["a"])
        #expect(simulation.state("a") == .failed)
        #expect(simulation.state("b") == .succeeded, "running tickets finish")
        #expect(simulation.state("c") == .notStarted)
        #expect(simulation.state("d") == .skipped(dependency: 0, cause: 0))
        #expect(simulation.scheduler.isStopped)
    }

    @Test func keepGoingRunsEverythingThatDoesNotDependOnAFailure() throws {
        let simulation = try Simulation(lines("a:", "b: a", "c: b", "x:", "y: x"), jobs: 1, failing: ["a"], policy: .init(keepGoing: true))
        #expect(simulation.state("a") == .failed)
        #expect(simulation.state("b") == .skipped(dependency: 0, cause: 0))
        #expect(simulation.state("c") == .skipped(dependency: 1, cause: 0))
        #expect(simulation.state("x") == .succeeded)
        #expect(simulation.state("y") == .succeeded)
    }

    @Test func maxFailuresStopsSchedulingEvenWithKeepGoing() throws {
        let simulation = try Simulation(lines("a:", "b:", "c:", "d:"), jobs: 1, failing: ["a", "b"], policy: .init(keepGoing: true, maxFailures: 2))
        #expect(simulation.scheduler.failureCount == 2)
        #expect(simulation.state("c") == .notStarted)
        #expect(simulation.state("d") == .notStarted)
    }

    @Test func aRetriedTicketFreesItsSlotWhileItWaits() throws {
        let simulation = try Simulation(lines("flaky:", "other:"), jobs: 1, durations: ["flaky": 1, "other": 1], failing: ["flaky"], retries: 2, policy: .init(keepGoing: true))
        #expect(simulation.startOrder == ["flaky", "other", "flaky", "flaky"])
        #expect(simulation.state("flaky") == .failed)
        #expect(simulation.scheduler.failureCount == 1, "only the last attempt counts as a failure")
    }

    @Test func doneTicketsAreNotRunAndDoNotBlock() throws {
        let simulation = try Simulation(#"[{"id": "a", "status": "done"}, {"id": "b", "dependsOn": ["a"]}]"#, jobs: 1)
        #expect(simulation.startOrder == ["b"])
        #expect(simulation.state("a") == .notInRun)
    }

    @Test func listScheduleOnADiamondMatchesTheCriticalPath() throws {
        let simulation = try Simulation(lines("s:", "l: s", "r: s", "t: l r"), jobs: 2, durations: ["s": 1, "l": 3, "r": 2, "t": 1])
        #expect(simulation.makespan == 5)
    }
}
