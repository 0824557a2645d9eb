import ParrunPlatform

/// `--worktree`: a state directory inside the repository (its worktrees
/// included) would show in every `git status` as untracked, and so make the
/// user's checkout look dirty. It goes in the repository's own
/// `info/exclude`, never in the user's `.gitignore`, which is theirs and tracked.
enum StateExclusion {
    /// Excludes `stateDirectory` (absolute) when it is inside the repository at
    /// `git.root` and git does not ignore it yet. The note to print when a line
    /// was added; nil when none was needed or it could not be added.
    static func exclude(_ stateDirectory: String, git: Git) -> String? {
        guard stateDirectory.hasPrefix(git.root + "/") else { return nil }
        let relative = String(stateDirectory.dropFirst(git.root.count + 1))
        // Already ignored (by this line from an earlier run, or the user's own rules).
        if git.run(["check-ignore", "-q", relative]).succeeded { return nil }
        // A linked worktree's exclude file is the common one: `info/` is shared.
        guard let common = git.output(["rev-parse", "--git-common-dir"]) else { return nil }
        let info = (common.hasPrefix("/") ? common : git.root + "/" + common) + "/info"
        let exclude = info + "/exclude"
        var text = (try? FileSystem.readFile(exclude)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let line = "/" + relative + "/"
        text += "# parrun's state directory\n" + line + "\n"
        do {
            try FileSystem.createDirectories(info)
            try FileSystem.writeAtomically(exclude, text)
        } catch {
            return "parrun: warning: could not add \(line) to \(exclude) (\(error.description)); git status will list it as untracked"
        }
        return "parrun: note: added \(line) to \(exclude), so that git leaves parrun's state directory out of git status"
    }
}
