import Testing
@testable import ParrunModel

/// The run loop hands the controller one array it keeps (`handle(_:now:wallNow:into:)`):
/// what the array held stays, the event's actions follow it, and a decision
/// that looks at "this event's actions" does not see the earlier ones.
@Suite struct RunControllerActionBufferTests {
    private func controller(_ manifest: String, jobs: Int) throws -> RunController {
        let graph = try validGraph(manifest)
        let plan = Plan(graph: graph, runs: Plan.freshRunMask(graph), jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 2, ticketsToRun: graph.count))
        return RunController(plan: plan, options: RunOptions(), random: SeededGenerator(seed: 1))
    }

    private func described(_ actions: some Sequence<RunController.Action>) -> [String] {
        actions.map { String(describing: $0) }
    }

    @Test func theEventsActionsFollowWhatTheArrayHeld() throws {
        let manifest = lines("a:", "    x", "b:", "    x", "c: a", "    x")
        var returning = try controller(manifest, jobs: 2)
        var appending = try controller(manifest, jobs: 2)
        let returned = returning.handle(.begin, now: 0, wallNow: 0)
        var buffer: [RunController.Action] = [.releaseClaim(ticket: 2)]
        appending.handle(.begin, now: 0, wallNow: 0, into: &buffer)
        #expect(described(returned) == ["start(ticket: 0, worker: 0)", "start(ticket: 1, worker: 1)"])
        #expect(described(buffer) == ["releaseClaim(ticket: 2)"] + described(returned))
        // The controller's own scratch list of started tickets starts empty on every event.
        _ = returning.handle(.launched(ticket: 0), now: 0, wallNow: 0)
        appending.handle(.launched(ticket: 0), now: 0, wallNow: 0, into: &buffer)
        #expect(buffer.count == 3, "nothing new to start: \(described(buffer))")
    }

    @Test func aLostJournalSaysWhyTheRunStopsEvenAfterAnEarlierStoppingLine() throws {
        var run = try controller(lines("a:", "    x"), jobs: 1)
        var buffer: [RunController.Action] = [.report(.stopping(signal: nil, reason: "an earlier event's"))]
        run.handle(.stateLost("disk full"), now: 0, wallNow: 0, into: &buffer)
        let stopping = buffer.filter { if case .report(.stopping) = $0 { true } else { false } }
        #expect(stopping.count == 2, "\(described(buffer))")
        #expect(described(stopping).last?.contains("disk full") == true)
    }
}
