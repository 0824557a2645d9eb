import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// Control characters in user data (ids, titles, paths, details, recipe
/// output) reach the terminal escaped in every report, never raw.
@Suite struct SafeOutputTests {
    static let hostile = "x\u{1B}[2J\u{7}\r\u{0}\u{9B}y"
    static let shownHostile = "x\\e[2J\\x07\\r\\0\\u009by"

    /// A plan of two tickets whose first id (which a ticket store could give)
    /// and title hold control characters; `b` depends on it.
    private func plan(jobs: Int, id: String = hostile) -> Plan {
        var first = Ticket(id: id, idSpan: SourceSpan(offset: 0), title: "title " + Self.hostile)
        first.recipe = .shell("true")
        let second = Ticket(id: "b", idSpan: SourceSpan(offset: 0), dependencies: [TicketReference(id: id, span: SourceSpan(offset: 0))], recipe: .shell("true"))
        let manifest = Manifest(source: SourceFile(name: "m", text: ""), format: .json, tickets: [first, second])
        let graph = TicketGraph.build(from: manifest).graph!
        return Plan(graph: graph, runs: [true, true], jobs: .resolve(commandLine: .count(jobs), environment: nil, manifest: nil, cores: 2, ticketsToRun: 2))
    }

    private func reporter(jobs: Int, statusLine: Bool, sink: RecordingSink, options: RunOptions = RunOptions()) -> HumanReporter {
        HumanReporter(plan: plan(jobs: jobs), options: options, style: .init(statusLine: statusLine, color: false), sink: sink)
    }

    private func isRaw(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" || $0 == "\u{0}" || $0 == "\u{9B}" || $0 == "\r" }
    }

    @Test func prefixedOutputLinesShowControlCharactersEscapedButKeepTabs() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 2, statusLine: false, sink: sink)
        reporter.report(.output(ticket: 1, attempt: 1, worker: 0, line: "progress 10%\rprogress 100%\t\u{1B}[1A\u{1B}[2Kgone"), elapsed: 0)
        #expect(sink.output == "[b] progress 10%\\rprogress 100%\t\\e[1A\\e[2Kgone\n")
    }

    @Test func thePrefixOfATicketWithAHostileIdIsEscapedToo() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 2, statusLine: false, sink: sink)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "hi"), elapsed: 0)
        #expect(sink.output == "[\(Self.shownHostile)] hi\n")
    }

    @Test func unprefixedOutputWithoutAStatusLinePassesThroughAsWritten() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 1, statusLine: false, sink: sink)
        reporter.report(.output(ticket: 1, attempt: 1, worker: 0, line: "\u{1B}[31mred\u{1B}[0m"), elapsed: 0)
        #expect(sink.output == "\u{1B}[31mred\u{1B}[0m\n")
        let bytes: [UInt8] = Array("\u{1B}[31mred\n".utf8)
        #expect(bytes.withUnsafeBytes { reporter.reportPlainLines($0, ticket: 1, worker: 0, elapsed: 0) }, "raw bytes may take the fast path")
    }

    @Test func anAgentsLinesAreAlwaysEscaped() {
        var ticket = Ticket(id: "agent", idSpan: SourceSpan(offset: 0))
        ticket.recipe = .prompt("do it")
        let manifest = Manifest(source: SourceFile(name: "m", text: ""), format: .json, tickets: [ticket])
        let plan = Plan(graph: TicketGraph.build(from: manifest).graph!, runs: [true], jobs: .resolve(commandLine: .count(1), environment: nil, manifest: nil, cores: 2, ticketsToRun: 1))
        let sink = RecordingSink()
        var reporter = HumanReporter(plan: plan, options: RunOptions(), style: .init(statusLine: false, color: false), sink: sink)
        reporter.report(.output(ticket: 0, attempt: 1, worker: 0, line: "Write \u{1B}[2Ja.swift"), elapsed: 0)
        #expect(sink.output == "Write \\e[2Ja.swift\n", "unprefixed, but parrun wrote this line from the agent's events")
    }

    @Test func underAStatusLineUnprefixedOutputIsEscaped() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 1, statusLine: true, sink: sink)
        reporter.report(.output(ticket: 1, attempt: 1, worker: 0, line: "\u{1B}[1A\u{1B}[2K"), elapsed: 0)
        #expect(sink.output == "\\e[1A\\e[2K\n")
    }

    @Test func theFastPathRefusesBytesThatNeedEscapingAndTakesPlainOnes() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 2, statusLine: false, sink: sink)
        let hostile: [UInt8] = Array("ok\nbell \u{7}\n".utf8)
        #expect(!hostile.withUnsafeBytes { reporter.reportPlainLines($0, ticket: 1, worker: 0, elapsed: 0) })
        #expect(sink.output.isEmpty, "left to the line path, which escapes")
        let plain: [UInt8] = Array("ok\ttab\n".utf8)
        #expect(plain.withUnsafeBytes { reporter.reportPlainLines($0, ticket: 1, worker: 0, elapsed: 0) })
    }

    @Test func groupedOutputIsEscapedWhenPrefixed() {
        let sink = RecordingSink()
        var options = RunOptions()
        options.output = .grouped
        var reporter = reporter(jobs: 2, statusLine: false, sink: sink, options: options)
        reporter.report(.output(ticket: 1, attempt: 1, worker: 0, line: "a\u{1B}b"), elapsed: 0)
        reporter.report(.ticketEnded(ticket: 1, attempt: 1, worker: 0, outcome: .succeeded, seconds: 0.1, retryIn: nil, stats: nil), elapsed: 1)
        #expect(sink.output == "[b] a\\eb\n")
    }

    @Test func eventLinesNoticesAndTheStatusLineEscapeUserData() {
        let sink = RecordingSink()
        var reporter = reporter(jobs: 2, statusLine: false, sink: sink)
        reporter.report(.ticketStarted(ticket: 0, attempt: 1, worker: 0, pid: 1), elapsed: 0)
        reporter.report(.ticketEnded(ticket: 0, attempt: 1, worker: 0, outcome: .agentFailed("boom \u{1B}]0;pwned\u{7}"), seconds: 1, retryIn: nil, stats: nil), elapsed: 1)
        reporter.report(.ticketSkipped(ticket: 1, dependency: 0, cause: 0), elapsed: 1)
        reporter.report(.notice("info: \(Self.hostile) was left unfinished"), elapsed: 1)
        reporter.report(.stopping(signal: nil, reason: "because \u{1B}c"), elapsed: 1)
        #expect(!isRaw(sink.messages), "\(sink.messages)")
        #expect(sink.messages.contains("start \(Self.shownHostile)\n"))
        #expect(sink.messages.contains("FAIL \(Self.shownHostile) boom \\e]0;pwned\\x07 (log: .parrun/logs/\(LogFileName.name(Self.hostile)))"), "the log of such an id has a safe name")
        #expect(sink.messages.contains("skip b (dependency '\(Self.shownHostile)' did not succeed)"))
        #expect(sink.messages.contains("info: \(Self.shownHostile) was left unfinished"))

        let status = RecordingSink()
        var live = self.reporter(jobs: 2, statusLine: true, sink: status)
        live.report(.runStarted(RunStart(runID: "r", manifestName: "m", jobs: 2, tickets: 2, toRun: 2, startedAt: 0)), elapsed: 0)
        live.report(.ticketStarted(ticket: 0, attempt: 1, worker: 0, pid: 1), elapsed: 0)
        let drawn = status.messages.replacingOccurrences(of: "\r\u{1B}[K", with: "")
        #expect(drawn.contains("running: \(Self.shownHostile)"), "\(drawn)")
        #expect(!isRaw(drawn))
    }

    @Test func theSummaryEscapesIdsDetailsPathsAndLogLines() {
        let plan = plan(jobs: 2)
        var failed = TicketRecord()
        failed.status = .failed
        failed.attempts = 1
        failed.lastOutcome = .couldNotStart("cannot chdir to /tmp/\u{1B}[31mred")
        var skipped = TicketRecord()
        skipped.status = .skipped(dependency: 0, cause: 0)
        let result = RunResult(records: [failed, skipped], wallSeconds: 1, interruptedBy: nil, jobs: 2)
        var summary = RunSummary(result: result, plan: plan, logPath: { ".parrun/logs/" + $0 + ".log" })
        summary.resumeCommand = "parrun --resume '\u{1B}[8m'"
        let text = summary.render()
        #expect(!isRaw(text), "\(text)")
        #expect(text.contains("FAIL \(Self.shownHostile): could not start: cannot chdir to /tmp/\\e[31mred (log: .parrun/logs/\(Self.shownHostile).log)"))
        #expect(text.contains("skipped b: '\(Self.shownHostile)' failed"))
        #expect(text.contains("to continue: parrun --resume '\\e[8m'"))

        var tail = TicketRecord()
        tail.status = .failed
        tail.attempts = 1
        tail.lastOutcome = .failed(.exited(1))
        var withTail = RunSummary(result: RunResult(records: [tail, TicketRecord()], wallSeconds: 1, interruptedBy: nil, jobs: 2), plan: plan, logPath: { $0 })
        withTail.logTail = { _ in ["col1\tcol2 \u{1B}[2J"] }
        #expect(withTail.render().contains("      | col1\tcol2 \\e[2J\n"))
    }

    @Test func theSummaryReadsLogLinesAsBytesAndDropsTheCROfCRLF() throws {
        let path = NSTemporaryDirectory() + "/parrun-summary-tail-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileSystem.writeAtomically(path, "one\r\ntwo\r\n\r\nthree\n")
        #expect(RunSummary.lastLines(of: path, count: 3) == ["one", "two", "three"])
    }

    @Test func thePlanEscapesIdsTitlesAndTheManifestName() {
        let text = PlanPrinter(plan: plan(jobs: 2), manifestName: "evil\u{1B}]0;t\u{7}.json").dryRun()
        #expect(!isRaw(text), "\(text)")
        #expect(text.hasPrefix("Plan for evil\\e]0;t\\x07.json: 2 of 2 tickets to run"))
        #expect(text.contains("# title x\\e[2J\\x07 \\0\\u009by"), "a line break in a title becomes a space")
        #expect(text.contains("after \(Self.shownHostile)"))
    }

    @Test func titlesStayOnOneLineAndEscapeTheRest() {
        #expect("one\ntwo\tthree\u{1B}".singleLine == "one two three\\e")
    }

    @Test func graphLabelsEscapeControlCharacters() {
        let plan = plan(jobs: 2)
        for text in [GraphFormat.dot.render(plan, manifestName: "m"), GraphFormat.mermaid.render(plan, manifestName: "m")] {
            #expect(!isRaw(text), "\(text)")
        }
        #expect(GraphFormat.dot.render(plan, manifestName: "m").contains("\"x\\\\e[2J"), "DOT shows the backslash of the escape")
    }

    @Test func statusEscapesWhatTheJournalAndReviewersWrote() throws {
        let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")
        let run = JournalRecord.run(.init(run: "r1", manifest: "/m", manifestHash: "", jobs: 1, owner: owner, time: 0, resumes: nil, joined: false))
        var report = StatusReport(graph: try validGraph("x:\n    true\n"), history: RunHistory([run]), manifestPath: "/m", now: 0, isRunning: { _ in false })
        var entry = StatusReport.Entry(id: Self.hostile, state: .awaitingReview, attempts: 1)
        entry.review = .init(run: "r1", id: Self.hostile, approved: false, reason: "no \u{1B}[5m", time: 1)
        report.entries = [entry]
        let printer = StatusPrinter(report: report, manifestName: "m\u{7}", logPath: { "logs/\($0).log" }, diffStats: [Self.hostile: " a\u{1B}b | 2 +-"])
        let text = printer.text()
        #expect(!isRaw(text), "\(text)")
        #expect(text.contains("rejected: no \\e[5m; parrun --resume runs it again; log: logs/\(Self.shownHostile).log"), "\(text)")
        #expect(text.hasPrefix("run r1 of m\\x07: "))
        #expect(text.contains(" a\\eb | 2 +-"))
    }

    @Test func diagnosticsEscapeMessagesAndTheSourceLineAndKeepTheCaretInPlace() {
        // JSON may spell control characters as \u escapes: the dependency then holds a real ESC.
        let text = #"{"tickets": [{"id": "a"}, {"id": "b", "dependsOn": ["\u001b[2Jz"]}]}"#
        let source = SourceFile(name: "t\u{1B}.json", text: text)
        let rendered = DiagnosticRenderer(source: source).render(ValidatedManifest(source).diagnostics)
        #expect(!isRaw(rendered), "\(rendered)")
        #expect(rendered.contains("t\\e.json:1:"), "\(rendered)")
        #expect(rendered.contains("depends on '\\e[2Jz'"), "\(rendered)")

        // A raw control character in the source line is shown escaped, and the caret moves with it.
        let raw = SourceFile(name: "m", text: "a:\n\t@timeout \u{1B}soon\n")
        let lines = DiagnosticRenderer(source: raw).render(ValidatedManifest(raw).diagnostics).split(separator: "\n").map(String.init)
        let line = lines.first { $0.hasPrefix("    2 | ") }
        let caret = lines.first { $0.contains("^") }
        #expect(line == "    2 | \t@timeout \\esoon", "\(lines)")
        #expect(caret == "      | \t         ^~~~~~", "\(lines)")
    }
}
