import ParrunModel
import ParrunPlatform

/// `--worktree`: every ticket works in a git worktree of its own, on a branch
/// `parrun/RUN/ID` made from the integration branch as it stands when the
/// ticket starts; when it succeeds, its work lands on the integration branch,
/// one ticket at a time (the run loop is the queue, and a lock file queues the
/// parruns that share a run), before its dependents start.
///
/// The user's checkout is never damaged: the ticket's commit is rebased (or
/// merged, or squashed) inside the ticket's own worktree, and the integration
/// branch then moves with `git update-ref` (compare-and-swap). Where that
/// branch is checked out (`UserCheckout`), its index and files move first, the
/// way `git merge --ff-only` would: files the user changed that the landing
/// does not touch stay as they are, and a landing that would overwrite one
/// fails instead, the branch unmoved.
public final class WorktreeIsolation {
    package enum MergeMode: String, Sendable, CaseIterable {
        /// Rebase the ticket's commits onto the integration branch, then fast-forward.
        case rebase
        /// A merge commit of the ticket's branch into the integration branch.
        case merge
        /// The ticket's changes as one new commit on the integration branch.
        case squash
    }

    enum Landing: Equatable {
        /// The integration branch now includes the ticket's work (at this commit).
        case landed(String)
        /// The ticket changed nothing.
        case nothing
        /// The ticket's changes conflict with what landed since it started: these paths.
        case conflict([String])
        /// git failed in another way.
        case failed(String)
    }

    enum Adoption: Equatable {
        case adopted
        /// Neither worktree nor branch is left, or it holds no work.
        case gone
        /// A rebase, merge or cherry-pick is under way in the worktree: landing
        /// now would commit conflict markers. What it is, and the unmerged paths.
        case unfinished(String, paths: [String])
        /// Its work, all committed, still conflicts with the integration
        /// branch's head in these paths: landing it would only conflict again.
        /// `head`: that work's commit.
        case stillConflicts([String], head: String, branch: String)
        /// The landing lock could not be taken: why.
        case failed(String)
    }

    package struct Problem: Error, Equatable {
        package let message: String
    }

    /// `var`: `GitWork` gives it the descriptor that stops it on a signal.
    var git: Git
    let runID: String
    /// The branch work lands on.
    package let integration: String
    let mergeMode: MergeMode
    /// Where worktrees go: `.parrun/worktrees`.
    let directory: String
    /// Held while changing the repository's branches and worktrees, so that
    /// parruns joined on one run land one at a time too.
    package static let lockFileName = "landing.lock"
    private let lockPath: String
    /// The manifest's directory relative to the repository root ("" at the root).
    let manifestPrefix: String
    /// Said once before the run (the state directory was excluded from git).
    package private(set) var notes: [String] = []
    /// Per ticket id: the commit its worktree started from.
    var bases: [String: String] = [:]
    /// Per ticket id: where the integration branch stood when its work landed.
    var landedOnto: [String: String] = [:]
    /// Tickets whose worktree this process made, on this run's branch for them.
    var madeHere = Set<String>()
    /// Branches of work that landed, not yet deleted (see `spentBranchBatch`).
    var spentBranches: [String] = []

    private init(git: Git, runID: String, integration: String, mergeMode: MergeMode, directory: String,
                 lockPath: String, manifestPrefix: String) {
        self.lockPath = lockPath
        self.git = git
        self.runID = runID
        self.integration = integration
        self.mergeMode = mergeMode
        self.directory = directory
        self.manifestPrefix = manifestPrefix
    }

    /// Finds the repository and the integration branch (creating it from `base`
    /// when it does not exist), and keeps a state directory inside the
    /// repository out of `git status`.
    package static func prepare(manifestDirectory: String, stateDirectory: String, runID: String,
                        into: String?, base: String?, mergeMode: MergeMode) throws(Problem) -> WorktreeIsolation {
        let probe = Git(root: manifestDirectory)
        guard let root = probe.output(["rev-parse", "--show-toplevel"]) else {
            throw Problem(message: "--worktree needs a git repository, and \(FileSystem.absolutePath(manifestDirectory) ?? manifestDirectory) is not in one; run `git init` there, or run without --worktree")
        }
        var git = Git(root: root)
        if git.output(["config", "user.email"]) == nil {
            git.identity = ["-c", "user.name=parrun", "-c", "user.email=parrun@localhost"]
        }
        let current = git.output(["symbolic-ref", "--short", "-q", "HEAD"])
        guard let integration = into ?? current else {
            throw Problem(message: "HEAD is detached, so there is no branch to land on: name one with --into BRANCH")
        }
        guard git.run(["check-ref-format", "--branch", integration]).succeeded else {
            throw Problem(message: "'\(integration)' is not a valid branch name for --into")
        }
        if integration.hasPrefix("parrun/") {
            throw Problem(message: "'\(integration)' is one of parrun's ticket branches, not one to land work on: check out the branch work should land on (say, main), or give --into BRANCH")
        }
        if git.commit("refs/heads/" + integration) == nil {
            let start = base ?? "HEAD"
            guard git.commit(start) != nil else {
                throw Problem(message: "cannot create branch '\(integration)': '\(start)' is not a commit\(base == nil ? " (the repository has no commit yet; make one, or give --base REF)" : "")")
            }
            let created = git.run(["branch", integration, start])
            guard created.succeeded else { throw Problem(message: "cannot create branch '\(integration)': \(created.output)") }
        }
        let state = FileSystem.absolutePath(stateDirectory) ?? stateDirectory
        let worktrees = state + "/worktrees"
        let manifestRoot = FileSystem.absolutePath(manifestDirectory) ?? manifestDirectory
        let prefix = manifestRoot == root ? "" : String(manifestRoot.dropFirst(root.count + 1))
        do { try FileSystem.createDirectories(worktrees) } catch { throw Problem(message: error.description) }
        let isolation = WorktreeIsolation(
            git: git, runID: runID, integration: integration, mergeMode: mergeMode, directory: worktrees,
            lockPath: state + "/" + lockFileName, manifestPrefix: prefix)
        if let note = StateExclusion.exclude(state, git: git) { isolation.notes.append(note) }
        return isolation
    }

    func branch(for id: String) -> String { "parrun/\(runID)/\(Self.name(id))" }

    func path(for id: String) -> String { directory + "/" + Self.name(id) }

    /// The id as a worktree folder and branch name component: the log's file
    /// name stem (an id too long for a file name gets a prefix and a hash),
    /// with `-` for its `~`, which git does not allow in a branch name.
    public static func name(_ id: String) -> String {
        LogFileName.isPlain(id) ? id : String(LogFileName.stem(id).map { $0 == "~" ? "-" : $0 })
    }

    /// `body` while holding the landing lock, or `unlocked`'s answer (with the
    /// reason) when the lock cannot be taken: without it, two parruns of a run
    /// could move the branch at once.
    func locked<T, E: Error>(_ body: () throws(E) -> T, unlocked: (String) throws(E) -> T) throws(E) -> T {
        let lock: WholeFileLock
        do {
            lock = try WholeFileLock(path: lockPath, waitingUpTo: Git.timeout, interrupt: git.interrupt)
        } catch {
            let why = error.timedOut ? "another parrun held it for \(Int(Git.timeout))s (PARRUN_HELPER_TIMEOUT sets the limit)"
                : error.cancelled ? "stopped by a signal" : error.description
            return try unlocked("cannot take the landing lock \(lockPath): \(why)")
        }
        defer { lock.release() }
        return try body()
    }

    /// The directory the recipe runs in, inside the ticket's worktree.
    private func recipeDirectory(_ path: String) -> String {
        manifestPrefix.isEmpty ? path : path + "/" + manifestPrefix
    }

    /// The worktree an earlier attempt left, for an attempt that continues its
    /// agent session: the agent is told its files are there, so they must be.
    /// Nil when there is none; then `create` makes a fresh one.
    func reuse(_ id: String) -> String? {
        locked({
            let path = path(for: id)
            if !FileSystem.exists(path), let kept = latestBranch(of: id) { addWorktree(path, branch: kept) }
            guard FileSystem.exists(path), let head = git.commit("HEAD", in: path),
                let tip = git.commit("refs/heads/" + integration), let base = git.output(["merge-base", head, tip])
            else { return nil }
            bases[id] = base
            return recipeDirectory(path)
        }, unlocked: { _ in nil })
    }

    /// A fresh worktree for the ticket, from the integration branch as it is
    /// now; returns the directory the recipe runs in.
    func create(_ id: String) throws(Problem) -> String {
        try locked({ () throws(Problem) -> String in try createLocked(id) }, unlocked: { (reason) throws(Problem) -> String in throw Problem(message: reason) })
    }

    private func createLocked(_ id: String) throws(Problem) -> String {
        let path = path(for: id)
        if FileSystem.exists(path) {
            // An earlier attempt's (or run's) worktree: this attempt starts afresh.
            git.run(["worktree", "remove", "--force", path])
            try? FileSystem.removeTree(path)
            git.run(["worktree", "prune"])
        }
        guard let tip = git.commit("refs/heads/" + integration) else { throw Problem(message: "branch '\(integration)' is gone") }
        let added = git.run(["worktree", "add", "-q", "--force", "-B", branch(for: id), path, tip])
        guard added.succeeded else { throw Problem(message: "git worktree add failed: \(added.output)") }
        bases[id] = tip
        madeHere.insert(id)
        return recipeDirectory(path)
    }

    /// Takes up the worktree (or else the branch) a ticket kept after a conflict
    /// in run `run`, so that what the user fixed there can land without running
    /// the ticket again. `gone` when neither is left, or it holds no work (an
    /// attempt that reran the ticket had reset it before parrun stopped).
    func adopt(_ id: String, fromRun run: String) -> Adoption {
        locked({ adoptLocked(id, fromRun: run) }, unlocked: { .failed($0) })
    }

    private func adoptLocked(_ id: String, fromRun run: String) -> Adoption {
        deleteSpentBranchesLocked()
        let path = path(for: id)
        if !FileSystem.exists(path) {
            // The run's branch, or (a later --resume kept the conflict) the newest of the ticket's.
            let named = "parrun/\(run)/\(Self.name(id))"
            guard let branch = git.commit("refs/heads/" + named) != nil ? named : latestBranch(of: id),
                addWorktree(path, branch: branch)
            else { return .gone }
        }
        if let operation = unfinishedOperation(in: path) { return .unfinished(operation, paths: conflictedPaths(in: path)) }
        guard let head = git.commit("HEAD", in: path), let tip = git.commit("refs/heads/" + integration),
            let base = git.output(["merge-base", head, tip])
        else { return .gone }
        let uncommitted = !(git.output(["status", "--porcelain"], in: path) ?? "").isEmpty
        guard head != base || uncommitted else { return .gone }
        bases[id] = base
        // Uncommitted changes are the user's fix under way: they land (and are judged) as they are.
        if !uncommitted, let paths = conflicts(head, with: tip) { return .stillConflicts(paths, head: head, branch: keptBranch(id)) }
        return .adopted
    }

    /// The branch the ticket's worktree has checked out (an earlier run's,
    /// when it was taken up after a conflict); this run's when it is detached.
    func keptBranch(_ id: String) -> String {
        git.output(["symbolic-ref", "--short", "-q", "HEAD"], in: path(for: id)) ?? branch(for: id)
    }

    /// The paths where `head` conflicts with `tip`, found by merging them
    /// without a checkout (`git merge-tree`); nil when they merge cleanly, or
    /// when git cannot tell (the landing then finds out).
    func conflicts(_ head: String, with tip: String) -> [String]? {
        let merged = git.run(["merge-tree", "--write-tree", "--name-only", "--no-messages", tip, head])
        // Exit 1 is git's "conflicts"; anything else (an old git, a failure) is no answer.
        guard merged.status == .exited(1), !merged.timedOut, !merged.interrupted else { return nil }
        var seen = Set<String>()
        return merged.output.split(separator: "\n").dropFirst().map(String.init).filter { seen.insert($0).inserted }
    }

    /// Checks `branch` out at `path`; a worktree deleted by hand is still
    /// registered with git, which refuses to add it again until pruned.
    @discardableResult
    private func addWorktree(_ path: String, branch: String) -> Bool {
        git.run(["worktree", "prune"])
        return git.run(["worktree", "add", "-q", path, branch]).succeeded
    }

    /// The newest `parrun/RUN/ID` branch of ticket `id`, of any run.
    private func latestBranch(of id: String) -> String? {
        deleteSpentBranchesLocked()
        let refs = git.output(["for-each-ref", "--sort=-committerdate", "--format=%(refname:short)", "refs/heads/parrun/*/\(Self.name(id))"]) ?? ""
        return refs.split(separator: "\n").first.map(String.init)
    }

    /// A rebase, merge, cherry-pick or revert the user left under way in the
    /// worktree, or paths still unmerged.
    private func unfinishedOperation(in path: String) -> String? {
        for (marker, operation) in [("rebase-merge", "a rebase"), ("rebase-apply", "a rebase"), ("MERGE_HEAD", "a merge"),
                                    ("CHERRY_PICK_HEAD", "a cherry-pick"), ("REVERT_HEAD", "a revert")] {
            guard let found = git.output(["rev-parse", "--git-path", marker], in: path) else { continue }
            if FileSystem.exists(found.hasPrefix("/") ? found : path + "/" + found) { return operation + " under way" }
        }
        return conflictedPaths(in: path).isEmpty ? nil : "unmerged paths"
    }

    func conflictedPaths(in path: String) -> [String] {
        (git.output(["diff", "--name-only", "--diff-filter=U"], in: path) ?? "").split(separator: "\n").map(String.init)
    }

    /// Commits what the ticket left in its worktree (`ID: title`, with the run's trailer).
    @discardableResult
    func commitWork(_ ticket: Ticket) -> Landing? {
        let path = path(for: ticket.id)
        git.run(["add", "-A"], in: path)
        let message = ticket.id + (ticket.title.map { ": " + $0 } ?? "")
        // Most tickets changed something: commit at once, and only when that
        // fails ask git whether there was anything to commit (one git less a ticket).
        let committed = git.run(["commit", "-q", "--no-verify", "-m", message, "-m", "Parrun-Run: \(runID)"], in: path)
        if committed.succeeded || git.run(["diff", "--cached", "--quiet"], in: path).succeeded { return nil }
        return .failed("git commit failed: \(committed.output)")
    }

    /// The change a ticket's worktree holds, as `git diff --stat` shows it.
    func diffStat(_ id: String) -> String? {
        let path = path(for: id)
        guard let (head, base) = headAndBase(in: path) else { return nil }
        return git.output(["diff", "--stat", base, head], in: path)
    }

    /// The worktree's HEAD and where it left the integration branch (nil: git cannot tell).
    private func headAndBase(in path: String) -> (head: String, base: String)? {
        guard let head = git.commit("HEAD", in: path), let tip = git.commit("refs/heads/" + integration),
            let base = git.output(["merge-base", head, tip])
        else { return nil }
        return (head, base)
    }

    /// Whether the ticket's branch differs from where it left the integration
    /// branch (true when git cannot tell: the reviewer sees for themselves).
    func hasChange(_ id: String) -> Bool {
        let path = path(for: id)
        guard let (head, base) = headAndBase(in: path) else { return true }
        return !git.run(["diff", "--quiet", base, head], in: path).succeeded
    }

    /// Whether the integration branch already holds the work of `id` from one
    /// of `runs` (parrun stopped after landing it, before recording that).
    func landedBefore(_ id: String, runs: [String]) -> Bool {
        guard !runs.isEmpty else { return false }
        // Several --grep patterns match any of them.
        let patterns = runs.map { "--grep=Parrun-Run: \($0)" }
        let subjects = git.output(["log", "--format=%s", "-n", "1000", "--fixed-strings"] + patterns + ["refs/heads/" + integration]) ?? ""
        return subjects.split(separator: "\n").contains { subject in
            let text = subject.hasPrefix("Merge ") ? subject.dropFirst(6) : subject[...]
            return text == id || text.hasPrefix(id + ": ")
        }
    }

    /// The ticket's work landed: its worktree and branch are no longer needed
    /// (its commits name the run in a `Parrun-Run:` trailer).
    func remove(_ id: String) {
        // Without the lock, the worktree stays (`parrun clean` removes it later).
        locked({
            // Merge and squash leave the worktree detached: its branch is this run's.
            // A worktree this run made has this run's branch, so git need not be asked.
            let checkedOut = madeHere.contains(id) ? nil : git.output(["symbolic-ref", "-q", "HEAD"], in: path(for: id))
            git.run(["worktree", "remove", "--force", path(for: id)])
            for branch in Set([checkedOut, "refs/heads/" + branch(for: id)].compactMap { $0 }) where branch.hasPrefix("refs/heads/parrun/") {
                spentBranches.append(String(branch.dropFirst("refs/heads/".count)))
            }
            if spentBranches.count >= Self.spentBranchBatch { deleteSpentBranchesLocked() }
        }, unlocked: { _ in })
    }

    /// Branches of landed work are deleted this many at a time (and at the
    /// run's end): one git for many tickets instead of one each.
    static let spentBranchBatch = 32

    /// Deletes the branches of work that landed; call at the run's end.
    func deleteSpentBranches() {
        guard !spentBranches.isEmpty else { return }
        locked({ deleteSpentBranchesLocked() }, unlocked: { _ in })
    }

    private func deleteSpentBranchesLocked() {
        guard !spentBranches.isEmpty else { return }
        // `branch -D` deletes every name it can, even when one fails.
        git.run(["branch", "-D", "-q"] + spentBranches)
        spentBranches = []
    }
}
