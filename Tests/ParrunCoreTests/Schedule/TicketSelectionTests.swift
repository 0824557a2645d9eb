import Testing
@testable import ParrunModel
@testable import ParrunSupport

/// Targets, `--label` and `--limit` on a 60-ticket graph, checked against a
/// reference computed here from the manifest's own text, independently of parrun's graph.
@Suite struct TicketSelectionTests {
    static let labelPool = ["fast", "slow", "db", "ui"]

    /// A deterministic random 60-ticket DAG: a few dependencies each on earlier
    /// tickets, labels, priorities, some done, some without a recipe.
    struct Project {
        var ids: [String] = []
        var dependencies: [String: [String]] = [:]
        var labels: [String: Set<String>] = [:]
        var priority: [String: Int] = [:]
        var done: Set<String> = []
        var groups: Set<String> = []
        var json = ""

        /// `recipe`: the shell recipe of a ticket, by id.
        init(seed: UInt64, count: Int = 60, recipe: (String) -> String = { _ in "true" }) {
            var state = seed
            func next(_ bound: Int) -> Int {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int((state >> 33) % UInt64(bound))
            }
            var tickets: [String] = []
            for index in 0..<count {
                let id = "t\(index)"
                ids.append(id)
                let deps = index == 0 ? [] : Array(Set((0..<next(4)).map { _ in "t\(next(index))" })).sorted()
                dependencies[id] = deps
                labels[id] = Set(Self.pool.filter { _ in next(3) == 0 })
                priority[id] = next(3)
                if next(10) == 0 { done.insert(id) }
                if next(20) == 0 { groups.insert(id) }
                var fields = ["\"id\": \"\(id)\"", "\"dependsOn\": [\(deps.map { "\"\($0)\"" }.joined(separator: ", "))]", "\"priority\": \(priority[id]!)"]
                fields.append("\"labels\": [\(labels[id]!.sorted().map { "\"\($0)\"" }.joined(separator: ", "))]")
                if done.contains(id) { fields.append("\"status\": \"done\"") }
                if !groups.contains(id) { fields.append("\"run\": \"\(recipe(id))\"") }
                tickets.append("{" + fields.joined(separator: ", ") + "}")
            }
            json = "{\"tickets\": [\n" + tickets.joined(separator: ",\n") + "\n]}\n"
        }

        static let pool = TicketSelectionTests.labelPool

        /// `roots` and everything they depend on, by plain recursion.
        func closure(_ roots: some Sequence<String>) -> Set<String> {
            var seen = Set<String>()
            func visit(_ id: String) {
                guard seen.insert(id).inserted else { return }
                for dependency in dependencies[id] ?? [] { visit(dependency) }
            }
            for root in roots { visit(root) }
            return seen
        }

        func labelled(_ wanted: [String]) -> [String] {
            ids.filter { labels[$0]!.isSuperset(of: wanted) }
        }
    }

    private func choose(_ project: Project, _ request: TicketSelection.Request, base: [Bool]? = nil) throws -> (TicketSelection, TicketGraph) {
        let graph = try validGraph(project.json)
        let choice = try TicketSelection.choose(request, graph: graph, runs: base ?? Plan.freshRunMask(graph))
        return (choice, graph)
    }

    private func ran(_ choice: TicketSelection, _ graph: TicketGraph) -> Set<String> {
        Set(graph.tickets.indices.filter { choice.runs[$0] }.map { graph.tickets[$0].id })
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func targetsRunThemAndEverythingTheyNeedThatIsNotDone(seed: UInt64) throws {
        let project = Project(seed: seed)
        let targets = ["t59", "t41", "t23"]
        let (choice, graph) = try choose(project, .init(targets: targets))
        #expect(ran(choice, graph) == project.closure(targets).subtracting(project.done))
        for index in graph.tickets.indices where choice.runs[index] {
            let id = graph.tickets[index].id
            switch choice.reasons[index] {
            case .target?: #expect(targets.contains(id))
            case .dependency(let of)?:
                #expect(!targets.contains(id))
                #expect(project.dependencies[of]!.contains(id), "\(id) pulled in by \(of), which does not depend on it")
                #expect(project.closure(targets).contains(of))
            default: Issue.record("\(id): \(String(describing: choice.reasons[index]))")
            }
        }
        #expect(Set(graph.tickets.indices.filter { choice.considered[$0] }.map { graph.tickets[$0].id }) == project.closure(targets))
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func labelsChooseTicketsCarryingEveryLabelGivenWithTheirDependencies(seed: UInt64) throws {
        let project = Project(seed: seed)
        for wanted in [["db"], ["db", "fast"], ["ui"]] {
            let roots = project.labelled(wanted)
            guard !roots.isEmpty else { continue }
            let (choice, graph) = try choose(project, .init(labels: wanted))
            #expect(ran(choice, graph) == project.closure(roots).subtracting(project.done), "labels \(wanted)")
            for index in graph.tickets.indices where choice.runs[index] && roots.contains(graph.tickets[index].id) {
                #expect(choice.reasons[index] == .label(wanted))
            }
        }
    }

    @Test func labelsFilterWhatTheTargetsNeed() throws {
        let project = Project(seed: 7)
        let targets = ["t58", "t45"]
        let scope = project.closure(targets)
        let roots = project.labelled(["fast"]).filter(scope.contains)
        try #require(!roots.isEmpty)
        let (choice, graph) = try choose(project, .init(targets: targets, labels: ["fast"]))
        #expect(ran(choice, graph) == project.closure(roots).subtracting(project.done))
    }

    @Test func aResumedRunRunsOnlyWhatItWouldHaveRunOfTheTargets() throws {
        let project = Project(seed: 3)
        let graph = try validGraph(project.json)
        // What --resume would run: every third ticket "already succeeded".
        let base = graph.tickets.indices.map { !graph.tickets[$0].isDone && $0 % 3 != 0 }
        let choice = try TicketSelection.choose(.init(targets: ["t59", "t30"]), graph: graph, runs: base)
        let expected = project.closure(["t59", "t30"]).filter { id in base[graph.index(of: id)!] }
        #expect(ran(choice, graph) == Set(expected))
    }

    @Test(arguments: [1, 5, 17, 200])
    func limitKeepsTheFirstTicketsAOneJobRunStartsClosedUnderDependencies(limit: Int) throws {
        let project = Project(seed: 11)
        let (choice, graph) = try choose(project, .init(limit: limit))
        let fresh = Plan.freshRunMask(graph)
        let kept = ran(choice, graph)
        let withRecipe = kept.filter { !project.groups.contains($0) }
        let runnable = graph.tickets.indices.filter { fresh[$0] && graph.tickets[$0].recipe != .none }.count
        #expect(withRecipe.count == min(limit, runnable))
        for id in kept {
            for dependency in project.dependencies[id]! where !project.done.contains(dependency) {
                #expect(kept.contains(dependency), "\(id) kept without its dependency \(dependency)")
            }
        }
        #expect(choice.pendingCount == fresh.filter { $0 }.count - kept.count)
        // Reference: a one-job list schedule by (priority, longest chain after it, manifest order).
        #expect(kept == referenceLimit(project, limit: limit))
    }

    /// `--limit` computed without parrun's scheduler pieces.
    private func referenceLimit(_ project: Project, limit: Int) -> Set<String> {
        let running = project.ids.filter { !project.done.contains($0) }
        let runningSet = Set(running)
        var dependents: [String: [String]] = [:]
        for id in running { for dependency in project.dependencies[id]! where runningSet.contains(dependency) { dependents[dependency, default: []].append(id) } }
        var memo: [String: Int] = [:]
        func chain(_ id: String) -> Int {
            if let known = memo[id] { return known }
            let value = 1 + ((dependents[id] ?? []).map(chain).max() ?? 0)
            memo[id] = value
            return value
        }
        let index = Dictionary(uniqueKeysWithValues: project.ids.enumerated().map { ($1, $0) })
        var kept = Set<String>()
        var started = 0
        var rejected = Set<String>()
        while true {
            let ready = running.filter { id in
                !kept.contains(id) && !rejected.contains(id)
                    && project.dependencies[id]!.allSatisfy { !runningSet.contains($0) || kept.contains($0) }
            }
            guard let best = ready.min(by: { a, b in
                (project.priority[a]!, -chain(a), index[a]!) < (project.priority[b]!, -chain(b), index[b]!)
            }) else { break }
            let free = project.groups.contains(best)
            if free || started < limit {
                kept.insert(best)
                if !free { started += 1 }
            } else {
                rejected.insert(best)
            }
        }
        return kept
    }

    @Test func limitReasonsSayPending() throws {
        let project = Project(seed: 2)
        let (choice, graph) = try choose(project, .init(targets: ["t59"], limit: 2))
        let pending = graph.tickets.indices.filter { choice.reasons[$0] == .pending(limit: 2) }
        #expect(pending.count == choice.pendingCount)
        #expect(pending.allSatisfy { !choice.runs[$0] })
        #expect(TicketSelection.Reason.pending(limit: 2).description == "pending: beyond --limit 2, left for the next run")
    }

    @Test func unknownTargetsAreAllNamedWithTheNearestIds() throws {
        let project = Project(seed: 1)
        #expect(throws: TicketSelection.Problem.unknownTargets([
            .init(id: "t5x", suggestions: ["t5", "t50", "t51"]),
            .init(id: "zzzzzz", suggestions: []),
        ])) {
            _ = try choose(project, .init(targets: ["t3", "t5x", "zzzzzz"]))
        }
    }

    @Test func aLabelNoTicketCarriesIsAProblemListingTheLabelsInUse() throws {
        let project = Project(seed: 1)
        #expect(throws: TicketSelection.Problem.noTicketLabelled(["dbb"], withinTargets: false, known: ["db", "fast", "slow", "ui"])) {
            _ = try choose(project, .init(labels: ["dbb"]))
        }
        #expect(throws: TicketSelection.Problem.noTicketLabelled(["fast"], withinTargets: true, known: ["db", "fast", "slow", "ui"])) {
            // t0 depends on nothing; give it a label it lacks.
            let graph = try validGraph(project.json)
            let root = graph.tickets.indices.first { graph.dependencies(of: $0).isEmpty && !graph.tickets[$0].labels.contains("fast") }!
            _ = try TicketSelection.choose(.init(targets: [graph.tickets[root].id], labels: ["fast"]), graph: graph, runs: Plan.freshRunMask(graph))
        }
    }

    @Test func theNarrowedGraphKeepsTheChosenTicketsAndTheirEdges() throws {
        let project = Project(seed: 4)
        let (choice, graph) = try choose(project, .init(targets: ["t50"]))
        let (subgraph, original) = graph.restricted(to: choice.considered)
        #expect(Set(subgraph.tickets.map(\.id)) == project.closure(["t50"]))
        for index in 0..<subgraph.count {
            let id = subgraph.tickets[index].id
            #expect(Set(subgraph.dependencies(of: index).map { subgraph.tickets[Int($0)].id }) == Set(project.dependencies[id]!))
            #expect(graph.tickets[original[index]].id == id)
        }
        var position = [Int](repeating: 0, count: subgraph.count)
        for (order, index) in subgraph.topologicalOrder.enumerated() { position[index] = order }
        for index in 0..<subgraph.count {
            for dependency in subgraph.dependencies(of: index) { #expect(position[Int(dependency)] < position[index]) }
        }
    }

    @Test func labelsAreReadFromJSONListsTextAttributesAndStores() throws {
        let text = try validGraph("a:\n    true\n    @labels db, fast\nb: a\n    true\n")
        #expect(text.tickets.map(\.labels) == [["db", "fast"], []])
        let json = try validGraph(#"{"tickets": [{"id": "a", "labels": ["x", "y"]}, {"id": "b", "labels": "x, z"}]}"#)
        #expect(json.tickets.map(\.labels) == [["x", "y"], ["x", "z"]])
        let beads = try validGraph(#"{"id": "bd-1", "status": "open", "issue_type": "task", "labels": ["backend"]}"# + "\n" + #"{"id": "bd-2", "status": "open", "issue_type": "task"}"# + "\n")
        #expect(beads.tickets[0].labels == ["backend"])
        let (_, problems) = check(#"{"tickets": [{"id": "a", "labels": 3}]}"#)
        #expect(problems.contains { $0.contains("labels") && $0.contains("error") }, "\(problems)")
    }
}
