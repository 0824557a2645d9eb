import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Templates over store tickets: only tickets that run must fill them in, and
/// a field a store leaves out when empty is empty text.
@Suite struct StoreTemplateTests {
    private func prompts(_ text: String, template: String) -> (recipes: [Recipe]?, errors: [String]) {
        let checked = ValidatedManifest(SourceFile(name: "s", text: text), promptTemplate: (name: "t.md", text: template))
        return (checked.graph?.tickets.map(\.recipe), checked.templateErrors)
    }

    @Test func aDoneTicketWithoutTheFieldIsNoError() {
        let (recipes, errors) = prompts(#"{"tickets": [{"id": "a", "status": "closed"}, {"id": "b", "acceptance": "ok"}]}"#, template: "Do {{id}}: {{acceptance}}")
        #expect(errors.isEmpty)
        #expect(recipes?[1] == .prompt("Do b: ok"))
    }

    @Test func aHeldBackIssueWithoutTheFieldIsNoError() {
        let store = """
            {"id": "held", "status": "blocked", "issue_type": "task"}
            {"id": "after", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "after", "depends_on_id": "held", "type": "blocks"}]}
            {"id": "free", "status": "open", "issue_type": "task", "goal": "g"}
            """
        let (recipes, errors) = prompts(store, template: "{{id}}: {{goal}}")
        #expect(errors.isEmpty, "\(errors)")
        #expect(recipes?[2] == .prompt("free: g"))
    }

    @Test func aFieldOtherTicketsHaveIsEmptyAndOneNoTicketHasIsAnError() {
        let manifest = #"{"tickets": [{"id": "a", "goal": "g"}, {"id": "b"}]}"#
        let (recipes, errors) = prompts(manifest, template: "{{id}} [{{goal}}]")
        #expect(errors.isEmpty)
        #expect(recipes == [.prompt("a [g]"), .prompt("b []")])
        let (_, typo) = prompts(manifest, template: "{{id}} [{{gaol}}]")
        #expect(typo == ["t.md:1: `{{gaol}}`: ticket 'a' has no field `gaol` (every ticket has id, title, description, deps, priority)",
                         "t.md:1: `{{gaol}}`: ticket 'b' has no field `gaol` (every ticket has id, title, description, deps, priority)"])
    }

    @Test func aBeadsFieldBdLeavesOutWhenEmptyIsEmpty() {
        let (recipes, errors) = prompts(#"{"id": "bd-1", "title": "T", "status": "open", "issue_type": "task"}"#, template: "{{title}}; done when: {{acceptance_criteria}}.")
        #expect(errors.isEmpty, "\(errors)")
        #expect(recipes == [.prompt("T; done when: .")])
    }

    @Test func theReadmeTemplateFillsInOnTheRealStore() throws {
        let text = try String(contentsOf: TicketStoresTests.fixture, encoding: .utf8)
        let template = "Work on beads issue {{id}}: {{title}}\n\n{{description}}\n\nIt is done when: {{acceptance_criteria}}\n"
        let (recipes, errors) = prompts(text, template: template)
        #expect(errors.isEmpty, "\(errors.prefix(3))")
        #expect(recipes?.contains { if case .prompt = $0 { true } else { false } } == true)
    }

    @Test func aDefaultsTemplateIsNotFilledInForADoneTicket() {
        let manifest = #"{"defaults": {"run": "echo {{goal}}"}, "tickets": [{"id": "a", "status": "done"}, {"id": "b", "goal": "g"}]}"#
        let (graph, problems) = check(manifest)
        #expect(problems.isEmpty, "\(problems)")
        #expect(graph?.tickets[1].recipe == .shell("echo 'g'"))
    }
}
