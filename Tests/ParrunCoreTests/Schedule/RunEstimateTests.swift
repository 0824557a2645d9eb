import Testing
@testable import ParrunModel

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
