import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun logs [ID] [--tail N] [--follow]`: a ticket's saved output; without
/// an ID, the log of the latest run's most recent failure.
struct LogsCommand {
    let invocation: Invocation
    let environment: Environment
    /// How often `--follow` looks for more output and for the ticket's end.
    static let followInterval = 0.2

    func execute() throws(UsageError) -> ExitCode {
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        let stateDirectory = loaded.stateDirectory(invocation)
        let records = try StateJournal.read(stateDirectory: stateDirectory).records
        let history = RunHistory(records)
        let states = latestStates(history, loaded)
        let id: String
        if let named = invocation.ticketID {
            guard loaded.graph.indexByID[named] != nil else {
                throw .unknownTicket(named, suggestion: SpellingSuggestion.closest(to: named, among: loaded.graph.tickets.map(\.id)))
            }
            id = named
        } else {
            guard let failed = Self.mostRecentFailure(states) else {
                Terminal.writeMessage(states.isEmpty
                    ? "parrun: \(loaded.source.name) has not run yet (no state in \(stateDirectory)); run it first, or name a ticket: parrun logs ID\n"
                    : "parrun: no ticket failed in the latest run of \(loaded.source.name); name one: parrun logs ID\n")
                return .ticketFailed
            }
            id = failed
        }
        let logs = LogSource(directory: stateDirectory + "/logs", name: Self.logStem(of: id, in: records) + LogFileName.logSuffix)
        let path = logs.path
        if let end = states[id]?.lastEnd, invocation.ticketID == nil {
            Terminal.writeMessage("parrun: \(id) \(end.status)" + (end.exitCode.map { " (exit \($0))" } ?? "") + ": \(path)\n")
        }
        var printed = printExisting(logs)
        if invocation.follow {
            follow(logs, id: id, from: &printed, loaded: loaded, stateDirectory: stateDirectory)
        } else if printed == 0 {
            let ran = states[id]?.lastStart != nil
            let shown = id.terminalSafe
            if ran, let problem = logs.whyNotKept() {
                Terminal.writeMessage("parrun: \(shown) ran, but its log could not be written: \(problem.terminalSafe)\n")
            } else {
                Terminal.writeMessage(ran ? "parrun: \(shown) printed nothing\n" : "parrun: \(shown) has not run in the latest run\n")
            }
            // Nothing to show for a ticket that never ran: as with no failure to show, exit 1.
            if !ran { return .ticketFailed }
        }
        return .success
    }

    private func latestStates(_ history: RunHistory, _ loaded: LoadedManifest) -> [String: RunHistory.TicketState] {
        guard let latest = history.latestRun(manifest: loaded.identity) else { return [:] }
        return history.ticketStates(chain: history.chain(endingAt: latest.run))
    }

    /// The ticket whose failed or timed-out end is the latest among those not since fixed.
    /// The stem of the ticket's log: as its latest start record says, else as this parrun names it.
    static func logStem(of id: String, in records: [JournalRecord]) -> String {
        for record in records.reversed() {
            if case .start(let start) = record, start.id == id { return start.log ?? id }
        }
        return LogFileName.stem(id)
    }

    static func mostRecentFailure(_ states: [String: RunHistory.TicketState]) -> String? {
        states.filter { !$0.value.isOpen && ["failed", "timed-out", "no-change", "out-of-turns"].contains($0.value.lastEnd?.status) }
            .max { ($0.value.lastEnd?.time ?? 0, $1.key) < ($1.value.lastEnd?.time ?? 0, $0.key) }?.key
    }

    /// Prints the log (its last `--tail` lines); returns how many bytes of the file it covered.
    private func printExisting(_ logs: LogSource) -> Int {
        let bytes = logs.read(from: 0)
        var shown = bytes[...]
        if let tail = invocation.tail { shown = Self.lastLines(tail, of: bytes) }
        write(shown)
        return bytes.count
    }

    static func lastLines(_ count: Int, of bytes: [UInt8]) -> ArraySlice<UInt8> {
        guard count > 0 else { return bytes[bytes.endIndex...] }
        var end = bytes.endIndex
        // A final line break does not start another line.
        if end > bytes.startIndex && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var start = end
        var found = 0
        while start > bytes.startIndex {
            if bytes[start - 1] == UInt8(ascii: "\n") {
                found += 1
                if found == count { break }
            }
            start -= 1
        }
        return bytes[start...]
    }

    /// Prints what the ticket writes until its attempt ends and no live parrun
    /// will run it again, like `tail -f` that knows when to stop.
    private func follow(_ logs: LogSource, id: String, from offset: inout Int, loaded: LoadedManifest, stateDirectory: String) {
        while true {
            let more = logs.read(from: offset)
            offset += more.count
            write(more[...])
            guard let contents = try? JournalReader.read(StateJournal.path(in: stateDirectory)) else { return }
            let history = RunHistory(contents.records)
            guard let latest = history.latestRun(manifest: loaded.identity),
                history.isLive(latest.run, isRunning: ProcessTable.isRunning)
            else {
                write(logs.read(from: offset)[...])
                return
            }
            let state = history.ticketStates(chain: history.chain(endingAt: latest.run))[id]
            let finished = state.map { !$0.isOpen && $0.lastEnd.map { !$0.retry && $0.run == latest.run } == true } ?? false
            if finished {
                write(logs.read(from: offset)[...])
                return
            }
            Clock.sleep(seconds: Self.followInterval)
        }
    }

    private func write(_ bytes: ArraySlice<UInt8>) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBytes { FileSystem.writeStandardOutput($0) }
    }
}

/// Where `logs` reads a ticket's log: inside the logs directory, never
/// through a symbolic link (DirectoryHandle), so a planted link shows nothing
/// of the file it points to.
struct LogSource {
    let directory: String
    let name: String
    var path: String { directory + "/" + name }

    func read(from offset: Int) -> [UInt8] {
        (try? DirectoryHandle(path: directory))?.read(name, from: offset) ?? []
    }

    /// Why a ticket that ran has no log, as far as can be seen now: the logs
    /// directory or the log is a link or not writable. Nil: it printed nothing.
    func whyNotKept() -> String? {
        let handle: DirectoryHandle
        do throws(SystemError) {
            handle = try DirectoryHandle(path: directory)
        } catch {
            return error.isSymbolicLink ? "\(directory) is a symbolic link, which parrun does not follow" : error.description
        }
        switch handle.kind(of: name) {
        case .symbolicLink: return "\(path) is a symbolic link, which parrun does not follow"
        case .directory, .other: return "\(path) is not a regular file"
        case .file, nil: return handle.isWritable ? nil : "\(directory) is not writable"
        }
    }
}
