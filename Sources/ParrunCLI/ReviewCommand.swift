import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun approve ID...` and `parrun reject ID... [--reason TEXT]`: the
/// decision on tickets awaiting review, recorded in the journal; `parrun
/// --resume` then acts on it. A decision stands until then: the same one again
/// changes nothing, a different one is refused, naming the first.
struct ReviewCommand {
    let invocation: Invocation
    let environment: Environment

    func execute() throws(UsageError) -> ExitCode {
        let approve = invocation.command == .approve
        guard !invocation.ticketIDs.isEmpty else { throw .missingTicketIDs(command: invocation.command.rawValue) }
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        let stateDirectory = loaded.stateDirectory(invocation)
        let lock: WholeFileLock
        do { lock = try StateLock.acquire(stateDirectory: stateDirectory) } catch { throw .cannotWriteState(error) }
        defer { lock.release() }
        let history = RunHistory(try StateJournal.read(stateDirectory: stateDirectory).records)
        guard let latest = history.latestRun(manifest: loaded.identity) else {
            throw .notAwaitingReview("\(loaded.source.name) has not run yet; nothing awaits review")
        }
        let states = history.ticketStates(chain: history.chain(endingAt: latest.run))
        var toRecord: [String] = []
        var unchanged: [String] = []
        for id in invocation.ticketIDs {
            guard loaded.graph.indexByID[id] != nil else {
                throw .unknownTicket(id, suggestion: SpellingSuggestion.closest(to: id, among: loaded.graph.tickets.map(\.id)))
            }
            guard states[id]?.awaitingReview == true else {
                let now = states[id]?.lastEnd?.status ?? (states[id]?.isOpen == true ? "running" : "not run")
                throw .notAwaitingReview("\(id) does not await review (its state is \(now))")
            }
            if let earlier = states[id]?.decision {
                let same = earlier.approved == approve && (approve || invocation.reason == nil || invocation.reason == earlier.reason)
                guard same else {
                    throw .alreadyDecided("\(id) was \(Self.describe(earlier)) already, and that stands until `parrun --resume` acts on it; nothing was recorded")
                }
                unchanged.append("parrun: \(id) was \(Self.describe(earlier)) already; nothing changed\n")
            } else if !toRecord.contains(id) {
                toRecord.append(id)
            }
        }
        for line in unchanged { Terminal.writeMessage(line) }
        guard !toRecord.isEmpty else { return .success }
        let writer: JournalWriter
        do { writer = try JournalWriter(directory: stateDirectory) } catch { throw .cannotWriteState(error) }
        for id in toRecord {
            writer.append(.review(.init(run: latest.run, id: id, approved: approve, reason: approve ? nil : invocation.reason, time: Clock.wall())))
        }
        // A decision not on disk would be lost, or half kept: say so rather than report it taken.
        guard writer.sync(), writer.failure == nil else {
            let reason = writer.failure?.description ?? "cannot write \(writer.path)"
            Terminal.writeError("parrun: error: \(reason); the decision may not be recorded, give it again once the state directory can be written\n")
            return .stateNotWritten
        }
        let list = toRecord.joined(separator: ", ")
        Terminal.writeMessage(approve
            ? "parrun: approved \(list); `parrun --resume` counts it as succeeded (lands it, with --worktree) and runs what depends on it\n"
            : "parrun: rejected \(list); `parrun --resume` runs it again" + (invocation.reason == nil ? "" : ", telling its agent why") + "\n")
        return .success
    }

    private static func describe(_ decision: JournalRecord.ReviewRecord) -> String {
        decision.approved ? "approved" : "rejected" + (decision.reason.map { " (reason: \($0))" } ?? "")
    }
}
