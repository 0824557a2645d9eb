import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun clean [MANIFEST] [--force]`: removes the manifest's state (journal,
/// logs, claims, durations). Refuses while a run of it is live, since that run
/// would lose its record and its claims.
///
/// Removes only what parrun creates, by name, and never follows a symbolic
/// link: a link is unlinked itself, never recursed through (`DirectoryHandle`).
/// What else it finds in parrun's folders it leaves and names. The state
/// directory itself may be a link (a user may keep the state elsewhere on purpose).
struct CleanCommand {
    let invocation: Invocation
    let environment: Environment

    /// The files parrun keeps in a state directory; nothing else there is touched,
    /// so `--state-dir` pointed at a shared folder cannot lose other files.
    /// `lock` is last: it is held while the rest goes.
    static let files = [JournalWriter.fileName, Claims.fileName, DurationHistory.fileName, WorktreeIsolation.lockFileName, "lock"]
    /// parrun's folders of per-ticket files, and the suffixes it names them with (`LogFileName`).
    static let folders = [
        ("logs", [LogFileName.logSuffix, LogFileName.eventsSuffix]),
        ("prompts", [LogFileName.promptSuffix]),
        ("slurm", [LogFileName.slurmJobSuffix]),
    ]
    /// Made by parrun, and only holding its worktrees: removed whole.
    static let worktrees = "worktrees"

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
        var left: [(folder: String, names: [String])] = []
        do throws(SystemError) {
            let state = try DirectoryHandle(path: stateDirectory, followingLink: true)
            for (folder, suffixes) in Self.folders {
                if let names = try Self.clean(folder, in: state, suffixes: suffixes), !names.isEmpty { left.append((state.path + "/" + folder, names)) }
            }
            try state.removeTree(Self.worktrees)
            for file in Self.files where state.kind(of: file) != .directory { try state.remove(file) }
        } catch {
            throw .cannotWriteState(error)
        }
        // Removed only when nothing else is in it.
        _ = FileSystem.removeEmptyDirectory(stateDirectory)
        Terminal.writeMessage("parrun: removed the state in \(stateDirectory)\n")
        for (folder, names) in left {
            let count = "\(names.count) file\(names.count == 1 ? "" : "s")"
            Terminal.writeMessage("parrun: left \(count) parrun did not create in \(folder.terminalSafe): \(names.sorted().map(\.terminalSafe).joined(separator: ", "))\n")
        }
        return .success
    }

    /// Empties one of parrun's folders of the files parrun names (`LogFileName`,
    /// and their temporary `NAME.tmp.PID`), and removes it if nothing else is
    /// left. A link where the folder should be is unlinked, never followed.
    /// Returns what it left (nil: no such folder).
    static func clean(_ folder: String, in state: DirectoryHandle, suffixes: [String]) throws(SystemError) -> [String]? {
        switch state.kind(of: folder) {
        case nil: return nil
        case .directory: break
        default:
            try state.remove(folder)
            return nil
        }
        let directory = try DirectoryHandle(in: state, name: folder)
        var left: [String] = []
        for name in directory.entries() {
            if isParrunFile(name, suffixes: suffixes), directory.kind(of: name) != .directory {
                try directory.remove(name)
            } else {
                left.append(name)
            }
        }
        if left.isEmpty { _ = state.removeEmptyDirectory(folder) }
        return left
    }

    /// A ticket's file as parrun names it, or the temporary file a prompt is written through.
    static func isParrunFile(_ name: String, suffixes: [String]) -> Bool {
        var name = name
        // `FileSystem.writeAtomically`'s temporary: NAME.tmp.PID.
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count > 2, parts[parts.count - 2] == "tmp", let pid = parts.last, !pid.isEmpty, pid.allSatisfy(\.isASCII), pid.allSatisfy(\.isNumber) {
            name = parts.dropLast(2).joined(separator: ".")
        }
        return suffixes.contains { name.hasSuffix($0) } && LogFileName.isTicketFileName(name)
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
