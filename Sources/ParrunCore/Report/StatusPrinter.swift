import ParrunModel
import ParrunState
import ParrunSupport

/// Renders a `StatusReport` for people (a table and totals) or for scripts (JSON).
/// In the table, what comes from the manifest or the journal (ids, names,
/// details, reasons) is shown with control characters escaped (`TerminalSafe`).
package struct StatusPrinter {
    let report: StatusReport
    let manifestName: String
    /// The log file of a ticket, as the user should type it.
    let logPath: (String) -> String
    /// `git diff --stat` of work awaiting review in a kept worktree, by id.
    package var diffStats: [String: String] = [:]

    package init(report: StatusReport, manifestName: String, logPath: @escaping (String) -> String, diffStats: [String: String] = [:]) {
        self.report = report
        self.manifestName = manifestName
        self.logPath = logPath
        self.diffStats = diffStats
    }

    package func text() -> String {
        let manifestName = manifestName.terminalSafe
        guard let run = report.run?.terminalSafe else {
            return "parrun: \(manifestName) has not run yet (no run of it in the journal)\n" + totals()
        }
        var out = "run \(run) of \(manifestName): "
        if report.live {
            out += "live\n"
        } else if report.isFinished {
            let held = report.count(.heldBack)
            out += held == 0 ? "finished\n" : "finished; \(held) held back, not run (`parrun -n` says why)\n"
        } else {
            out += report.limit.flatMap { report.count(.pending) == 0 ? nil : "not finished: \(report.count(.pending)) pending beyond --limit \($0); `parrun --resume --limit \($0)` starts the next \($0), `parrun --resume` all\n" }
                ?? "not finished; `parrun --resume` continues it\n"
        }
        let ids = report.entries.map(\.id.terminalSafe)
        let idWidth = max(2, min(40, ids.map(\.count).max() ?? 0))
        let stateWidth = StatusReport.State.allCases.map(\.rawValue.count).max() ?? 0
        out += "  " + "ID".padding(to: idWidth) + "  " + "STATE".padding(to: stateWidth + 2) + "TRIES  " + "TIME".padding(to: 8) + "DETAIL\n"
        for (entry, id) in zip(report.entries, ids) {
            var row = "  " + id.padding(to: idWidth) + "  " + entry.state.rawValue.padding(to: stateWidth + 2)
            row += String(entry.attempts).padding(to: 7)
            row += (entry.seconds.map { DurationText.format(seconds: $0) } ?? "-").padding(to: 8)
            row += detail(entry).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: " ").terminalSafe  // one row a ticket
            out += row.trimmingTrailingSpaces + "\n"
            if let stat = diffStats[entry.id] {
                for line in stat.split(separator: "\n") { out += "      " + TerminalSafe.escaped(String(line), tabs: .kept) + "\n" }
            }
        }
        return out + totals()
    }

    private func detail(_ entry: StatusReport.Entry) -> String {
        var outcome = outcomeDetail(entry)
        // A failed gate that ended the ticket says so in the outcome already.
        if let passed = entry.verifyPassed, passed || !outcome.hasPrefix("verify failed") {
            let verify = "verify \(passed ? "passed" : "failed")" + (entry.verifyRuns > 1 ? " (\(entry.verifyRuns) runs)" : "")
            outcome = outcome.isEmpty ? verify : verify + "; " + outcome
        }
        guard let stats = entry.stats else { return outcome }
        return outcome.isEmpty ? stats.summary : stats.summary + "; " + outcome
    }

    private func outcomeDetail(_ entry: StatusReport.Entry) -> String {
        switch entry.state {
        case .awaitingReview:
            // Decided work still awaits review until `--resume` acts on the decision.
            let next = switch entry.review?.approved {
            case true?: "approved; parrun --resume counts it as succeeded"
            case false?: "rejected" + (entry.review?.reason.map { ": " + $0 } ?? "") + "; parrun --resume runs it again"
            case nil: "parrun approve \(entry.id) / parrun reject \(entry.id) --reason TEXT"
            }
            return next + "; log: \(logPath(entry.id))"
        case .failed, .timedOut, .interrupted, .conflict, .noChange:
            var what: [String] = []
            if let detail = entry.detail { what.append(detail) } else if let code = entry.exitCode { what.append("exit \(code)") }
            if let signal = entry.signal { what.append("killed by \(signal)") }
            if let pid = entry.pid, entry.state == .interrupted { what.append("pid \(pid) gone") }
            if let job = entry.slurmJob { what.append("slurm job \(job)") }
            what.append("log: \(logPath(entry.id))")
            return what.joined(separator: ", ")
        case .running, .queued:
            guard let pid = entry.pid else { return "" }
            let slurm = entry.slurmJob.map { ", slurm job \($0)" + (entry.slurmState.map { " (\($0))" } ?? "") } ?? ""
            return "pid \(pid) " + (entry.alive == true ? "(alive)" : "(not alive)") + slurm
        case .done:
            return "done in the manifest"
        case .heldBack:
            return entry.detail ?? ""
        case .succeeded:
            return entry.slurmJob.map { "slurm job \($0)" } ?? ""
        case .skipped, .pending:
            return ""
        }
    }

    private func totals() -> String {
        let parts = StatusReport.State.allCases.compactMap { state -> String? in
            let count = report.count(state)
            return count > 0 ? "\(count) \(state.rawValue)" : nil
        }
        let total = report.entries.count
        var out = "total: \(total) ticket\(total == 1 ? "" : "s")" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")) + "\n"
        if let agents = report.agentTotals { out += "agents: \(agents.summary)\n" }
        return out
    }

    package func json() -> String {
        let tickets = report.entries.map { entry in
            var fields = [
                "\"id\":\(JSONText.quoted(entry.id))", "\"state\":\(JSONText.quoted(entry.state.rawValue))",
                "\"attempts\":\(entry.attempts)",
                "\"seconds\":\(entry.seconds.map { JSONText.number(($0 * 1000).rounded() / 1000) } ?? "null")",
                "\"exitCode\":\(entry.exitCode.map(String.init) ?? "null")",
                "\"signal\":\(JSONText.quotedOrNull(entry.signal))",
            ]
            if let pid = entry.pid { fields.append("\"pid\":\(pid),\"alive\":\(entry.alive == true)") }
            if let detail = entry.detail { fields.append("\"detail\":\(JSONText.quoted(detail))") }
            if let stats = entry.stats { fields.append("\"stats\":\(stats.json)") }
            if let job = entry.slurmJob { fields.append("\"slurmJob\":\(JSONText.quoted(job)),\"slurmState\":\(JSONText.quotedOrNull(entry.slurmState))") }
            if let passed = entry.verifyPassed { fields.append("\"verify\":{\"runs\":\(entry.verifyRuns),\"passed\":\(passed)}") }
            if let session = entry.session { fields.append("\"session\":\(JSONText.quoted(session))") }
            if let agent = entry.agent { fields.append("\"agent\":\(JSONText.quoted(agent))") }
            if let path = entry.worktreePath { fields.append("\"worktree\":\(JSONText.quoted(path))") }
            if let branch = entry.branch { fields.append("\"branch\":\(JSONText.quoted(branch))") }
            if let commit = entry.landedCommit { fields.append("\"landedCommit\":\(JSONText.quoted(commit))") }
            if entry.state == .awaitingReview {
                let decision = entry.review.map { $0.approved ? "approved" : "rejected" } ?? "pending"
                fields.append("\"review\":{\"decision\":\(JSONText.quoted(decision)),\"reason\":\(JSONText.quotedOrNull(entry.review?.reason))}")
            }
            return "{" + fields.joined(separator: ",") + "}"
        }
        let totals = StatusReport.State.allCases.map { "\(JSONText.quoted($0.rawValue)):\(report.count($0))" }
        return "{\"manifest\":\(JSONText.quoted(manifestName)),\"run\":\(JSONText.quotedOrNull(report.run)),"
            + "\"live\":\(report.live)," + (report.limit.map { "\"limit\":\($0)," } ?? "") + "\"tickets\":\(JSONText.array(tickets)),"
            + "\"totals\":{" + totals.joined(separator: ",") + "}}\n"
    }
}
