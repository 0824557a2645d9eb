import Testing
@testable import ParrunCLI
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// Which run an invocation makes: fresh, `--resume`, or joining a live run.
/// Pure: the journal's records and which processes live are given.
@Suite struct RunSelectionTests {
    private let text = lines("a:", "    true", "b: a", "    true")
    private let parrun = ProcessIdentity(pid: 100, startTicks: 5, host: "here")
    private let recipe = ProcessIdentity(pid: 200, startTicks: 6, host: "here")

    private func decide(_ records: [JournalRecord], resume: Bool, alive: Set<Int32> = []) throws -> RunSelection {
        let source = SourceFile(name: "m", text: text)
        let checked = ValidatedManifest(source)
        let manifest = try #require(checked.manifest)
        let graph = try #require(checked.graph)
        return RunSelection.decide(
            graph: graph, manifest: manifest, recipeHashes: ["ha", "hb"], records: records,
            resume: resume, isRunning: { alive.contains($0.pid) })
    }

    /// A run of this manifest where a succeeded and b started (and, if `ended`, failed).
    private func records(bEnded: Bool) -> [JournalRecord] {
        let path = RunSelection.manifestIdentity(SourceFile(name: "m", text: text))
        var records: [JournalRecord] = [
            .header,
            .run(.init(run: "r1", manifest: path, manifestHash: "x", jobs: 1, owner: parrun, time: 1, resumes: nil, joined: false)),
            .start(.init(run: "r1", id: "a", attempt: 1, recipe: "ha", process: recipe, owner: parrun, worker: 0, time: 2)),
            .end(.init(run: "r1", id: "a", attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 1, time: 3)),
            .start(.init(run: "r1", id: "b", attempt: 1, recipe: "hb", process: recipe, owner: parrun, worker: 0, time: 4)),
        ]
        if bEnded {
            records.append(.end(.init(run: "r1", id: "b", attempt: 1, status: "failed", exitCode: 1, signal: nil, seconds: 1, time: 5)))
            records.append(.runEnd(.init(run: "r1", status: "failed", owner: parrun, time: 6)))
        }
        return records
    }

    @Test func withoutAJournalARunIsFresh() throws {
        let selection = try decide([], resume: false)
        #expect(selection.mode == .fresh)
        #expect(selection.runs == [true, true])
        #expect(selection.notices.isEmpty)
        let resumed = try decide([], resume: true)
        #expect(resumed.mode == .fresh)
        #expect(resumed.notices == ["parrun: no earlier run of m to resume; starting a fresh run"])
    }

    @Test func anUnfinishedRunIsResumedOnlyWhenAsked() throws {
        let fresh = try decide(records(bEnded: true), resume: false)
        #expect(fresh.mode == .fresh)
        #expect(fresh.runs == [true, true])
        #expect(fresh.notices.count == 1)
        #expect(fresh.notices.first?.contains("did not finish (1 ticket left); `parrun --resume` continues it") == true)

        let resumed = try decide(records(bEnded: true), resume: true)
        #expect(resumed.mode == .resume("r1"))
        #expect(resumed.runs == [false, true])
        #expect(resumed.reasons == [nil, .ended("failed")])
    }

    /// A run where b, a prompt ticket, got session s1 and ended with `status` (or never ended).
    private func records(bSessionEnded status: String?) -> [JournalRecord] {
        var records = Array(records(bEnded: false).dropLast())
        records.append(.start(.init(run: "r1", id: "b", attempt: 1, recipe: "hb", process: recipe, owner: parrun, worker: 0, time: 4, session: "s1")))
        records.append(.session(.init(run: "r1", id: "b", attempt: 1, session: "s1", time: 4.5)))
        if let status {
            records.append(.end(.init(run: "r1", id: "b", attempt: 1, status: status, exitCode: nil, signal: "SIGTERM", seconds: 1, time: 5)))
            records.append(.runEnd(.init(run: "r1", status: status == "interrupted" ? "interrupted" : "failed", owner: parrun, time: 6)))
        }
        return records
    }

    @Test func anInterruptedAgentContinuesItsSessionWhetherItsParrunDiedOrStoppedIt() throws {
        #expect(try decide(records(bSessionEnded: nil), resume: true).sessionsToContinue == ["b": "s1"], "kill -9")
        #expect(try decide(records(bSessionEnded: "interrupted"), resume: true).sessionsToContinue == ["b": "s1"], "Ctrl-C or SIGTERM")
        for status in ["failed", "timed-out"] {
            #expect(try decide(records(bSessionEnded: status), resume: true).sessionsToContinue.isEmpty, "\(status) starts afresh")
        }
        #expect(try decide(records(bSessionEnded: "interrupted"), resume: false).sessionsToContinue.isEmpty, "a fresh run starts afresh")
    }

    @Test func aResumedRunCountsWhatItsAgentsCostBefore() throws {
        var records = records(bEnded: false)
        records.append(.end(.init(run: "r1", id: "b", attempt: 1, status: "failed", exitCode: 1, signal: nil, seconds: 1, time: 5,
                                  stats: AgentStats(costUSD: 0.5))))
        records.append(.run(.init(run: "r2", manifest: RunSelection.manifestIdentity(SourceFile(name: "m", text: text)), manifestHash: "x", jobs: 1, owner: parrun, time: 7, resumes: "r1", joined: false)))
        records.append(.start(.init(run: "r2", id: "b", attempt: 2, recipe: "hb", process: recipe, owner: parrun, worker: 0, time: 8)))
        records.append(.end(.init(run: "r2", id: "b", attempt: 2, status: "failed", exitCode: 1, signal: nil, seconds: 1, time: 9,
                                  stats: AgentStats(costUSD: 0.25))))
        #expect(try decide(records, resume: true).costSpentEarlierUSD == 0.75, "every run of the chain")
        #expect(try decide(records, resume: false).costSpentEarlierUSD == 0, "a fresh run has a budget of its own")
    }

    @Test func aLiveRunIsJoinedNotRestarted() throws {
        let selection = try decide(records(bEnded: false), resume: false, alive: [parrun.pid, recipe.pid])
        #expect(selection.mode == .join("r1", owner: parrun))
        #expect(selection.runs == [false, true], "b is left to the claims: its owner runs it")
        #expect(selection.orphans.isEmpty)
    }

    @Test func aRecipeStillRunningAfterItsParrunDiedIsAnOrphanToStop() throws {
        let selection = try decide(records(bEnded: false), resume: true, alive: [recipe.pid])
        #expect(selection.mode == .resume("r1"))
        #expect(selection.reasons == [nil, .interrupted])
        #expect(selection.orphans.map(\.ticket) == [1])
        #expect(selection.orphans.map(\.process) == [recipe])

        let gone = try decide(records(bEnded: false), resume: true)
        #expect(gone.orphans.isEmpty, "a recipe that is gone needs no stopping")
    }

    @Test func manifestsFromStandardInputAreTheSameOnlyWithTheSameContent() {
        let one = RunSelection.manifestIdentity(SourceFile(name: "<stdin>", text: "a:\n    true\n"))
        #expect(one == RunSelection.manifestIdentity(SourceFile(name: "<stdin>", text: "a:\n    true\n")))
        #expect(one != RunSelection.manifestIdentity(SourceFile(name: "<stdin>", text: "a:\n    false\n")))
        #expect(one.hasPrefix("<stdin "))
    }
}
