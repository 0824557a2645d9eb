import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// Everything `parrun show ID` says about one ticket, gathered by the command
/// from the journal, the log and git.
package struct TicketDetails: Sendable {
    package struct Attempt: Sendable {
        package var number: Int
        package var run: String
        /// Wall clock, seconds since 1970.
        package var startedAt: Double
        package var seconds: Double?
        /// The end record's status; `running` or `interrupted` when there is none.
        package var outcome: String
        package var exitCode: Int?
        package var signal: String?
        package var detail: String?
        /// Its verify gate, when that ran: passed, and the gate's exit.
        package var verifyPassed: Bool?
        package var verifyExit: Int?

        package init(number: Int, run: String, startedAt: Double, seconds: Double?, outcome: String, exitCode: Int?,
                     signal: String?, detail: String?, verifyPassed: Bool?, verifyExit: Int?) {
            self.number = number
            self.run = run
            self.startedAt = startedAt
            self.seconds = seconds
            self.outcome = outcome
            self.exitCode = exitCode
            self.signal = signal
            self.detail = detail
            self.verifyPassed = verifyPassed
            self.verifyExit = verifyExit
        }
    }

    package var id: String
    package var title: String?
    package var entry: StatusReport.Entry
    package var attempts: [Attempt] = []
    package var logPath: String
    /// `--worktree`: its worktree and branch while they exist, the commit it landed as.
    package var worktreePath: String?
    package var branch: String?
    package var landedCommit: String?
    /// The end of what its verify gate printed in the latest attempt.
    package var verifyTail: String?
    /// `approved`, `rejected` or `awaiting`; nil when it never came to review.
    package var review: String?
    package var reviewReason: String?

    package init(id: String, entry: StatusReport.Entry, logPath: String) {
        self.id = id
        self.entry = entry
        self.logPath = logPath
    }
}

/// Renders `TicketDetails` for people or (`--json`) as one object. Text from
/// the manifest, the journal or the log is shown with control characters escaped.
package struct TicketPrinter {
    let details: TicketDetails

    package init(_ details: TicketDetails) { self.details = details }

    package func text() -> String {
        let entry = details.entry
        var out = details.id.terminalSafe + (details.title.map { ": " + $0.singleLine } ?? "") + "\n"
        out += "  state:    " + entry.state.rawValue + (entry.detail.map { " (" + $0.singleLine + ")" } ?? "") + "\n"
        if let session = entry.session { out += "  session:  " + session.terminalSafe + (entry.agent == "codex" ? " (codex thread)" : "") + "\n" }
        if let stats = entry.stats { out += "  agent:    " + stats.summary + "\n" }
        if let path = details.worktreePath { out += "  worktree: " + path.terminalSafe + "\n" }
        if let branch = details.branch { out += "  branch:   " + branch.terminalSafe + "\n" }
        if let commit = details.landedCommit { out += "  landed:   " + commit + "\n" }
        if let review = details.review {
            out += "  review:   " + review + (details.reviewReason.map { ": " + $0.singleLine } ?? "") + "\n"
        }
        out += "  log:      " + details.logPath.terminalSafe + "\n"
        if !details.attempts.isEmpty {
            out += "  attempts:\n"
            for attempt in details.attempts {
                var line = "    \(attempt.number)  " + LocalTime.stamp(attempt.startedAt)
                line += "  " + (attempt.seconds.map { DurationText.format(seconds: $0) } ?? "-").padding(to: 8) + attempt.outcome
                if let code = attempt.exitCode { line += " (exit \(code))" }
                if let signal = attempt.signal { line += " (\(signal.terminalSafe))" }
                if let detail = attempt.detail { line += ": " + detail.singleLine }
                if let passed = attempt.verifyPassed { line += passed ? "; verify passed" : "; verify failed" + (attempt.verifyExit.map { " (exit \($0))" } ?? "") }
                out += line + "\n"
            }
        }
        if let tail = details.verifyTail, !tail.isEmpty {
            out += "  verify output (end):\n"
            for line in tail.split(separator: "\n", omittingEmptySubsequences: false) { out += "    " + TerminalSafe.escaped(String(line), tabs: .kept) + "\n" }
        }
        return out
    }

    package func json() -> String {
        let entry = details.entry
        let attempts = details.attempts.map { attempt in
            "{\"attempt\":\(attempt.number),\"run\":\(JSONText.quoted(attempt.run)),\"startedAt\":\(JSONText.number(attempt.startedAt)),"
                + "\"seconds\":\(attempt.seconds.map { JSONText.number(($0 * 1000).rounded() / 1000) } ?? "null"),"
                + "\"outcome\":\(JSONText.quoted(attempt.outcome)),\"exitCode\":\(attempt.exitCode.map(String.init) ?? "null"),"
                + "\"signal\":\(JSONText.quotedOrNull(attempt.signal)),\"detail\":\(JSONText.quotedOrNull(attempt.detail)),"
                + "\"verify\":" + (attempt.verifyPassed.map { "{\"passed\":\($0),\"exitCode\":\(attempt.verifyExit.map(String.init) ?? "null")}" } ?? "null") + "}"
        }
        let fields = [
            "\"id\":\(JSONText.quoted(details.id))", "\"title\":\(JSONText.quotedOrNull(details.title))",
            "\"state\":\(JSONText.quoted(entry.state.rawValue))", "\"detail\":\(JSONText.quotedOrNull(entry.detail))",
            "\"attempts\":\(JSONText.array(attempts))",
            "\"session\":\(JSONText.quotedOrNull(entry.session))",
            "\"agent\":\(JSONText.quotedOrNull(entry.agent))",
            "\"stats\":\(entry.stats?.json ?? "null")",
            "\"worktree\":\(JSONText.quotedOrNull(details.worktreePath))",
            "\"branch\":\(JSONText.quotedOrNull(details.branch))",
            "\"landedCommit\":\(JSONText.quotedOrNull(details.landedCommit))",
            "\"verifyOutput\":\(JSONText.quotedOrNull(details.verifyTail))",
            "\"review\":" + (details.review.map { "{\"state\":\(JSONText.quoted($0)),\"reason\":\(JSONText.quotedOrNull(details.reviewReason))}" } ?? "null"),
            "\"log\":\(JSONText.quoted(details.logPath))",
        ]
        return "{" + fields.joined(separator: ",") + "}\n"
    }
}
