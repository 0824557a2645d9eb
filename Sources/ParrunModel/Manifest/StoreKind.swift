import ParrunSupport

/// Which other tool's store a manifest's tickets come from: what write-back
/// writes to, and how (`StatusEdit`, and `bd` for beads).
public enum StoreKind: String, Sendable, Equatable {
    /// `.beads/issues.jsonl` (or what `bd list --json` prints): written through the `bd` CLI.
    case beads
    /// A task file, `{"tasks": [...]}` (`.specs/tasks/tasks.json`): its `status` edited in place.
    case taskFile = "task-file"
    /// A ticket index, `{"version": 1, "tickets": [...]}` (`.sage/tickets/index.json`): its `state` edited in place.
    case ticketIndex = "ticket-index"

    /// The kind of a JSON document that is no beads store; nil for a parrun manifest.
    static func of(_ document: JSONValue) -> StoreKind? {
        guard case .object(let members) = document.kind else { return nil }
        if members.contains(where: { $0.key == DocumentKey.tasks.rawValue }) { return .taskFile }
        if members.contains(where: { $0.key == DocumentKey.version.rawValue }) { return .ticketIndex }
        return nil
    }

    /// The key a ticket's status is written under when it has none yet.
    public var statusKey: String { self == .ticketIndex ? "state" : "status" }

    /// The status the store's tool writes for what happened to a ticket; nil
    /// when the event leaves it alone. `original`: the status the run read,
    /// which an interrupted ticket gets back.
    public func status(for event: WriteBackEvent, original: String?) -> String? {
        switch (self, event) {
        case (.beads, .start): "in_progress"
        case (.beads, .success): "closed"
        // Open again, so the next run (or `bd ready`) picks it up.
        case (.beads, .failure), (.beads, .interrupted): "open"
        case (.taskFile, .start): "in-progress"
        case (.taskFile, .success): "completed"
        case (.taskFile, .failure): "failed"
        case (.taskFile, .interrupted): original ?? "pending"
        case (.ticketIndex, .start): "IN_PROGRESS"
        case (.ticketIndex, .success): "COMPLETED"
        // sage's states are UNPROCESSED, IN_PROGRESS, DEFERRED and COMPLETED:
        // a failed ticket is deferred, which its tool and the next run pick up again.
        case (.ticketIndex, .failure): "DEFERRED"
        case (.ticketIndex, .interrupted): original ?? "UNPROCESSED"
        }
    }
}

/// What happened to a store's ticket that write-back records.
public enum WriteBackEvent: String, Sendable, CaseIterable {
    case start, success, failure
    /// The run stopped it (Ctrl-C, a signal): it gets its status back.
    case interrupted
}
