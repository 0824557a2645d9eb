/// Working on one run together with other parrun processes: claim a ticket
/// before starting it, and learn from the journal what the others finished.
final class RunCoordination {
    private let claims: Claims
    private let follower: JournalFollower
    private let holder: Claims.Holder
    private let indexByID: [String: Int]
    private var held: [Int: Claim] = [:]
    /// Tickets another process recorded as succeeded in this run.
    private var succeededElsewhere = Set<Int>()
    /// Tickets found claimed by another process, by index, with their ids.
    private var elsewhere: [Int: String] = [:]
    /// News read from the journal and not yet handed to the run loop.
    private var undelivered: [News] = []
    private var lastProbe = 0.0
    static let probeInterval = 1.0

    /// What another process finished, for the scheduler.
    enum News {
        case succeeded(Int)
        case failed(Int)
    }

    enum Decision {
        /// Run it; `takenOver` names a dead holder whose claim this one replaces.
        case run(takenOver: Claims.Holder?)
        /// A live process runs it.
        case elsewhere(Claims.Holder?)
        /// Another process already ran it to success in this run.
        case alreadySucceeded
    }

    init(claims: Claims, journalPath: String, journalOffset: Int, holder: Claims.Holder, graph: TicketGraph) {
        self.claims = claims
        self.follower = JournalFollower(path: journalPath, offset: journalOffset)
        self.holder = holder
        self.indexByID = graph.indexByID
    }

    /// Call before starting `ticket`, with its id.
    func claim(_ ticket: Int, id: String) -> Decision {
        // Kept across retries, so no other process takes a ticket between attempts.
        if held[ticket] != nil { return .run(takenOver: nil) }
        switch claims.claim(id, as: holder) {
        case .held(let other):
            elsewhere[ticket] = id
            return .elsewhere(other)
        case .claimed(let claim, let stale):
            elsewhere.removeValue(forKey: ticket)
            // Another process may have finished it since this one planned the run.
            readJournal()
            if succeededElsewhere.contains(ticket) {
                claim.release()
                return .alreadySucceeded
            }
            held[ticket] = claim
            return .run(takenOver: stale.flatMap { $0.owner == holder.owner ? nil : $0 })
        }
    }

    /// Call once the ticket's final end is in the journal (not between retries).
    func release(_ ticket: Int) {
        held.removeValue(forKey: ticket)?.release()
    }

    /// Final outcomes other processes recorded in this run since the last call.
    func news() -> [News] {
        readJournal()
        defer { undelivered = [] }
        return undelivered
    }

    /// Tickets this process left to another one whose claim is now free without
    /// a final end in the journal: their process died or was interrupted, so
    /// they must run here. Call after `news()`; probes at most once a second.
    func abandoned(now: Double) -> [Int] {
        guard !elsewhere.isEmpty, now - lastProbe >= Self.probeInterval else { return [] }
        lastProbe = now
        readJournal()
        guard undelivered.isEmpty else { return [] }  // let the caller apply those first
        let free = elsewhere.filter { !claims.isHeld($0.value) }.map(\.key)
        for ticket in free { elsewhere.removeValue(forKey: ticket) }
        return free.sorted()
    }

    private func readJournal() {
        for case .end(let end) in follower.newRecords()
        where end.run == holder.run && end.owner != holder.owner && !end.retry {
            guard let ticket = indexByID[end.id] else { continue }
            switch end.status {
            case "succeeded":
                succeededElsewhere.insert(ticket)
                elsewhere.removeValue(forKey: ticket)
                undelivered.append(.succeeded(ticket))
            case "failed", "timed-out":
                elsewhere.removeValue(forKey: ticket)
                undelivered.append(.failed(ticket))
            default:
                continue
            }
        }
    }
}
