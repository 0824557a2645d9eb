import ParrunPlatform
import ParrunSupport

/// The user's own checkout of the integration branch (the main one or any
/// worktree parrun does not own), and the one way parrun changes it: as
/// `git merge --ff-only` would, so that a file the user changed is never
/// overwritten, staged or left behind its branch.
struct UserCheckout: Equatable {
    /// Its top-level directory.
    let path: String
    /// The commit it has checked out.
    let head: String

    enum Lookup: Equatable {
        case found(UserCheckout)
        /// The branch is not checked out outside parrun's worktrees.
        case nowhere
        /// git could not list the worktrees: no landing may move the branch blind.
        case unknown
    }

    /// Where `branch` is checked out outside parrun's worktrees (under `parrunWorktrees`).
    static func find(_ git: Git, branch: String, parrunWorktrees: String) -> Lookup {
        guard let list = git.output(["worktree", "list", "--porcelain"]) else { return .unknown }
        var path: String?
        var head: String?
        for line in list.split(separator: "\n") {
            if line.hasPrefix("worktree ") {
                path = String(line.dropFirst(9))
                head = nil
            }
            if line.hasPrefix("HEAD ") { head = String(line.dropFirst(5)) }
            if line == "branch refs/heads/" + branch, let path, let head, !path.hasPrefix(parrunWorktrees + "/") {
                return .found(UserCheckout(path: path, head: head))
            }
        }
        return .nowhere
    }

    /// Paths with uncommitted changes (staged, unstaged or untracked), relative
    /// to the repository's root; nil when git could not tell.
    func dirtyPaths(_ git: Git) -> [String]? {
        guard let status = git.output(["status", "--porcelain", "-z", "--untracked-files=all"], in: path) else { return nil }
        var paths: [String] = []
        var renamedFrom = false
        for entry in status.split(separator: "\0", omittingEmptySubsequences: true) {
            // A rename's entry is followed by its old path, which is dirty too.
            if renamedFrom {
                paths.append(String(entry))
                renamedFrom = false
                continue
            }
            guard entry.count > 3 else { continue }
            paths.append(String(entry.dropFirst(3)))
            renamedFrom = entry.first == "R" || entry.first == "C"
        }
        return paths
    }

    enum Update: Equatable {
        case updated
        /// Git refused: the update would overwrite these uncommitted paths (empty when git said something else).
        case refused([String], git: String)
        /// Git stopped for its time limit or a signal.
        case stopped(String)
    }

    /// Brings the checkout's index and files from `old` (its HEAD) to `new`,
    /// keeping every change the user made to a file the move does not touch.
    /// `git read-tree -m -u` refuses, changing nothing, rather than overwrite
    /// a changed or untracked file.
    func update(_ git: Git, from old: String, to new: String) -> Update {
        let result = git.run(["read-tree", "-m", "-u", old, new], in: path)
        if result.succeeded { return .updated }
        if result.timedOut || result.interrupted { return .stopped(result.output) }
        let changed = Set((git.output(["diff", "--name-only", "-z", old, new]) ?? "").split(separator: "\0").map(String.init))
        return .refused((dirtyPaths(git) ?? []).filter(changed.contains), git: result.output)
    }
}
