import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

@Suite struct TicketGraphTests {
    @Test func duplicateIDsAreReportedAtBothPlaces() {
        let source = SourceFile(name: "m", text: lines("a:", "b:", "a:"))
        let (_, diagnostics) = TicketGraph.build(from: ManifestReader.read(source).manifest!)
        let diagnostic = diagnostics.diagnostics.first
        let map = SourceMap(source)
        #expect(diagnostic?.message == "ticket id 'a' is used twice")
        #expect(diagnostic.flatMap(\.span).map { map.lineColumn(of: $0.offset) } == LineColumn(line: 3, column: 1))
        #expect(diagnostic?.notes.first?.span.map { map.lineColumn(of: $0.offset) } == LineColumn(line: 1, column: 1))
    }

    @Test func unknownDependenciesSuggestACloseID() {
        let result = check(lines("build:", "test: biuld", "deploy: nothing-like-it"))
        #expect(result.graph == nil)
        #expect(result.problems == [
            "2:7: error: ticket 'test' depends on 'biuld', which is not a ticket in this manifest",
            "3:9: error: ticket 'deploy' depends on 'nothing-like-it', which is not a ticket in this manifest",
        ])
        let source = SourceFile(name: "m", text: lines("build:", "test: biuld"))
        let diagnostics = TicketGraph.build(from: ManifestReader.read(source).manifest!).diagnostics.diagnostics
        #expect(diagnostics.first?.help == "did you mean 'build'?")
    }

    @Test func selfDependencyIsItsOwnError() {
        #expect(check(lines("a: a")).problems == ["1:4: error: ticket 'a' depends on itself"])
    }

    @Test func repeatedDependencyIsAWarningAndCountsOnce() throws {
        let (graph, problems) = check(lines("a:", "b: a a"))
        #expect(problems == ["2:6: warning: ticket 'b' lists dependency 'a' twice"])
        #expect(try #require(graph).edgeCount == 1)
    }

    @Test(arguments: 2...7)
    func cyclesOfEveryLengthPrintTheirWholePath(length: Int) {
        // t0 depends on t1, ..., the last on t0.
        let text = (0..<length).map { "t\($0): t\(($0 + 1) % length)" }.joined(separator: "\n") + "\n"
        let path = (0..<length).map { "t\($0)" } + ["t0"]
        #expect(check(text).problems == ["1:5: error: dependency cycle: " + path.joined(separator: " -> ")])
    }

    @Test func cycleNotesPointAtEachDependencyOnThePath() {
        let source = SourceFile(name: "m", text: lines("a: b", "b: c", "c: a"))
        let diagnostic = TicketGraph.build(from: ManifestReader.read(source).manifest!).diagnostics.diagnostics.first
        let map = SourceMap(source)
        #expect(diagnostic?.notes.map(\.message) == ["'b' depends on 'c' here", "'c' depends on 'a' here"])
        #expect(diagnostic?.notes.compactMap(\.span).map { map.lineColumn(of: $0.offset).line } == [2, 3])
    }

    @Test func everyIndependentCycleIsReportedOnceAndTicketsBelowACycleAreNotBlamed() {
        let problems = check(lines("a: b", "b: a", "c: a", "x: y", "y: z", "z: x", "ok:")).problems
        #expect(problems == [
            "1:4: error: dependency cycle: a -> b -> a",
            "4:4: error: dependency cycle: x -> y -> z -> x",
        ])
    }

    @Test func cycleInsideALargerComponentIsFoundByItsShortestPath() {
        // a -> b -> c -> a, with a chord b -> a making a shorter cycle through a.
        #expect(check(lines("a: b", "b: c a", "c: a")).problems == ["1:4: error: dependency cycle: a -> b -> a"])
    }

    @Test func diamondHasThreeWavesAndTwoCriticalPaths() throws {
        let graph = try validGraph(lines("top:", "left: top", "right: top", "bottom: left right"))
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: nil, environment: nil, manifest: nil, cores: 2, ticketsToRun: 4))
        #expect(plan.waves.waves == [[0], [1, 2], [3]])
        #expect(plan.criticalPath.path == [0, 1, 3], "ties go to the ticket earliest in the manifest")
        #expect(plan.counts == Plan.Counts(tickets: 4, toRun: 4, done: 0, edges: 4, waves: 3, widestWave: 2, widestWaveNumber: 2, criticalPath: 3))
    }

    @Test func disconnectedPartsShareWavesByDepth() throws {
        let graph = try validGraph(lines("a:", "b: a", "x:", "y: x", "z: y", "lonely:"))
        let waves = Waves(graph: graph, runs: Plan.freshRunMask(graph))
        #expect(waves.waves.map { $0.map { graph.tickets[$0].id } } == [["a", "x", "lonely"], ["b", "y"], ["z"]])
        #expect(CriticalPath(graph: graph, runs: Plan.freshRunMask(graph)).path.map { graph.tickets[$0].id } == ["x", "y", "z"])
    }

    @Test func waveIsTheLongestChainBelowNotTheShortest() throws {
        let graph = try validGraph(lines("a:", "b: a", "c: b", "d: a c"))
        #expect(Waves(graph: graph, runs: Plan.freshRunMask(graph)).waveOfTicket == [0, 1, 2, 3])
    }

    @Test func doneTicketsDoNotRunAndDoNotHoldDependentsBack() throws {
        let graph = try validGraph(#"[{"id": "a", "status": "done"}, {"id": "b", "dependsOn": ["a"]}, {"id": "c", "dependsOn": ["b"]}]"#)
        let runs = Plan.freshRunMask(graph)
        #expect(runs == [false, true, true])
        let waves = Waves(graph: graph, runs: runs)
        #expect(waves.waves == [[1], [2]])
        #expect(waves.waveOfTicket == [nil, 0, 1])
        #expect(CriticalPath(graph: graph, runs: runs).path == [1, 2])
    }

    @Test func criticalPathFollowsWeightsWhenDurationsAreKnown() throws {
        let graph = try validGraph(lines("a:", "b:", "c: a b"))
        let path = CriticalPath(graph: graph, runs: [true, true, true], weights: [1, 10, 1])
        #expect(path.path == [1, 2])
        #expect(path.length == 11)
        #expect(path.remaining == [2, 11, 1])
    }

    @Test func dependentsAreTheReverseOfDependencies() throws {
        let graph = try validGraph(lines("a:", "b: a", "c: a b"))
        #expect(Array(graph.dependents(of: 0)) == [1, 2])
        #expect(Array(graph.dependents(of: 1)) == [2])
        #expect(Array(graph.dependencies(of: 2)) == [0, 1])
        #expect(graph.topologicalOrder == [0, 1, 2])
    }

    /// The graph algorithms are iterative: a chain as long as the manifest is fine.
    @Test func handlesAHundredThousandLongChain() throws {
        let count = 100_000
        var text = "t0:\n"
        for index in 1..<count { text += "t\(index): t\(index - 1)\n" }
        let graph = try validGraph(text)
        let runs = Plan.freshRunMask(graph)
        let waves = Waves(graph: graph, runs: runs)
        #expect(waves.waves.count == count)
        #expect(CriticalPath(graph: graph, runs: runs).path.count == count)
    }

    @Test func aHundredThousandLongCycleIsFoundWithoutRecursion() {
        let count = 100_000
        var text = ""
        for index in 0..<count { text += "t\(index): t\((index + 1) % count)\n" }
        let problems = check(text).problems
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("1:5: error: dependency cycle: t0 -> t1 -> t2") == true)
        #expect(problems.first?.hasSuffix("t99999 -> t0") == true)
    }
}
