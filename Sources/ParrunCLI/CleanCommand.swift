import ParrunCore
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun clean [MANIFEST] [--force]`: removes the manifest's state (journal,
/// logs, claims, durations). Refuses while a run of it is live, since that run
/// would lose its record and its claims.
struct CleanCommand {
    let invocation: Invocation
    let environment: Environment

    /// What parrun keeps in a state directory; nothing else there is touched,
    /// so `--state-dir` pointed at a shared folder cannot lose other files.
    static let entries = [JournalWriter.fileName, "logs", Claims.fileName, "prompts", "slurm", DurationHistory.fileName, "worktrees", WorktreeIsolation.lockFileName, "lock"]

    func execute() throws(UsageError) -> ExitCode {
        let source = try ManifestLocator.load(invocation)
        let stateDirectory = invocation.stateDirectory ?? RunCommand.stateDirectory(for: source.name)
        guard FileSystem.exists(stateDirectory) else {
            Terminal.writeMessage("parrun: nothing to clean: \(stateDirectory) does not exist\n")
            return .success
        }
        // Held while removing, so no parrun starts a run on the state being removed.
        let lock: WholeFileLock
        do { lock = try StateLock.acquire(stateDirectory: stateDirectory) } catch { throw .cannotWriteState(error) }
        defer { lock.release() }
        if !invocation.force, let live = liveRun(stateDirectory) {
            Terminal.writeMessage("parrun: error: run \(live.run) is live (parrun pid \(live.owner.pid)); stop it first, or use --force to remove its state anyway\n")
            return .stateInUse
        }
        removeWorktrees(stateDirectory, manifestDirectory: RunCommand.manifestDirectory(for: source.name))
        do {
            for entry in Self.entries where entry != "lock" { try FileSystem.removeTree(stateDirectory + "/" + entry) }
            try FileSystem.removeTree(stateDirectory + "/lock")
        } catch {
            throw .cannotWriteState(error)
        }
        // Removed only when nothing else is in it.
        _ = FileSystem.removeEmptyDirectory(stateDirectory)
        Terminal.writeMessage("parrun: removed the state in \(stateDirectory)\n")
        return .success
    }

    /// `--worktree` leftovers: the worktrees under the state directory, and the
    /// `parrun/RUN/ID` branches of runs that are over.
    private func removeWorktrees(_ stateDirectory: String, manifestDirectory: String) {
        let worktrees = stateDirectory + "/worktrees"
        guard FileSystem.exists(worktrees), let root = Git(root: manifestDirectory).output(["rev-parse", "--show-toplevel"]) else { return }
        let git = Git(root: root)
        for name in FileSystem.directoryEntries(worktrees) {
            git.run(["worktree", "remove", "--force", worktrees + "/" + name])
        }
        // Branches of a run that is still live stay (with --force).
        let history = RunHistory(((try? JournalReader.read(StateJournal.path(in: stateDirectory)))?.records ?? []))
        let live = Set(history.runs.map(\.run).filter { history.isLive($0, isRunning: ProcessTable.isRunning) })
        var removed = 0
        for ref in (git.output(["for-each-ref", "--format=%(refname)", "refs/heads/parrun/"]) ?? "").split(separator: "\n") {
            let parts = ref.split(separator: "/")
            guard parts.count >= 5, !live.contains(String(parts[3])) else { continue }
            if git.run(["update-ref", "-d", String(ref)]).succeeded { removed += 1 }
        }
        git.run(["worktree", "prune"])
        if removed > 0 { Terminal.writeError("parrun: removed \(removed) parrun/ branch\(removed == 1 ? "" : "es") of earlier runs\n") }
    }

    /// Any live run recorded in this state directory (of any manifest).
    private func liveRun(_ stateDirectory: String) -> JournalRecord.RunRecord? {
        // A damaged journal cannot show a live run; clean is how to get rid of it.
        guard let contents = try? JournalReader.read(StateJournal.path(in: stateDirectory)) else { return nil }
        let history = RunHistory(contents.records)
        return history.runs.last { history.isLive($0.run, isRunning: ProcessTable.isRunning) }
    }
}
