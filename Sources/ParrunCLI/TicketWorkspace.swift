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

    /// Finds the workspaces of a chain of runs, asking git a fixed number of
    /// times however many tickets are asked about (`status --json` asks for all).
    struct Finder {
        private let history: RunHistory
        private let chain: [String]
        private let worktrees: String
        private let root: String
        private let git: Git
        /// `parrun/RUN/NAME` branches that exist.
        private let branches: Set<String>
        /// Per integration branch: its commits that name a run of the chain, newest first (hash, subject).
        private var landings: [String: [(commit: Substring, subject: Substring)]] = [:]

        /// Nil when the manifest is not in a git repository.
        init?(history: RunHistory, chain: [String], stateDirectory: String, manifestDirectory: String) {
            guard let root = Git(root: manifestDirectory).output(["rev-parse", "--show-toplevel"]) else { return nil }
            self.history = history
            self.chain = chain
            self.root = root
            git = Git(root: root)
            worktrees = (FileSystem.absolutePath(stateDirectory) ?? stateDirectory) + "/worktrees/"
            let refs = git.output(["for-each-ref", "--format=%(refname:short)", "refs/heads/parrun/"]) ?? ""
            branches = Set(refs.split(separator: "\n").map(String.init))
        }

        /// Nil when the ticket's latest start was not in a `--worktree` run.
        mutating func find(_ id: String, state: RunHistory.TicketState?) -> TicketWorkspace? {
            guard let run = state?.lastStart?.run, let record = history.runRecord(run), record.worktree,
                let integration = record.branch
            else { return nil }
            let name = WorktreeIsolation.name(id)
            var workspace = TicketWorkspace(root: root, git: git, integration: integration)
            if FileSystem.exists(worktrees + name) { workspace.path = worktrees + name }
            // A branch kept after a conflict may be an earlier run's of the chain: the newest wins.
            workspace.branch = chain.reversed().lazy.map { "parrun/\($0)/\(name)" }.first { branches.contains($0) }
            workspace.landedCommit = landedCommit(id, integration: integration)
            return workspace
        }

        /// The newest commit on `integration` that landed the ticket's work in a run of the chain.
        private mutating func landedCommit(_ id: String, integration: String) -> String? {
            if landings[integration] == nil {
                let patterns = chain.map { "--grep=Parrun-Run: \($0)" }
                let log = git.output(["log", "--format=%H %s", "-n", "100000", "--fixed-strings"] + patterns + ["refs/heads/" + integration, "--"]) ?? ""
                landings[integration] = log.split(separator: "\n").map { line in
                    let commit = line.prefix { $0 != " " }
                    return (commit, line.dropFirst(commit.count + 1))
                }
            }
            for (commit, subject) in landings[integration] ?? [] {
                // As the landing names it: `ID: title`, `ID`, or (merge mode) `Merge ID...`.
                let text = subject.hasPrefix("Merge ") ? subject.dropFirst(6) : subject
                if text == id || text.hasPrefix(id + ": ") { return String(commit) }
            }
            return nil
        }
    }
}
