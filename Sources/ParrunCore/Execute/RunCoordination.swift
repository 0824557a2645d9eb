import ParrunModel
import ParrunPlatform
import ParrunState

/// Working on one run together with other parrun processes: claim a ticket
/// before starting it, and learn from the journal what the others started and
/// finished.
final class RunCoordination {
    private let claims: Claims
    private let follower: JournalFollower
    private let run: String
    private let owner: ProcessIdentity
    private let indexByID: [String: Int]
    /// Tickets whose claim this process holds.
    private var held = Set<Int>()
    /// Claims given up whose locks wait for `releaseRecorded()`: the ticket's
    /// end must be in the journal before another process can take the claim,
    /// or it would find the ticket free and unfinished, and run it again.
    private var releasing: [Int: String] = [:]
    /// Tickets another process ended for good in this run, and how.
    private var finishedElsewhere: [Int: News] = [:]
    /// Tickets found claimed by another process, by index, with their ids.
    private var elsewhere: [Int: String] = [:]
    /// Per ticket, the parrun of an attempt that started and has not ended
    /// (from the journal): who holds it, or who held it before dying.
    private var openAttempts: [Int: ProcessIdentity]
    /// News read from the journal and not yet handed to the run loop.
    private var undelivered: [News] = []
    private var lastProbe = 0.0
    static let probeInterval = 1.0

    /// What another process finished, for the scheduler.
    enum News {
        case succeeded(Int)
        case failed(Int)
        /// Its work waits for `parrun approve` or `parrun reject`.
        case awaitingReview(Int)
    }

    enum Decision {
        /// Run it; `takenOver` names a parrun that had started it and is gone.
        case run(takenOver: ProcessIdentity?)
        /// A live process holds it (its parrun, if the journal says yet).
        case elsewhere(ProcessIdentity?)
        /// Another process already ran it in this run, to this end.
        case alreadyFinished(News)
    }

    /// `openAttempts`: tickets (by id) started and not ended in the runs this
    /// one continues, with their parrun, as the journal said when planning.
    /// How many bytes this process has appended to the journal.
    private let ownBytesWritten: () -> Int

    init(claims: Claims, journalPath: String, journalOffset: Int, run: String, owner: ProcessIdentity,
         graph: TicketGraph, openAttempts: [String: ProcessIdentity], ownBytesWritten: @escaping () -> Int) {
        self.claims = claims
        self.ownBytesWritten = ownBytesWritten
        self.follower = JournalFollower(path: journalPath, offset: journalOffset, skipping: owner)
        self.run = run
        self.owner = owner
        self.indexByID = graph.indexByID
        var open: [Int: ProcessIdentity] = [:]
        for (id, parrun) in openAttempts where parrun != owner {
            if let ticket = graph.indexByID[id] { open[ticket] = parrun }
        }
        self.openAttempts = open
    }

    /// Call before starting `ticket`, with its id.
    func claim(_ ticket: Int, id: String) -> Decision {
        // Kept across retries, so no other process takes a ticket between attempts.
        if held.contains(ticket) { return .run(takenOver: nil) }
        // Its lock was never let go: this process still holds it.
        if releasing.removeValue(forKey: ticket) != nil {
            held.insert(ticket)
            return .run(takenOver: nil)
        }
        guard claims.claim(id) else {
            readJournal()
            elsewhere[ticket] = id
            return .elsewhere(openAttempts[ticket])
        }
        elsewhere.removeValue(forKey: ticket)
        // Another process may have finished it since this one planned the run.
        readJournal()
        if let finished = finishedElsewhere[ticket] {
            claims.release(id)
            return .alreadyFinished(finished)
        }
        held.insert(ticket)
        // The claim was free, so whoever started it and never ended it is gone.
        return .run(takenOver: openAttempts.removeValue(forKey: ticket))
    }

    /// Call once the ticket's final end is recorded (not between retries). The
    /// lock goes at the next `releaseRecorded()`, once the record is written.
    func release(_ ticket: Int, id: String) {
        guard held.remove(ticket) != nil else { return }
        releasing[ticket] = id
    }

    /// Lets go of the claims given up so far; call once the journal holds
    /// every record appended before (`RunJournal.flush()`).
    func releaseRecorded() {
        for id in releasing.values { claims.release(id) }
        releasing.removeAll(keepingCapacity: true)
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
        let free = elsewhere.filter { !claims.isHeldElsewhere($0.value) }.map(\.key)
        for ticket in free { elsewhere.removeValue(forKey: ticket) }
        return free.sorted()
    }

    private func readJournal() {
        for record in follower.newRecords(ownBytesWritten: ownBytesWritten()) {
            switch record {
            case .start(let start) where start.run == run && start.owner != owner:
                if let ticket = indexByID[start.id] { openAttempts[ticket] = start.owner }
            case .end(let end) where end.run == run && end.owner != owner:
                guard let ticket = indexByID[end.id] else { continue }
                openAttempts.removeValue(forKey: ticket)
                if end.retry { continue }
                let news: News
                switch end.status {
                case "succeeded":
                    news = .succeeded(ticket)
                case "failed", "timed-out", "rate-limited", "usage-limited", "conflict", "out-of-turns", "no-change":
                    news = .failed(ticket)
                case "awaiting-review":
                    news = .awaitingReview(ticket)
                default:
                    // `interrupted`: let go unfinished; `abandoned` finds it once its claim is free.
                    continue
                }
                elsewhere.removeValue(forKey: ticket)
                finishedElsewhere[ticket] = news
                undelivered.append(news)
            default:
                continue
            }
        }
    }
}
