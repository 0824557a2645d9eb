import ParrunModel

/// `--worktree`: what follows a ticket's work conflicting as it lands. Work
/// that conflicted is never landed again as it was (that would conflict
/// forever): the ticket runs again from the integration branch's new head,
/// its agent continuing its session told what conflicted, as many times as
/// `RetryPolicy.conflictReruns` allows; after that only the user can take it
/// further, and parrun says so instead of offering a `--resume` that would
/// do nothing.
extension Runner {
    /// Counts the conflict, decides what comes next, and reports it.
    /// `branch`: where its work is kept (nil: this run's branch).
    func reportConflict(_ ticket: Int, paths: [String], branch: String?) {
        let definition = plan.graph.tickets[ticket]
        let count = conflictCounts[ticket, default: 0] + 1
        conflictCounts[ticket] = count
        let retries = definition.retries ?? options.defaultRetries
        let next: ConflictReport.Next
        if !RetryPolicy.mayRerun(afterConflicts: count, retries: retries) {
            next = .byHand
            resolveByHand.insert(ticket)
        } else {
            next = options.rerunOnConflict ? .rerunNow : .rerunOnResume
        }
        var report = ConflictReport(
            files: paths, worktree: isolation?.path(for: definition.id) ?? definition.id,
            branch: branch ?? isolation?.branch(for: definition.id) ?? "", integration: isolation?.integration ?? "",
            next: next, conflicts: count, rerunLimit: RetryPolicy.conflictReruns(retries: retries))
        report.agentContinues = agentSessions[ticket] != nil && !options.freshSessions
        reporter.report(.conflicted(ticket: ticket, report), elapsed: elapsed)
    }
}

enum ConflictRerun {
    /// What the agent is told when its session continues after its work conflicted.
    static func followUp(paths: [String], integration: String, previous: String?) -> String {
        let kept = previous.map { " Your earlier change is commit \($0) (`git show \($0)`)." } ?? ""
        return "Your work on this task could not be merged: while you worked, other work landed on \(integration) "
            + "and changed the same parts of \(list(paths)). "
            + "Your working directory has been reset to the new head of \(integration), so it holds that other work and not your change."
            + kept
            + "\nRedo your change on top of what is there now, keeping the other work, and finish the task.\n"
    }

    /// Paths as one line: the first few, and how many more.
    static func list(_ paths: [String]) -> String {
        guard !paths.isEmpty else { return "the files it changed" }
        return paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " (+\(paths.count - 5) more)" : "")
    }
}
