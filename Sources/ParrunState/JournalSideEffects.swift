import ParrunModel
import ParrunSupport

extension JournalRecord {
    /// What write-back to a ticket's store did when the ticket started,
    /// succeeded, failed or was interrupted. `--resume` redoes each ticket's
    /// last write-back when it failed (`WriteBackBacklog`).
    public struct WriteBackRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        /// `start`, `success`, `failure` or `interrupted` (`WriteBackEvent`).
        public var event: String
        public var ok: Bool
        /// Why it failed.
        public var detail: String?
        public var time: Double

        package init(run: String, id: String, event: String, ok: Bool, detail: String?, time: Double) {
            self.run = run
            self.id = id
            self.event = event
            self.ok = ok
            self.detail = detail
            self.time = time
        }

        enum Key: String {
            case run, id, event, ok, detail, time
        }

        /// The members after `v` and `type`, as JSON text.
        var members: [(String, String)] {
            [(Key.run.rawValue, JSONText.quoted(run)), (Key.id.rawValue, JSONText.quoted(id)), (Key.event.rawValue, JSONText.quoted(event)),
             (Key.ok.rawValue, ok ? "true" : "false"), (Key.detail.rawValue, JSONText.quotedOrNull(detail)), (Key.time.rawValue, JSONText.number(time))]
        }
    }

    /// A hook (`on`) that failed or timed out: hooks that succeed leave no record.
    public struct HookRecord: Sendable, Equatable {
        public var run: String
        /// The ticket it ran for; nil for the run's `end`.
        public var id: String?
        /// `start`, `success`, `failure` or `end` (`Hooks.Event`).
        public var event: String
        public var detail: String
        public var time: Double

        package init(run: String, id: String?, event: String, detail: String, time: Double) {
            self.run = run
            self.id = id
            self.event = event
            self.detail = detail
            self.time = time
        }

        enum Key: String {
            case run, id, event, detail, time
        }

        var members: [(String, String)] {
            [(Key.run.rawValue, JSONText.quoted(run)), (Key.id.rawValue, JSONText.quotedOrNull(id)), (Key.event.rawValue, JSONText.quoted(event)),
             (Key.detail.rawValue, JSONText.quoted(detail)), (Key.time.rawValue, JSONText.number(time))]
        }
    }
}

/// Write-backs that failed in the runs `--resume` continues, to be done again.
public enum WriteBackBacklog {
    /// Per ticket id, its last write-back event, when that one failed.
    /// `runs`: the chain of runs being continued.
    public static func pending(_ records: [JournalRecord], runs: Set<String>) -> [String: WriteBackEvent] {
        var last: [String: JournalRecord.WriteBackRecord] = [:]
        for record in records {
            if case .writeBack(let writeBack) = record, runs.contains(writeBack.run) { last[writeBack.id] = writeBack }
        }
        return last.compactMapValues { $0.ok ? nil : WriteBackEvent(rawValue: $0.event) }
    }
}

extension WriteBackBacklog {
    /// Ticket ids whose last write-back, in any run of the manifest `path`,
    /// marked them started: parrun put them in progress and stopped before
    /// recording their end (killed with -9, a crash). Their store says
    /// `in_progress`, which would hold them back for ever.
    public static func leftInProgress(_ records: [JournalRecord], manifest path: String) -> Set<String> {
        var runs = Set<String>()
        var last: [String: JournalRecord.WriteBackRecord] = [:]
        for record in records {
            switch record {
            case .run(let run) where run.manifest == path: runs.insert(run.run)
            case .writeBack(let writeBack) where runs.contains(writeBack.run): last[writeBack.id] = writeBack
            default: break
            }
        }
        return Set(last.filter { $0.value.event == WriteBackEvent.start.rawValue && $0.value.ok }.keys)
    }
}
