import ParrunSupport

/// Reads beads issue records (`.beads/issues.jsonl`, one object per line, or
/// the array `bd list --json` prints) as tickets:
///
/// - `status`: `open` runs; `closed` and `tombstone` (a deleted issue) are
///   done; `in_progress`, `blocked`, `deferred`, `hooked`, `pinned` and
///   `review` are held back, with their dependents. Any other status is a
///   warning and is held back too: the store may be newer than parrun, and
///   running work nobody asked for costs more than leaving it;
/// - `priority` 0-4, lower first, as parrun's own;
/// - `issue_type: epic` is a container: it groups, it is never run itself;
/// - `dependencies: [{issue_id, depends_on_id, type}]`: `blocks`,
///   `conditional-blocks` and `waits-for` make `issue_id` wait for
///   `depends_on_id`; `parent-child` holds a child back while its parent is
///   held back; other types never order work. A link to an id absent from the
///   store is a warning and is ignored.
///
/// Every other field (`acceptance_criteria`, `design`, `labels`, ...) is kept
/// for templates (`--prompt-template`).
enum BeadsReader {
    static let heldStatuses: Set<String> = ["in_progress", "blocked", "deferred", "hooked", "pinned", "review"]
    /// Text fields of a beads issue that `bd` leaves out of its JSON when they
    /// are empty; a template that names one gets empty text for such an issue.
    static let optionalFields: Set<String> = [
        "description", "design", "acceptance_criteria", "notes", "assignee", "owner", "labels", "external_ref", "close_reason",
    ]
    static let orderingTypes: Set<String> = ["blocks", "conditional-blocks", "waits-for"]
    /// Link types beads writes that never order work; any other type gets a warning,
    /// since it is most likely a misspelt ordering one.
    static let unorderedTypes: Set<String> = [
        "related", "discovered-from", "relates-to", "duplicates", "supersedes", "tracks",
        "replies-to", "authored-by", "assigned-to", "approved-by", "caused-by", "validates", "until", "delegated-from",
    ]

    /// Beads records are objects with an `id` and an `issue_type`, or, when the
    /// first has no `issue_type`, a list any of whose records writes its
    /// dependencies as `{issue_id, depends_on_id}` objects (a parrun ticket
    /// writes them as strings).
    static func looksLikeBeads(_ elements: [JSONValue]) -> Bool {
        guard let first = elements.first, first["id"] != nil else { return false }
        if first["issue_type"] != nil { return true }
        return elements.contains { $0["dependencies"]?.arrayValue?.first?["depends_on_id"] != nil }
    }

    /// `imported`: the defaults and overrides of a manifest importing the store.
    static func read(_ records: [JSONValue], imported: StoreImport? = nil, diagnostics: inout DiagnosticList) -> [Ticket] {
        let ids = Set(records.compactMap { $0["id"]?.stringValue })
        let links = BeadsLinks(records, ids: ids, diagnostics: &diagnostics)
        let decoder = TicketDecoder(defaults: imported?.defaults ?? [])
        var tickets: [Ticket] = []
        tickets.reserveCapacity(records.count)
        for record in records {
            guard case .object(let members) = record.kind else {
                diagnostics.add(ManifestError.wrongType(field: "issues", ticket: nil, expected: "one issue object per line", found: record.typeDescription, at: record.span))
                continue
            }
            // The store's own links are read above; the ticket gets only those that order it.
            var kept = members.filter { $0.key != "dependencies" }
            if let id = record["id"]?.stringValue, let order = links.order[id], let first = order.first {
                kept.append(JSONMember(key: "dependsOn", keySpan: first.span, value: JSONValue(.array(order), at: first.span)))
            }
            if let imported { kept = imported.applied(to: kept) }
            guard var ticket = decoder.decode(kept, at: record.span, diagnostics: &diagnostics) else { continue }
            if !ticket.isDone, let written = ticket.status {
                let status = written.lowercased()
                if status == "tombstone" {
                    ticket.isDeleted = true
                } else if heldStatuses.contains(status) {
                    ticket.hold = "status \(status)"
                } else if status != "open" {
                    diagnostics.add(StoreWarning.unknownStatus(written, ticket: ticket.id, at: record["status"]?.span ?? record.span))
                    ticket.hold = "unknown status \(written)"
                }
            }
            if record["issue_type"]?.stringValue == "epic" {
                ticket.isGroup = true
                // An importing manifest's default recipe is for work, not for containers; its override may still give one.
                if let imported, !imported.setsRecipe(of: ticket.id) { ticket.recipe = .none }
            }
            tickets.append(ticket)
        }
        holdChildrenOfHeldParents(&tickets, links: links)
        return tickets
    }

    /// A child waits while its parent is held back, for whatever reason: its
    /// own status, a blocking dependency that is held back, or its own parent.
    /// A breadth-first walk from the tickets held back by their status along
    /// both kinds of link (no recursion, so a deep chain cannot exhaust the
    /// stack; a cycle ends because a ticket is visited once). Tickets held back
    /// through a dependency are left for `HeldBack`, which finds the same ones;
    /// only a child gets a hold of its own, naming the parent and the root.
    private static func holdChildrenOfHeldParents(_ tickets: inout [Ticket], links: BeadsLinks) {
        guard !links.parents.isEmpty else { return }
        var index: [String: Int] = [:]
        for (position, ticket) in tickets.enumerated() where index[ticket.id] == nil { index[ticket.id] = position }
        var dependents: [String: [(id: String, isChild: Bool)]] = [:]
        for (child, parents) in links.parents {
            for parent in parents { dependents[parent, default: []].append((child, true)) }
        }
        for (ticket, order) in links.order {
            for dependency in order { if let id = dependency.stringValue { dependents[id, default: []].append((ticket, false)) } }
        }
        // Per held-back ticket, the one whose status is the root of its hold.
        var root: [Int: Int] = [:]
        var queue = tickets.indices.filter { tickets[$0].hold != nil }
        for position in queue { root[position] = position }
        var next = 0
        while next < queue.count {
            let held = queue[next]
            next += 1
            for (id, isChild) in dependents[tickets[held].id] ?? [] {
                guard let position = index[id], root[position] == nil, !tickets[position].isDone else { continue }
                root[position] = root[held]
                queue.append(position)
                if isChild {
                    let origin = root[held]!
                    let reason = tickets[origin].hold ?? ""
                    tickets[position].hold = origin == held
                        ? "parent \(tickets[held].id) (\(reason))"
                        : "parent \(tickets[held].id), held back by \(tickets[origin].id) (\(reason))"
                    // The child's own hold is now the root for its dependents' reasons.
                    root[position] = position
                }
            }
        }
    }
}

/// A beads store's links, sorted by the issue they belong to.
struct BeadsLinks {
    /// Per issue, the `depends_on_id` values it waits for, as written, so graph
    /// errors (a cycle) point at them.
    var order: [String: [JSONValue]] = [:]
    /// Per issue, its parents (`parent-child` links).
    var parents: [String: [String]] = [:]

    init(_ records: [JSONValue], ids: Set<String>, diagnostics: inout DiagnosticList) {
        for record in records {
            guard let id = record["id"]?.stringValue, let dependencies = record["dependencies"] else { continue }
            if case .null = dependencies.kind { continue }
            guard let list = dependencies.arrayValue else {
                diagnostics.add(ManifestError.wrongType(field: "dependencies", ticket: id, expected: "an array of {issue_id, depends_on_id, type} objects", found: dependencies.typeDescription, at: dependencies.span))
                continue
            }
            for link in list { add(link, of: id, ids: ids, diagnostics: &diagnostics) }
        }
    }

    private mutating func add(_ link: JSONValue, of record: String, ids: Set<String>, diagnostics: inout DiagnosticList) {
        // `bd show --json` writes a dependency as the issue itself with a `dependency_type`.
        guard let target = link["depends_on_id"] ?? (link["dependency_type"] != nil ? link["id"] : nil) else {
            diagnostics.add(ManifestError.wrongType(field: "dependencies", ticket: record, expected: "an object with \"depends_on_id\"", found: link.typeDescription, at: link.span))
            return
        }
        guard let dependency = target.stringValue else {
            diagnostics.add(ManifestError.wrongType(field: "depends_on_id", ticket: record, expected: "a string", found: target.typeDescription, at: target.span))
            return
        }
        let typeValue = link["type"] ?? link["dependency_type"]
        let type = typeValue?.stringValue ?? "blocks"
        let isParent = type == "parent-child"
        guard isParent || BeadsReader.orderingTypes.contains(type) else {
            if !BeadsReader.unorderedTypes.contains(type) {
                diagnostics.add(StoreWarning.unknownLinkType(type, ticket: record, at: typeValue?.span ?? link.span))
            }
            return
        }
        // Each link says which issue it belongs to; it is normally the one it is written on.
        var owner = record
        if let issue = link["issue_id"], let issueID = issue.stringValue, issueID != record {
            guard ids.contains(issueID) else {
                diagnostics.add(StoreWarning.linkOfAbsentIssue(record: record, issue: issueID, at: issue.span))
                return
            }
            owner = issueID
        }
        guard ids.contains(dependency) else {
            diagnostics.add(ManifestWarning.danglingStoreDependency(ticket: owner, dependency: dependency, at: target.span))
            return
        }
        guard dependency != owner else { return }
        if isParent {
            parents[owner, default: []].append(dependency)
        } else {
            order[owner, default: []].append(target)
        }
    }
}
