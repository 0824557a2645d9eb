import ParrunModel
import ParrunPlatform

/// The git jobs `GitWork` runs for the loop, each a whole step: what a
/// ticket's start needs of its worktree, and landing its work. Run off the
/// loop's thread, they take and return only values.
extension WorktreeIsolation {
    /// What starting a ticket asks of git (`--worktree`).
    struct SetUpRequest: Sendable {
        var id: String
        /// Its work was approved in review, in this run: it lands instead of running.
        var approvedRun: String?
        /// `--resume`: runs it was interrupted in, whose work may have landed already.
        var interruptedRuns: [String]?
        /// `--resume`: it kept a branch after a conflict in this run: that lands
        /// instead, unless it still conflicts.
        var conflictRun: String?
        /// Kept work that still conflicts reruns (within its conflict reruns); else it is left for the user.
        var mayRerunConflict = false
        /// Its work conflicted as it landed in this run, in these paths: it reruns from the new head.
        var rerunAfterConflict: [String]?
        /// It has a recipe, which runs in a worktree of its own.
        var needsWorktree: Bool
        /// It continues its agent's session, so its files too, where they are.
        var continuesSession: Bool
    }

    struct SetUp: Sendable {
        enum Outcome: Sendable {
            /// The run stopped before git began: the ticket does not start.
            case skipped
            /// Work kept from earlier (approved, or after a conflict) is taken up:
            /// it lands instead of a run. `approved`: the approved work.
            case adopted(Adoption, approved: Bool)
            /// It landed before its parrun stopped: it does not run again.
            case landedBefore
            /// Git could not make its worktree.
            case failed(String)
            /// The recipe starts, in this directory (nil: the manifest's own).
            case ready(String?)
            /// The recipe runs again after its work conflicted in `paths`, in a
            /// fresh worktree (this directory) from the integration branch's
            /// new head; `previous`: the commit of the work that conflicted.
            case rerunAfterConflict(String, paths: [String], previous: String?)
        }

        var outcome: Outcome
        /// The approved work was gone, so the ticket runs again.
        var approvedWorkGone = false
    }

    func setUp(_ request: SetUpRequest) -> SetUp {
        var approvedWorkGone = false
        if let run = request.approvedRun {
            let adoption = adopt(request.id, fromRun: run)
            guard adoption == .gone else { return SetUp(outcome: .adopted(adoption, approved: true)) }
            approvedWorkGone = true
        }
        var setUp = SetUp(outcome: .ready(nil), approvedWorkGone: approvedWorkGone)
        if let runs = request.interruptedRuns, landedBefore(request.id, runs: runs) {
            remove(request.id)
            setUp.outcome = .landedBefore
        } else if let run = request.conflictRun, case let adoption = adopt(request.id, fromRun: run), adoption != .gone {
            if case .stillConflicts(let paths, let head, _) = adoption, request.mayRerunConflict {
                setUp.outcome = rerunFromHead(request.id, paths: paths, previous: head)
            } else {
                setUp.outcome = .adopted(adoption, approved: false)
            }
        } else if let paths = request.rerunAfterConflict, request.needsWorktree {
            // Read before the fresh worktree replaces it: a landing that conflicted left the work's commit checked out.
            setUp.outcome = rerunFromHead(request.id, paths: paths, previous: git.commit("HEAD", in: path(for: request.id)))
        } else if request.needsWorktree {
            do throws(Problem) {
                // An attempt that continues its agent's session continues in its files too.
                if request.continuesSession, let continued = reuse(request.id) {
                    setUp.outcome = .ready(continued)
                } else {
                    setUp.outcome = .ready(try create(request.id))
                }
            } catch {
                setUp.outcome = .failed(error.message)
            }
        }
        return setUp
    }

    /// Work that conflicted is redone, not landed again: a fresh worktree
    /// from the integration branch as it now stands (the agent, told what
    /// conflicted, redoes its change on top of what landed meanwhile).
    private func rerunFromHead(_ id: String, paths: [String], previous: String?) -> SetUp.Outcome {
        do throws(Problem) {
            return .rerunAfterConflict(try create(id), paths: paths, previous: previous)
        } catch {
            return .failed(error.message)
        }
    }

    struct LandingResult: Sendable {
        /// Nil: landed (or nothing to land); else why not.
        var failure: AttemptOutcome?
        /// Paths it changed outside its declared `touches`.
        var outside: [String] = []
        /// The commit the integration branch moved to (nil: nothing landed).
        var commit: String?
        /// It landed: the branch, where it stood, and the commit it moved to.
        var landed: (branch: String, base: String, commit: String)?
        /// It conflicted: the branch its work is kept on.
        var keptBranch: String?
    }

    /// Commits the ticket's work on its branch for `parrun approve`: nil when
    /// there is work to review; else why the ticket ends without review (its
    /// agent changed nothing, or git could not commit).
    func keepForReview(_ ticket: Ticket) -> AttemptOutcome? {
        if case .failed(let message)? = commitWork(ticket) { return .landingFailed("its work could not be kept for review: " + message) }
        return ticket.mustChangeSomething && !hasChange(ticket.id) ? .noChange : nil
    }

    /// Lands the ticket's work, then removes its worktree unless kept.
    func landAndTidy(_ ticket: Ticket, keepWorktree: Bool) -> LandingResult {
        switch land(ticket) {
        case .landed(let commit):
            // Declared paths are a promise the scheduler relied on: say when it was broken.
            // Without declared paths there is no promise to check, and no `git diff` to run.
            let declared = !(ticket.touches ?? []).isEmpty
            let outside = declared ? Exclusions.outside(changedPaths(ticket.id, landedAt: commit), of: ticket) : []
            if !keepWorktree { remove(ticket.id) }
            return LandingResult(failure: nil, outside: outside, commit: commit, landed: landingBase(ticket.id).map { (integration, $0, commit) })
        case .nothing:
            if !keepWorktree { remove(ticket.id) }
            return LandingResult(failure: nil)
        case .conflict(let paths):
            return LandingResult(failure: .conflict(paths), keptBranch: keptBranch(ticket.id))
        case .failed(let reason):
            return LandingResult(failure: .landingFailed(reason))
        }
    }
}
