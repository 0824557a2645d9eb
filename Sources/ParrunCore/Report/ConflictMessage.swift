import ParrunModel
import ParrunSupport

/// The block printed when a ticket's work conflicts as it lands: which
/// ticket, where its work is kept, which files, and what happens next, so
/// that the user never has to guess whether `--resume` will make progress.
enum ConflictMessage {
    static func render(id: String, _ report: ConflictReport, paint: (String, String) -> String) -> String {
        let files = report.files.isEmpty ? "(git named none)" : report.files.map(\.terminalSafe).joined(separator: ", ")
        let onto = report.integration.terminalSafe
        var lines = [
            paint("CONFLICT", "1;31") + " \(id): its work conflicts with what landed on \(onto) since it started",
            "    files:    \(files)",
            "    worktree: \(report.worktree.terminalSafe)",
            "    branch:   \(report.branch.terminalSafe)",
        ]
        let rerun = "rerun \(report.conflicts) of \(report.rerunLimit)" + (report.agentContinues ? ", its agent told what conflicted" : "")
        let limit = "\(report.rerunLimit) rerun\(report.rerunLimit == 1 ? "" : "s")"
        switch report.next {
        case .rerunNow:
            lines.append("    next:     it runs again now from the new head of \(onto) (\(rerun))")
        case .rerunOnResume:
            lines.append("    next:     parrun --resume runs it again from the new head of \(onto) (\(rerun));")
            lines.append("              or fix it in its worktree first (git rebase \(onto), resolve, commit): --resume then lands your fix")
        case .byHand:
            lines.append("    next:     it conflicts again after the \(limit) it may have (its retries, at least one): resolve it by hand in its worktree")
            lines.append("              (git rebase \(onto), fix the files, git add, git rebase --continue); then parrun --resume lands it")
        }
        return lines.joined(separator: "\n")
    }
}
