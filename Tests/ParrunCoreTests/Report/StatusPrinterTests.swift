import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// How `parrun status` renders a report, for people and for scripts.
@Suite struct StatusPrinterTests {
    private func printer(_ entries: [StatusReport.Entry]) throws -> StatusPrinter {
        let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "h")
        let run = JournalRecord.run(.init(run: "r1", manifest: "/m", manifestHash: "", jobs: 1, owner: owner, time: 0, resumes: nil, joined: false))
        var report = StatusReport(graph: try validGraph("x:\n    true\n"), history: RunHistory([run]), manifestPath: "/m", now: 0, isRunning: { _ in false })
        report.entries = entries
        return StatusPrinter(report: report, manifestName: "m") { "logs/\($0).log" }
    }

    private func awaiting(_ id: String, approved: Bool?, reason: String? = nil) -> StatusReport.Entry {
        var entry = StatusReport.Entry(id: id, state: .awaitingReview, attempts: 1)
        entry.review = approved.map { .init(run: "r1", id: id, approved: $0, reason: reason, time: 1) }
        return entry
    }

    @Test func workAwaitingReviewSaysWhatWasDecidedAndWhatResumeDoes() throws {
        let entries = [awaiting("a", approved: true), awaiting("b", approved: false, reason: "too slow"), awaiting("c", approved: nil)]
        let lines = try printer(entries).text().split(separator: "\n").map { String($0) }
        #expect(lines.contains { $0.hasPrefix("  a ") && $0.hasSuffix("approved; parrun --resume counts it as succeeded; log: logs/a.log") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  b ") && $0.hasSuffix("rejected: too slow; parrun --resume runs it again; log: logs/b.log") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("  c ") && $0.hasSuffix("parrun approve c / parrun reject c --reason TEXT; log: logs/c.log") }, "\(lines)")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(try printer(entries).json().utf8)) as? [String: Any])
        let reviews = try #require(object["tickets"] as? [[String: Any]]).map { $0["review"] as? [String: Any] }
        #expect(reviews.map { $0?["decision"] as? String } == ["approved", "rejected", "pending"])
        #expect(reviews.map { $0?["reason"] as? String } == [nil, "too slow", nil])
    }

    @Test func aMultiLineReasonStaysOnItsTicketsRow() throws {
        let text = try printer([awaiting("a", approved: false, reason: "first\nsecond")]).text()
        #expect(text.contains("rejected: first second; parrun --resume runs it again"), "\(text)")
        #expect(!text.contains("\nsecond"), "\(text)")
    }
}
