import Testing
@testable import ParrunCore
@testable import ParrunModel

/// Records what a reporter writes, stream by stream, in order.
final class RecordingSink: OutputSink {
    var writes: [(stream: String, text: String)] = []
    func writeOutput(_ text: String) { writes.append(("out", text)) }
    func writeMessage(_ text: String) { writes.append(("err", text)) }
    func flush() {}
    var output: String { writes.filter { $0.stream == "out" }.map(\.text).joined() }
    var messages: String { writes.filter { $0.stream == "err" }.map(\.text).joined() }
}

@Suite struct HumanReporterTests {
    private func plan(jobs: Int) throws -> Plan {
        let graph = try validGraph(lines("a:", "b: a"))
        return Plan(graph: graph, runs: [true, true], jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2))
    }

    @Test func plainModePrintsEventLinesAndPrefixedOutput() throws {
        let sink = RecordingSink()
        var reporter = HumanReporter(plan: try plan(jobs: 2), options: RunOptions(), style: .init(statusLine: false, color: false), sink: sink)
        reporter.report(.ticketStarted(ticket: 0, attempt: 1, worker: 0, pid: 10), elapsed: 0)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "hello"), elapsed: 0.1)
        reporter.report(.ticketEnded(ticket: 0, attempt: 1, worker: 0, outcome: .failed(.exited(2)), seconds: 1.5, retryIn: nil, stats: nil), elapsed: 1.5)
        reporter.report(.ticketSkipped(ticket: 1, dependency: 0, cause: 0), elapsed: 1.5)
        #expect(sink.output == "[a] hello\n")
        #expect(sink.messages == "start a\nFAIL a exit 2 (log: .parrun/logs/a.log)\nskip b (dependency 'a' did not succeed)\n")
    }

    @Test func theStatusLineIsClearedBeforeOutputAndRedrawnAfter() throws {
        let sink = RecordingSink()
        var reporter = HumanReporter(plan: try plan(jobs: 2), options: RunOptions(), style: .init(statusLine: true, color: false, width: 80), sink: sink)
        reporter.report(.runStarted(RunStart(runID: "r", manifestName: "m", jobs: 2, tickets: 2, toRun: 2, startedAt: 0)), elapsed: 0)
        reporter.report(.ticketStarted(ticket: 0, attempt: 1, worker: 0, pid: 10), elapsed: 0)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "hello"), elapsed: 0.5)
        let streams = sink.writes.map(\.stream)
        let text = sink.writes.map(\.text)
        #expect(text.last?.hasPrefix("\r\u{1B}[K[0/2] running: a") == true, "redrawn after the line")
        let outputIndex = try #require(streams.firstIndex(of: "out"))
        #expect(text[outputIndex - 1] == "\r\u{1B}[K", "cleared before the line")
        #expect(!sink.messages.contains("start a"), "no start lines under a status line")
    }

    @Test func groupedOutputWaitsForTheEnd() throws {
        let sink = RecordingSink()
        var options = RunOptions()
        options.output = .grouped
        var reporter = HumanReporter(plan: try plan(jobs: 1), options: options, style: .init(statusLine: false, color: false), sink: sink)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "one"), elapsed: 0)
        #expect(sink.output.isEmpty)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "two"), elapsed: 0)
        reporter.report(.ticketEnded(ticket: 0, attempt: 1, worker: 0, outcome: .succeeded, seconds: 0.25, retryIn: nil, stats: nil), elapsed: 1)
        #expect(sink.output == "one\ntwo\n", "one job: no prefix")
        #expect(sink.messages == "ok a 250ms\n")
    }
}
