import Testing
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// The estimate's list-schedule simulation on a simulated clock.
@Suite struct RunEstimateTests {
    private func plan(_ text: String, jobs: Int) throws -> Plan {
        let graph = try validGraph(text)
        return Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 8, ticketsToRun: graph.count))
    }

    @Test func wallTimeIsTheScheduleOfPastDurationsAtTheJobs() throws {
        let text = "a:\n    true\nb: a\n    true\nc: b\n    true\nd:\n    true\ne:\n    true\n"
        let seconds: [Double?] = [1, 2, 3, 4, 1]
        let two = RunEstimate(plan: try plan(text, jobs: 2), seconds: seconds, stats: Array(repeating: nil, count: 5))
        // a(1) b(2) c(3) on one slot, d(4) then e(1) on the other: 6 s, the chain.
        #expect(two.wallSeconds == 6)
        #expect(two.criticalPathSeconds == 6)
        #expect(two.criticalPath == [0, 1, 2])
        let one = RunEstimate(plan: try plan(text, jobs: 1), seconds: seconds, stats: Array(repeating: nil, count: 5))
        #expect(one.wallSeconds == 11)
        #expect(one.withoutHistory == 0 && one.hasHistory)
    }

    @Test func ticketsWithoutHistoryCountAtTheMedianAndAreCounted() throws {
        let text = "a:\n    true\nb:\n    true\nc:\n    true\n"
        let estimate = RunEstimate(plan: try plan(text, jobs: 1), seconds: [1, 3, nil], stats: [nil, nil, nil])
        #expect(estimate.withoutHistory == 1)
        #expect(estimate.assumedSeconds == 3)
        #expect(estimate.wallSeconds == 7)
        let none = RunEstimate(plan: try plan(text, jobs: 1), seconds: [nil, nil, nil], stats: [nil, nil, nil])
        #expect(!none.hasHistory)
    }

    @Test func agentCostAndTokensAddUpOverPromptTicketsWithHistory() throws {
        let text = "a:\n    > do a\nb:\n    > do b\nc:\n    true\n"
        let stats: [AgentStats?] = [AgentStats(costUSD: 0.5, inputTokens: 100, outputTokens: 20), nil, nil]
        let estimate = RunEstimate(plan: try plan(text, jobs: 2), seconds: [10, nil, 1], stats: stats)
        #expect(estimate.prompts == 2 && estimate.promptsWithoutHistory == 1)
        #expect(estimate.costUSD == 0.5)
        #expect(estimate.tokens == 120)
    }

    @Test func deviationInWords() {
        #expect(RunEstimate.deviation(actual: 1.1, estimated: 1) == "10% over")
        #expect(RunEstimate.deviation(actual: 0.8, estimated: 1) == "20% under")
        #expect(RunEstimate.deviation(actual: 1.001, estimated: 1) == "as estimated")
    }
}

/// The per-ticket overhead measured from the latest run's journal.
@Suite struct TicketHistoryTests {
    @Test func overheadIsALowQuantileOfTheGapsBetweenAnEndAndTheNextStartInOneSlot() {
        let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")
        var records: [JournalRecord] = [.run(.init(run: "r", manifest: "/m", manifestHash: "x", jobs: 1, owner: owner, time: 0, resumes: nil, joined: false))]
        var time = 0.0
        // One slot: ten tickets of 0.1 s, the gap before each next start 0.004 s, one long idle wait of 2 s.
        for index in 0..<10 {
            let id = "t\(index)"
            records.append(.start(.init(run: "r", id: id, attempt: 1, recipe: "h", process: owner, owner: owner, worker: 0, time: time)))
            time += 0.1
            records.append(.end(.init(run: "r", id: id, attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 0.1, time: time)))
            time += index == 4 ? 2 : 0.004
        }
        let history = TicketHistory(records: records, manifest: "/m", durations: DurationHistory())
        #expect(abs(history.overheadSeconds - 0.004) < 1e-9)
        #expect(history.seconds["t3"] == 0.1)
        #expect(TicketHistory(records: Array(records.prefix(7)), manifest: "/m", durations: DurationHistory()).overheadSeconds == 0, "too few gaps to tell")
        #expect(TicketHistory(records: records, manifest: "/other", durations: DurationHistory()).seconds.isEmpty)
    }
}
