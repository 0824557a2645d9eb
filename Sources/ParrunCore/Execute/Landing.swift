import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Landing a ticket's work: its commits combined with the integration branch
/// in its own worktree, then the branch (and the user's checkout of it, when
/// there is one) moved to the result.
extension WorktreeIsolation {
    /// Commits what the ticket left, then lands it on the integration branch.
    func land(_ ticket: Ticket) -> Landing {
        locked({ landLocked(ticket) }, unlocked: { .failed($0) })
    }

    /// Times a landing starts again from the new tip when the branch moved
    /// under it (a commit made outside parrun).
    static let landingTries = 3

    private func landLocked(_ ticket: Ticket) -> Landing {
        let path = path(for: ticket.id)
        guard let base = bases[ticket.id] else { return .failed("no worktree for \(ticket.id)") }
        if let failure = commitWork(ticket) { return failure }
        // The work's head and the branch's tip in one git; later tries ask for the tip alone.
        guard let both = git.commits(["HEAD", "refs/heads/" + integration], in: path), both.count == 2 else {
            if git.commit("HEAD", in: path) == nil { return .failed("the worktree of \(ticket.id) has no HEAD") }
            return .failed("branch '\(integration)' is gone")
        }
        let head = both[0]
        if head == base { return .nothing }
        var knownTip: String? = both[1]
        for _ in 0..<Self.landingTries {
            guard let tip = knownTip ?? git.commit("refs/heads/" + integration) else { return .failed("branch '\(integration)' is gone") }
            knownTip = nil
            landedOnto[ticket.id] = tip
            let combined = combine(head: head, onto: tip, ticket: ticket, in: path)
            guard case .landed(let landed) = combined else { return combined }
            if let result = advance(from: tip, to: landed, ticket: ticket.id) { return result }
        }
        return .failed("the integration branch kept moving under parrun")
    }

    /// The commit the integration branch should move to, made in the ticket's worktree.
    private func combine(head: String, onto tip: String, ticket: Ticket, in path: String) -> Landing {
        switch mergeMode {
        case .rebase:
            if tip == bases[ticket.id] { return .landed(head) }
            let rebased = git.run(["rebase", "-q", tip], in: path)
            guard rebased.succeeded else {
                let paths = conflictedPaths(in: path)
                git.run(["rebase", "--abort"], in: path)
                return rebased.timedOut || rebased.interrupted ? .failed("git rebase failed: \(rebased.output)") : .conflict(paths)
            }
        case .merge, .squash:
            guard git.run(["checkout", "-q", "--detach", tip], in: path).succeeded else { return .failed("git checkout failed in \(path)") }
            let arguments = mergeMode == .merge
                ? ["merge", "-q", "--no-ff", "-m", "Merge \(ticket.id)" + (ticket.title.map { ": " + $0 } ?? ""), "-m", "Parrun-Run: \(runID)", head]
                : ["merge", "-q", "--squash", head]
            guard git.run(arguments, in: path).succeeded else {
                let paths = conflictedPaths(in: path)
                git.run(["merge", "--abort"], in: path)
                git.run(["reset", "-q", "--hard"], in: path)
                git.run(["checkout", "-q", "--detach", head], in: path)
                return .conflict(paths)
            }
            if mergeMode == .squash {
                let message = ticket.id + (ticket.title.map { ": " + $0 } ?? "")
                guard git.run(["commit", "-q", "--no-verify", "-m", message, "-m", "Parrun-Run: \(runID)"], in: path).succeeded else {
                    return .failed("git commit of the squashed change failed")
                }
            }
        }
        guard let commit = git.commit("HEAD", in: path) else { return .failed("no commit after landing") }
        return .landed(commit)
    }

    /// Moves the integration branch from `old` to `new`, and the checkout that
    /// has it checked out with it, files first: if git refuses to update them
    /// (they have uncommitted changes the landing would overwrite), the branch
    /// does not move, so the checkout is never left behind its branch. Nil
    /// when the branch is no longer at `old`.
    private func advance(from old: String, to new: String, ticket id: String) -> Landing? {
        var checkout: UserCheckout?
        switch UserCheckout.find(git, branch: integration, parrunWorktrees: directory) {
        case .found(let found):
            // The user committed on the branch since: the landing starts again from its new tip.
            guard found.head == old else { return nil }
            switch found.update(git, from: old, to: new) {
            case .updated: checkout = found
            case .stopped(let output): return .failed("git read-tree failed in \(found.path): \(output)")
            case .refused(let paths, let output): return .failed(Self.refusal(id, checkout: found.path, paths: paths, git: output, branch: branch(for: id)))
            }
        case .nowhere: break
        case .unknown: return .failed("git worktree list failed, so parrun cannot tell whether '\(integration)' is checked out; it did not move")
        }
        let moved = git.run(["update-ref", "-m", "parrun: land", "refs/heads/" + integration, new, old])
        guard moved.succeeded else {
            // The branch did not move, so neither may the checkout's files.
            if let checkout { git.run(["read-tree", "-m", "-u", new, old], in: checkout.path) }
            // A git stopped for its time (or by Ctrl-C) failed; only a branch that really moved is tried again.
            if moved.timedOut || moved.interrupted { return .failed("git update-ref failed: \(moved.output)") }
            return git.commit("refs/heads/" + integration) == old ? .failed("git update-ref failed: \(moved.output)") : nil
        }
        return .landed(new)
    }

    /// Why a landing did not happen when the checkout's files could not follow.
    static func refusal(_ id: String, checkout: String, paths: [String], git output: String, branch: String) -> String {
        let named = paths.prefix(5).joined(separator: ", ") + (paths.count > 5 ? " (+\(paths.count - 5) more)" : "")
        let what = paths.isEmpty
            ? "your checkout \(checkout) could not be updated (git: \(output.split(separator: "\n").first ?? ""))"
            : "its work changes \(named), which you changed in \(checkout) and have not committed"
        return "not landed: \(what); your files were left as they were and the branch did not move. Commit or stash your changes, then run it again (its work stays on \(branch) until then), or land elsewhere with --into BRANCH"
    }

    /// The paths a landed change touched, between the ticket's start and `commit`.
    func changedPaths(_ id: String, landedAt commit: String) -> [String] {
        guard let before = landedOnto[id] else { return [] }
        return (git.output(["diff", "--name-only", before, commit]) ?? "").split(separator: "\n").map(String.init)
    }

    /// Where the integration branch stood when the work of `id` landed on it.
    func landingBase(_ id: String) -> String? { landedOnto[id] }

    /// Uncommitted paths in the user's checkout of the integration branch that
    /// match the `touches` of `tickets`: landing their work could overwrite
    /// them, so the run is refused before it starts. Undeclared overlaps are
    /// only known at landing time, where that ticket's landing fails instead.
    package func dirtyPathsDeclared(by tickets: [Ticket]) -> (checkout: String, paths: [String: String])? {
        guard case .found(let checkout) = UserCheckout.find(git, branch: integration, parrunWorktrees: directory),
            let dirty = checkout.dirtyPaths(git), !dirty.isEmpty
        else { return nil }
        var touched: [String: String] = [:]
        for path in dirty {
            if let ticket = tickets.first(where: { ($0.touches ?? []).contains { PathGlob.matches($0, path) } }) { touched[path] = ticket.id }
        }
        return touched.isEmpty ? nil : (checkout.path, touched)
    }
}
