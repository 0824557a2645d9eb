import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// The manifests in Examples/ are what new users run first: they must stay valid,
/// and tickets.json and Parrunfile must describe the same graph.
@Suite struct ExamplesTests {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Examples")

    private func plan(_ name: String) throws -> Plan {
        let bytes = try [UInt8](Data(contentsOf: Self.examples.appendingPathComponent(name)))
        let read = ManifestReader.read(SourceFile(name: name, bytes: bytes))
        #expect(read.diagnostics.diagnostics.isEmpty, "\(name): \(read.diagnostics.diagnostics.map(\.message))")
        let manifest = try #require(read.manifest)
        let built = TicketGraph.build(from: manifest)
        #expect(built.diagnostics.diagnostics.isEmpty, "\(name): \(built.diagnostics.diagnostics.map(\.message))")
        let graph = try #require(built.graph)
        let jobs = JobCount.resolve(commandLine: .count(2), environment: nil, manifest: manifest.settings.jobs, cores: 4, ticketsToRun: 0)
        return Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: jobs, pools: manifest.settings.pools)
    }

    @Test func ticketsJSONAndParrunfileAreTheSameGraph() throws {
        let json = GraphFormat.json.render(try plan("tickets.json"), manifestName: "x")
        let text = GraphFormat.json.render(try plan("Parrunfile"), manifestName: "x")
        #expect(json == text)
        let tickets = try plan("tickets.json")
        #expect(tickets.counts.tickets >= 10)
        #expect(tickets.counts.done == 1)
    }

    @Test func theFormatsAgreeOnEveryRecipe() throws {
        let json = try plan("tickets.json").graph.tickets
        let text = try plan("Parrunfile").graph.tickets
        #expect(json.map(\.recipe) == text.map(\.recipe))
        #expect(json.map(\.timeoutSeconds) == text.map(\.timeoutSeconds))
        #expect(json.map(\.title) == text.map(\.title))
    }

    @Test func agentsAreClaudePrompts() throws {
        let tickets = try plan("agents.json").graph.tickets
        #expect(tickets.filter { if case .prompt = $0.recipe { true } else { false } }.count >= 3)
    }
}
