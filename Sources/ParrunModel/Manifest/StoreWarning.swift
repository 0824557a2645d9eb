import ParrunSupport

/// Warnings about links in another tool's ticket store (beads) that parrun
/// cannot follow. The store belongs to that tool, so parrun reads on rather than
/// refusing: a warning names the spot and the link is ignored.
enum StoreWarning: DiagnosticConvertible, Equatable {
    /// A link whose `issue_id` names an issue the store does not hold.
    case linkOfAbsentIssue(record: String, issue: String, at: SourceSpan)
    /// A link whose `type` parrun does not know; it does not order work.
    case unknownLinkType(String, ticket: String, at: SourceSpan)
    /// An issue whose `status` parrun does not know; it is held back.
    case unknownStatus(String, ticket: String, at: SourceSpan)

    var diagnostic: Diagnostic {
        switch self {
        case .linkOfAbsentIssue(let record, let issue, let span):
            return Diagnostic(
                .warning, "a link written on '\(record)' belongs to '\(issue.truncatedForMessage)', which is not in this store; the link is ignored", at: span,
                help: "it may live in another store or have been deleted")
        case .unknownLinkType(let type, let ticket, let span):
            return Diagnostic(
                .warning, "'\(ticket)' has a link of unknown type '\(type.truncatedForMessage)'; it does not order work", at: span,
                help: "types that order work: blocks, conditional-blocks, waits-for (and parent-child, which holds a child back with its parent)")
        case .unknownStatus(let status, let ticket, let span):
            return Diagnostic(
                .warning, "'\(ticket)' has status '\(status.truncatedForMessage)', which parrun does not know; it is held back, not run, with everything that waits for it", at: span,
                help: "open runs; closed and tombstone are done; in_progress, blocked, deferred, hooked, pinned and review are held back")
        }
    }
}
