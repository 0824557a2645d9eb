import ParrunCore
import ParrunPlatform
import ParrunState

/// `--worktree`: where a ticket's work is. The journal names the run and the
/// branch work lands on; git knows the rest: the ticket's worktree and branch
/// while they exist, and the commit its work landed as (the one whose subject
/// is the ticket's and whose `Parrun-Run:` trailer names a run of the chain).
struct TicketWorkspace {
    /// The repository's top-level directory, and git run there.
    let root: String
    let git: Git
    /// The branch work lands on.
    let integration: String
    var path: String?
    var branch: String?
    var landedCommit: String?

    /// Nil when the ticket's latest start was not in a `--worktree` run, or
    /// the manifest is no longer in a git repository.
    static func find(_ id: String, state: RunHistory.TicketState?, history: RunHistory, chain: [String],
                     stateDirectory: String, manifestDirectory: String) -> TicketWorkspace? {
        guard let run = state?.lastStart?.run, let record = history.runRecord(run), record.worktree,
            let integration = record.branch,
            let root = Git(root: manifestDirectory).output(["rev-parse", "--show-toplevel"])
        else { return nil }
        let git = Git(root: root)
        let name = WorktreeIsolation.name(id)
        var workspace = TicketWorkspace(root: root, git: git, integration: integration)
        let path = (FileSystem.absolutePath(stateDirectory) ?? stateDirectory) + "/worktrees/" + name
        if FileSystem.exists(path) { workspace.path = path }
        // A branch kept after a conflict may be an earlier run's of the chain: the newest wins.
        workspace.branch = chain.reversed().lazy.map { "parrun/\($0)/\(name)" }.first { git.resolves("refs/heads/" + $0) }
        workspace.landedCommit = landedCommit(id, runs: chain, integration: integration, git: git)
        return workspace
    }

    /// The newest commit on `integration` that landed the ticket's work in one of `runs`.
    private static func landedCommit(_ id: String, runs: [String], integration: String, git: Git) -> String? {
        let patterns = runs.map { "--grep=Parrun-Run: \($0)" }
        let log = git.output(["log", "--format=%H %s", "-n", "1000", "--fixed-strings"] + patterns + ["refs/heads/" + integration, "--"]) ?? ""
        for line in log.split(separator: "\n") {
            let commit = line.prefix { $0 != " " }
            let subject = line.dropFirst(commit.count + 1)
            // As the landing names it: `ID: title`, `ID`, or (merge mode) `Merge ID...`.
            let text = subject.hasPrefix("Merge ") ? subject.dropFirst(6) : subject
            if text == id || text.hasPrefix(id + ": ") { return String(commit) }
        }
        return nil
    }

    /// The ticket's change as `git diff BASE TIP` takes it: landed, the landing
    /// commit against its first parent; else its branch against where it left
    /// the integration branch. Nil when neither is left.
    var change: (base: String, tip: String)? {
        if let commit = landedCommit, let parent = git.output(["rev-parse", "--verify", "-q", commit + "^1"]) {
            return (parent, commit)
        }
        if let branch, let base = git.output(["merge-base", "refs/heads/" + integration, "refs/heads/" + branch]) {
            return (base, branch)
        }
        return nil
    }
}

extension Git {
    /// The revision names a commit in the repository.
    func resolves(_ revision: String) -> Bool {
        output(["rev-parse", "--verify", "-q", revision + "^{commit}"]) != nil
    }
}
