import ParrunSupport

/// What other parruns working on the same run did, as the controller takes it.
extension RunController {
    mutating func news(_ ticket: Int, _ result: ElsewhereResult, _ actions: inout [Action]) {
        switch result {
        case .succeeded:
            if scheduler.succeededElsewhere(ticket) { records[ticket].status = .ranElsewhere(succeeded: true) }
        case .failed:
            guard scheduler.states[ticket] == .elsewhere else { return }
            failedElsewhere(ticket, skipping: scheduler.failedElsewhere(ticket), &actions)
        case .awaitingReview:
            guard scheduler.states[ticket] == .elsewhere else { return }
            scheduler.awaitsReview(ticket)
            records[ticket].status = .awaitingReview
        }
    }

    /// Another parrun ran `ticket` and it failed: its dependents are skipped here too.
    mutating func failedElsewhere(_ ticket: Int, skipping skipped: [Int], _ actions: inout [Action]) {
        records[ticket].status = .ranElsewhere(succeeded: false)
        reportSkipped(skipped, &actions)
        if scheduler.isStopped { abandonRetries(&actions) }
    }
}
