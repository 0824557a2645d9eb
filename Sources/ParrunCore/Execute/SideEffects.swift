import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// What a run does besides its tickets when they start and end: write-back
/// of store tickets' progress to their store, and the manifest's hooks.
/// Neither may cost the run its work or hold it up: `bd` and hooks run as
/// helpers beside the loop (`SideCommands`) with timeouts, a task file or
/// ticket index is edited in place in one short locked rename (`StoreFile`),
/// and every failure is a warning, recorded in the journal; a failed
/// write-back is done again by `--resume` (`WriteBackBacklog`).
final class SideEffects {
    private let plan: Plan
    private let options: RunOptions
    private let runID: String
    private let writer: JournalWriter?
    private let notice: (String) -> Void
    private let commands = SideCommands()
    /// `bd`, found on PATH; nil when it is not there (beads stores only).
    private let bd: String?
    private var warnedWithoutBD = false
    /// `bd` commands that ran out of time; after `bdTimeoutLimit` the run stops calling it.
    private var bdTimeouts = 0
    static let bdTimeoutLimit = 2
    /// Failed write-backs warned about; beyond `warningLimit` they are counted and summed up at the end.
    private var warnings = 0
    private var unwarned = 0
    static let warningLimit = 3
    /// Tickets whose start was written back: retries start no new write-back.
    private var startedTickets = Set<Int>()
    /// How many lines of a failed ticket's log go into its beads comment.
    static let logLines = 20

    init?(plan: Plan, options: RunOptions, runID: String, writer: JournalWriter?, executables: ExecutableLookup, notice: @escaping (String) -> Void) {
        guard options.writeBack != nil || options.hooks?.commands.isEmpty == false else { return nil }
        self.plan = plan
        self.options = options
        self.runID = runID
        self.writer = writer
        self.notice = notice
        bd = options.writeBack?.kind == .beads ? executables.resolve("bd") : nil
    }

    var descriptors: [Int32] { commands.descriptors }
    var nextDue: Double? {
        guard let editsDue else { return commands.nextDue }
        return min(editsDue, commands.nextDue ?? editsDue)
    }

    func service() {
        commands.service()
        if let editsDue, Clock.monotonic() >= editsDue { flushEdits() }
    }

    /// At the start of a run: what `--resume` must write back again.
    func begin() {
        guard let settings = options.writeBack else { return }
        for (id, event) in settings.pending.sorted(by: { $0.key < $1.key }) {
            guard let ticket = plan.graph.indexByID[id] else { continue }
            // A ticket this run runs again writes its own progress.
            if plan.runs[ticket] && event != .success { continue }
            writeBack(event, ticket: ticket, detail: nil)
        }
    }

    func started(_ ticket: Int) {
        guard startedTickets.insert(ticket).inserted else { return }
        writeBack(.start, ticket: ticket, detail: nil)
        hook(.start, ticket: ticket, status: "started")
    }

    func ended(_ ticket: Int, outcome: AttemptOutcome) {
        switch outcome {
        case .awaitingReview:
            return
        case .succeeded:
            writeBack(.success, ticket: ticket, detail: nil)
            hook(.success, ticket: ticket, status: outcome.statusWord)
        case .interrupted:
            writeBack(.interrupted, ticket: ticket, detail: nil)
        default:
            writeBack(.failure, ticket: ticket, detail: outcome.detail)
            hook(.failure, ticket: ticket, status: outcome.statusWord)
        }
    }

    /// The run is over: its `end` hook, then every helper waited for, each within its time.
    func finish(status: String, interrupt: Int32?) {
        flushEdits()
        // The end hook comes after every other hook and write-back, as its name says.
        commands.drain(interrupt: interrupt)
        hook(.end, ticket: nil, status: status)
        commands.drain(interrupt: interrupt)
        if unwarned > 0 {
            notice("warning: \(unwarned) more write-back\(unwarned == 1 ? "" : "s") failed; the journal records them, and `parrun --resume` tries again")
        }
    }

    // MARK: - Write-back

    private func writeBack(_ event: WriteBackEvent, ticket: Int, detail: String?) {
        guard let settings = options.writeBack else { return }
        let definition = plan.graph.tickets[ticket]
        // A ticket without a recipe (an epic, a store run without a template) did no work to report.
        guard definition.recipe != .none, let status = settings.kind.status(for: event, original: definition.status) else { return }
        switch settings.kind {
        case .beads:
            guard let bd else {
                if !warnedWithoutBD {
                    warnedWithoutBD = true
                    notice("warning: `bd` is not on PATH, so the beads store is not told what this run does (install bd, or run with --no-write-back); `parrun --resume` with bd on PATH catches up")
                }
                record(event, ticket: ticket, ok: false, detail: "bd is not on PATH", warn: false)
                return
            }
            guard bdTimeouts < Self.bdTimeoutLimit else {
                record(event, ticket: ticket, ok: false, detail: "bd stopped answering earlier in this run", warn: false)
                return
            }
            let calls = beadsCalls(event, id: definition.id, status: status, detail: detail, bd: bd)
            runInTurn(calls, event: event, ticket: ticket, directory: settings.directory, timeout: settings.timeoutSeconds)
        case .taskFile, .ticketIndex:
            // Gathered and written together (`flushEdits`): one locked rewrite of the file for many events.
            edits.append((ticket, event, status))
            if edits.count == 1 { editsDue = Clock.monotonic() + Self.editDelay }
        }
    }

    /// A task file's or ticket index's edits not yet written, in order, and when they are due.
    private var edits: [(ticket: Int, event: WriteBackEvent, status: String)] = []
    private var editsDue: Double?
    /// How long edits gather before the file is rewritten: a run of many short
    /// tickets rewrites it a few times a second, not twice per ticket.
    static let editDelay = 0.2

    private func flushEdits() {
        guard let settings = options.writeBack, !edits.isEmpty else { return }
        let batch = edits
        edits.removeAll()
        editsDue = nil
        var failures: [String: StatusEdit.Failure] = [:]
        let failure = StoreFile.update(settings.storePath) { bytes in
            let wanted = batch.map { (id: plan.graph.tickets[$0.ticket].id, status: $0.status) }
            switch StatusEdit.apply(bytes, edits: wanted, kind: settings.kind) {
            case .failure(let whole): return .failure(StoreFile.Refusal(whole.message))
            case .success(let (edited, each)):
                failures = each
                return .success(edited)
            }
        }
        for edit in batch {
            let id = plan.graph.tickets[edit.ticket].id
            let reason = failure ?? failures[id]?.message
            record(edit.event, ticket: edit.ticket, ok: reason == nil, detail: reason.map { "cannot write \(edit.status) to \(settings.storePath): \($0)" })
        }
    }

    /// The `bd` commands that record `event`, as `bd`'s own workflow does.
    func beadsCalls(_ event: WriteBackEvent, id: String, status: String, detail: String?, bd: String) -> [[String]] {
        switch event {
        case .start:
            return [[bd, "update", id, "--status", status]]
        case .success:
            return [[bd, "close", id, "--reason", "parrun run \(runID): succeeded"]]
        case .failure:
            var comment = "parrun run \(runID): failed" + (detail.map { " (\($0))" } ?? "")
            let tail = logTail(id)
            if !tail.isEmpty { comment += "\n\nlast lines of its log:\n" + tail }
            return [[bd, "comments", "add", id, comment], [bd, "update", id, "--status", status]]
        case .interrupted:
            return [[bd, "update", id, "--status", status]]
        }
    }

    /// `calls` one after another (the next only after the one before succeeded), then the record.
    private func runInTurn(_ calls: [[String]], event: WriteBackEvent, ticket: Int, directory: String, timeout: Double) {
        guard let call = calls.first else {
            record(event, ticket: ticket, ok: true, detail: nil)
            return
        }
        commands.submit(call, in: directory, timeout: timeout, serial: true) { [weak self] outcome in
            guard let self else { return }
            if case .timedOut = outcome {
                bdTimeouts += 1
                if bdTimeouts == Self.bdTimeoutLimit {
                    notice("warning: `bd` timed out \(bdTimeouts) times; this run calls it no more, and `parrun --resume` writes back what is left")
                    commands.cancelWaitingSerialJobs("bd stopped answering earlier in this run")
                }
            }
            if let failure = outcome.failure {
                let command = (["bd"] + call.dropFirst().prefix(2)).joined(separator: " ")
                record(event, ticket: ticket, ok: false, detail: "`\(command)` \(failure)")
            } else {
                runInTurn(Array(calls.dropFirst()), event: event, ticket: ticket, directory: directory, timeout: timeout)
            }
        }
    }

    private func record(_ event: WriteBackEvent, ticket: Int, ok: Bool, detail: String?, warn: Bool = true) {
        let id = plan.graph.tickets[ticket].id
        if !ok, warn, warnings >= Self.warningLimit {
            unwarned += 1
        } else if !ok, warn {
            warnings += 1
            notice("warning: write-back of \(id) (\(event.rawValue)) failed: \(detail ?? "unknown reason"); the run goes on, and `parrun --resume` tries again")
        }
        _ = writer?.append(.writeBack(.init(run: runID, id: id, event: event.rawValue, ok: ok, detail: detail, time: Clock.wall())))
    }

    /// The last lines of the ticket's log, for a beads comment.
    private func logTail(_ id: String) -> String {
        let path = options.logPath(id)
        guard let size = FileSystem.size(path), size > 0 else { return "" }
        let count = min(size, 4096)
        let text = String(decoding: FileSystem.readFile(path, at: size - count, count: count), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if count < size, !lines.isEmpty { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.suffix(Self.logLines).joined(separator: "\n")
    }

    // MARK: - Hooks

    private func hook(_ event: Hooks.Event, ticket: Int?, status: String) {
        guard let hooks = options.hooks, let template = hooks.commands[event] else { return }
        var subject = ticket.map { plan.graph.tickets[$0] } ?? Ticket(id: "", idSpan: SourceSpan(offset: 0))
        let log = ticket == nil ? options.logDirectory : options.logPath(subject.id)
        subject.fields.removeAll { ["status", "log", "run"].contains($0.key) }
        for (key, value) in [("status", status), ("log", log), ("run", runID)] {
            subject.fields.append(JSONMember(key: key, keySpan: SourceSpan(offset: 0), value: JSONValue(.string(value), at: SourceSpan(offset: 0))))
        }
        let id = ticket.map { plan.graph.tickets[$0].id }
        let command: String
        switch Template.render(template, for: subject, as: .shell) {
        case .success(let text):
            command = text
        case .failure(let problem):
            hookFailed(event, id: id, detail: "`{{\(problem.name)}}`: \(problem.reason)")
            return
        }
        commands.submit(options.shell + [command], in: options.manifestDirectory, timeout: hooks.timeoutSeconds, serial: false) { [weak self] outcome in
            if let failure = outcome.failure { self?.hookFailed(event, id: id, detail: failure) }
        }
    }

    private func hookFailed(_ event: Hooks.Event, id: String?, detail: String) {
        notice("warning: the \(event.rawValue) hook\(id.map { " for \($0)" } ?? "") failed: \(detail)")
        _ = writer?.append(.hook(.init(run: runID, id: id, event: event.rawValue, detail: detail, time: Clock.wall())))
    }
}

extension Runner {
    /// A side effect's warning, as the run's other notices.
    func reportNotice(_ text: String) {
        reporter.report(.notice(text), elapsed: elapsed)
    }
}
