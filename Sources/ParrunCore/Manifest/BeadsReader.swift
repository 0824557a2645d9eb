/// Reads beads issue records (`.beads/issues.jsonl`, one object per line, or
/// the array `bd list --json` prints) as tickets:
///
/// - `status`: `open` runs; `closed` is done; `in_progress`, `blocked`,
///   `deferred`, `hooked` and `pinned` are held back, with their dependents;
/// - `priority` 0-4, lower first, as parrun's own;
/// - `issue_type: epic` is a container: it groups, it is never run itself;
/// - `dependencies: [{issue_id, depends_on_id, type}]`: `blocks`,
///   `conditional-blocks` and `waits-for` order work; `parent-child` holds a
///   child back while its parent is held back; other types never order work.
///   A dependency on an id absent from the store is a warning and is ignored.
///
/// Every other field (`acceptance_criteria`, `design`, `labels`, ...) is kept
/// for templates (`--prompt-template`).
enum BeadsReader {
    static let heldStatuses: Set<String> = ["in_progress", "blocked", "deferred", "hooked", "pinned"]
    static let orderingTypes: Set<String> = ["blocks", "conditional-blocks", "waits-for"]

    /// Beads records are objects with an `issue_type`, or with dependencies
    /// written as `{issue_id, depends_on_id}` objects.
    static func looksLikeBeads(_ elements: [JSONValue]) -> Bool {
        guard let first = elements.first, first["id"] != nil else { return false }
        if first["issue_type"] != nil { return true }
        return first["dependencies"]?.arrayValue?.first?["depends_on_id"] != nil
    }

    static func read(_ records: [JSONValue], diagnostics: inout DiagnosticList) -> [Ticket] {
        let ids = Set(records.compactMap { $0["id"]?.stringValue })
        let decoder = TicketDecoder(defaults: [])
        var tickets: [Ticket] = []
        var parents: [String: [String]] = [:]
        tickets.reserveCapacity(records.count)
        for record in records {
            guard case .object(let members) = record.kind else {
                diagnostics.add(ManifestError.wrongType(field: "issues", ticket: nil, expected: "one issue object per line", found: record.typeDescription, at: record.span))
                continue
            }
            let id = record["id"]?.stringValue ?? ""
            var kept = members.filter { $0.key != "dependencies" }
            var order: [JSONValue] = []
            for link in record["dependencies"]?.arrayValue ?? [] {
                guard let target = link["depends_on_id"], let dependency = target.stringValue else { continue }
                let type = link["type"]?.stringValue ?? "blocks"
                guard orderingTypes.contains(type) || type == "parent-child" else { continue }
                guard ids.contains(dependency) else {
                    diagnostics.add(ManifestWarning.danglingStoreDependency(ticket: id, dependency: dependency, at: target.span))
                    continue
                }
                if type == "parent-child" {
                    parents[id, default: []].append(dependency)
                } else if dependency != id {
                    order.append(target)
                }
            }
            if !order.isEmpty, let span = record["dependencies"]?.span {
                kept.append(JSONMember(key: "dependsOn", keySpan: span, value: JSONValue(.array(order), at: span)))
            }
            guard var ticket = decoder.decode(kept, at: record.span, diagnostics: &diagnostics) else { continue }
            if let status = ticket.status?.lowercased(), heldStatuses.contains(status) { ticket.hold = "status \(status)" }
            if record["issue_type"]?.stringValue == "epic" { ticket.isGroup = true }
            tickets.append(ticket)
        }
        holdChildrenOfHeldParents(&tickets, parents: parents)
        return tickets
    }

    /// A child waits while its parent is held back, however far up the parent is.
    private static func holdChildrenOfHeldParents(_ tickets: inout [Ticket], parents: [String: [String]]) {
        guard !parents.isEmpty else { return }
        var index: [String: Int] = [:]
        for (position, ticket) in tickets.enumerated() { index[ticket.id] = position }
        var resolved: [String: String?] = [:]
        func heldAncestor(_ id: String, depth: Int) -> String? {
            if let known = resolved[id] { return known }
            guard depth < 1000 else { return nil }  // a parent cycle: stop rather than loop
            var found: String?
            for parent in parents[id] ?? [] {
                guard let position = index[parent], !tickets[position].isDone else { continue }
                if tickets[position].hold != nil {
                    found = parent
                } else {
                    found = heldAncestor(parent, depth: depth + 1)
                }
                if found != nil { break }
            }
            resolved[id] = found
            return found
        }
        for position in tickets.indices where tickets[position].hold == nil && !tickets[position].isDone {
            if let ancestor = heldAncestor(tickets[position].id, depth: 0) {
                tickets[position].hold = "parent \(ancestor) is held back"
            }
        }
    }
}
