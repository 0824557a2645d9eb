import Testing
@testable import ParrunModel
@testable import ParrunSupport

/// A ticket's fields live in a box its copies share (Ticket.swift): a ticket
/// must still behave as a value, a change to one copy never showing in another.
@Suite struct TicketValueTests {
    private func ticket() -> Ticket {
        var ticket = Ticket(id: "a", idSpan: SourceSpan(offset: 0), title: "first", recipe: .shell("true"))
        ticket.labels = ["x"]
        ticket.files = DeclaredFiles(inputs: ["in"], outputs: [])
        return ticket
    }

    @Test func aChangedCopyLeavesTheOriginalAsItWas() {
        let original = ticket()
        var copy = original
        copy.id = "b"
        copy.title = nil
        copy.labels.append("y")
        copy.dependencies.append(TicketReference(id: "z", span: SourceSpan(offset: 1)))
        copy.recipe = .prompt("do it")
        copy.review = true
        copy.agent = .codex
        copy.slurm.cpus = 4
        copy.files = nil

        #expect(original.id == "a")
        #expect(original.title == "first")
        #expect(original.labels == ["x"])
        #expect(original.dependencies.isEmpty)
        #expect(original.recipe == .shell("true"))
        #expect(!original.review)
        #expect(original.agent == nil)
        #expect(original.slurm.cpus == nil)
        #expect(original.files?.inputs == ["in"])

        #expect(copy.id == "b")
        #expect(copy.title == nil)
        #expect(copy.labels == ["x", "y"])
        #expect(copy.dependencies.map(\.id) == ["z"])
        #expect(copy.agent == .codex)
        #expect(copy.slurm.cpus == 4)
        #expect(copy.files == nil)
    }

    @Test func theOriginalChangedLeavesItsCopiesAsTheyWere() {
        var original = ticket()
        let copies = [original, original]
        original.environment.append(EnvironmentVariable(name: "A", value: "1"))
        original.priority = 7
        #expect(copies.allSatisfy { $0.environment.isEmpty && $0.priority == 0 })
        #expect(original.environment.map(\.name) == ["A"])
        #expect(original.priority == 7)
    }

    @Test func aTicketChangedInAnArrayChangesOnlyThatElement() {
        var tickets = [ticket(), ticket()]
        let before = tickets
        tickets[1].id = "c"
        tickets[1].labels.removeAll()
        #expect(tickets.map(\.id) == ["a", "c"])
        #expect(tickets[0].labels == ["x"])
        #expect(before.map(\.id) == ["a", "a"])
        #expect(before[1].labels == ["x"])
    }
}
