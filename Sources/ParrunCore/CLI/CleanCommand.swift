/// `parrun clean [MANIFEST] [--force]`: removes the manifest's state (journal,
/// logs, claims, durations). Refuses while a run of it is live, since that run
/// would lose its record and its claims.
struct CleanCommand {
    let invocation: Invocation
    let environment: Environment

    /// What parrun keeps in a state directory; nothing else there is touched,
    /// so `--state-dir` pointed at a shared folder cannot lose other files.
    static let entries = [JournalWriter.fileName, "logs", Claims.fileName, "prompts", DurationHistory.fileName, "lock"]

    func execute() throws(UsageError) -> ExitCode {
        let source = try ManifestLocator.load(invocation)
        let stateDirectory = invocation.stateDirectory ?? RunCommand.stateDirectory(for: source.name)
        guard FileSystem.exists(stateDirectory) else {
            Terminal.writeError("parrun: nothing to clean: \(stateDirectory) does not exist\n")
            return .success
        }
        // Held while removing, so no parrun starts a run on the state being removed.
        let lock: WholeFileLock
        do { lock = try StateLock.acquire(stateDirectory: stateDirectory) } catch { throw .cannotWriteState(error) }
        defer { lock.release() }
        if !invocation.force, let live = liveRun(stateDirectory) {
            Terminal.writeError("parrun: error: run \(live.run) is live (parrun pid \(live.owner.pid)); stop it first, or use --force to remove its state anyway\n")
            return .stateInUse
        }
        do {
            for entry in Self.entries where entry != "lock" { try FileSystem.removeTree(stateDirectory + "/" + entry) }
            try FileSystem.removeTree(stateDirectory + "/lock")
        } catch {
            throw .cannotWriteState(error)
        }
        // Removed only when nothing else is in it.
        _ = FileSystem.removeEmptyDirectory(stateDirectory)
        Terminal.writeError("parrun: removed the state in \(stateDirectory)\n")
        return .success
    }

    /// Any live run recorded in this state directory (of any manifest).
    private func liveRun(_ stateDirectory: String) -> JournalRecord.RunRecord? {
        // A damaged journal cannot show a live run; clean is how to get rid of it.
        guard let contents = try? JournalReader.read(StateJournal.path(in: stateDirectory)) else { return nil }
        let history = RunHistory(contents.records)
        return history.runs.last { history.isLive($0.run, isRunning: ProcessTable.isRunning) }
    }
}
