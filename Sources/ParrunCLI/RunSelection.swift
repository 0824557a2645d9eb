import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// Which tickets this invocation runs, decided from the manifest and the journal:
/// a fresh run (every ticket not marked done), or `--resume` of the latest run of
/// this manifest (see `ResumeDecision`).
struct RunSelection {
    enum Mode: Equatable {
        case fresh
        /// Continues the run with this id.
        case resume(String)
        /// Works on the live run with this id alongside the parrun(s) running it.
        case join(String, owner: ProcessIdentity)
    }

    var mode: Mode
    var runs: [Bool]
    /// With `--resume`: why each running ticket runs.
    var reasons: [ResumeDecision.Reason?]?
    /// Lines to tell the user before the run (a suggestion to resume, orphans stopped).
    var notices: [String] = []
    /// Tickets whose earlier attempt still runs under a parrun that died.
    var orphans: [(ticket: Int, process: ProcessIdentity)] = []
    /// Tickets (by id) started and never ended in the run(s) this one continues
    /// or joins, with the parrun that started them.
    var openAttempts: [String: ProcessIdentity] = [:]
    /// Interrupted prompt tickets whose agent session began, by id: `--resume` continues them in it.
    var sessionsToContinue: [String: String] = [:]
    /// What each agent session of the continued runs used and cost (`RunHistory.TicketState.sessionStats`).
    var sessionStats: [String: AgentStats] = [:]
    /// Tickets (by id) whose work conflicted when it landed, with that run: with
    /// `--worktree`, `--resume` lands their kept branches rather than rerunning them.
    var conflictsToLand: [String: String] = [:]
    /// Those tickets' last agent sessions, and their conflicts so far (`RetryPolicy.conflictReruns`).
    var conflictSessions: [String: String] = [:]
    var earlierConflicts: [String: Int] = [:]
    /// Tickets (by id) started and never ended, with the run that started them:
    /// with `--worktree` their work may have landed just before parrun stopped.
    var interruptedRuns: [String: [String]] = [:]
    /// Tickets (by id) whose work awaited review, and what to do with them.
    var reviews: [String: ReviewState] = [:]
    /// What the agents of the run(s) this one continues or joins have cost: the
    /// budget of `--max-cost` is the run's, not each invocation's.
    var costSpentEarlierUSD = 0.0
    /// Joining: the live run's tickets work in git worktrees.
    var joinsWorktreeRun = false
    /// Joining a `--worktree` run: the branch it lands on.
    var joinsWorktreeBranch: String?
    /// Resuming a `--worktree` run: the branch it landed on.
    var resumesWorktreeBranch: String?
    /// `--resume`: per ticket id, a write-back that failed in the runs continued (`WriteBackBacklog`).
    var pendingWriteBacks: [String: WriteBackEvent] = [:]
    var history: RunHistory
    var manifestPath: String
    var manifestHash: String
    /// A fresh run of the targets' or labels' part of the manifest: the
    /// latest run, whose records it continues (`TargetSelection.swift`).
    var extendsRun: String?
    /// What targets, `--label` and `--limit` chose; nil without them.
    var choice: TicketSelection?
    /// What earlier runs say this one takes (`TicketHistory`).
    var estimate: RunEstimate?

    /// `isRunning` decides whether a recorded process is alive (injected for tests).
    /// Another manifest keeps its state in the same directory: the journal and
    /// claims keep them apart, but logs are named by ticket id.
    static func sharedStateWarnings(history: RunHistory, graph: TicketGraph, manifestPath path: String) -> [String] {
        let others = Set(history.runs.map(\.manifest)).subtracting([path]).sorted()
        return others.compactMap { other in
            guard let latest = history.latestRun(manifest: other) else { return nil }
            let shared = history.ticketStates(chain: history.chain(endingAt: latest.run)).keys.filter { graph.indexByID[$0] != nil }.sorted()
            guard let first = shared.first else { return nil }
            return "parrun: warning: this state directory also keeps the state of \(other), which has tickets with the same ids (\(first)\(shared.count > 1 ? " and \(shared.count - 1) more" : "")): their logs overwrite each other's, and `parrun clean` removes both; give each manifest its own --state-dir"
        }
    }

    /// `stateDirectory`: where the journal was looked for, named when there is no run to resume.
    static func decide(
        graph: TicketGraph, manifest: Manifest, recipeHashes: [String], records: [JournalRecord],
        resume: Bool, isRunning: (ProcessIdentity) -> Bool, stateDirectory: String? = nil
    ) -> RunSelection {
        let history = RunHistory(records)
        let path = manifestIdentity(manifest.source)
        let hash = StableHash.hex(bytes: manifest.source.bytes)
        let fresh = Plan.freshRunMask(graph)
        var selection = RunSelection(
            mode: .fresh, runs: fresh, reasons: nil, history: history, manifestPath: path, manifestHash: hash)
        selection.notices += sharedStateWarnings(history: history, graph: graph, manifestPath: path)
        guard let latest = history.latestRun(manifest: path) else {
            let place = stateDirectory.map { " in " + $0 } ?? ""
            if resume { selection.notices.append("parrun: no earlier run of \(manifest.source.name) to resume\(place); starting a fresh run") }
            return selection
        }
        let chain = history.chain(endingAt: latest.run)
        let states = history.ticketStates(chain: chain)
        let live = history.isLive(latest.run, isRunning: isRunning)
        let openAttempts = states.compactMapValues { $0.isOpen ? $0.lastStart?.owner : nil }
        let costSpentEarlier = states.values.reduce(0.0) { $0 + ($1.stats?.costUSD ?? 0) }
        if live {
            // Another parrun is on this run now: work beside it, never start afresh under it.
            let decision = ResumeDecision(graph: graph, recipeHashes: recipeHashes, states: states)
            selection.mode = .join(latest.run, owner: latest.owner)
            selection.joinsWorktreeRun = latest.worktree
            selection.joinsWorktreeBranch = latest.branch
            selection.runs = decision.runs
            selection.reasons = decision.reasons
            selection.openAttempts = openAttempts
            selection.costSpentEarlierUSD = costSpentEarlier
            return selection
        }
        guard resume else {
            if !history.finishedSuccessfully(latest.run) {
                let left = ResumeDecision(graph: graph, recipeHashes: recipeHashes, states: states).runs.filter { $0 }.count
                if left > 0 {
                    selection.notices.append("parrun: the last run of \(manifest.source.name) did not finish (\(left) ticket\(left == 1 ? "" : "s") left); `parrun --resume` continues it, this starts afresh")
                }
            }
            return selection
        }
        let decision = ResumeDecision(graph: graph, recipeHashes: recipeHashes, states: states)
        selection.mode = .resume(latest.run)
        selection.pendingWriteBacks = WriteBackBacklog.pending(records, runs: Set(chain))
        selection.resumesWorktreeBranch = latest.branch
        selection.runs = decision.runs
        selection.reasons = decision.reasons
        selection.openAttempts = openAttempts
        selection.costSpentEarlierUSD = costSpentEarlier
        for (id, state) in states where state.awaitingReview {
            if let decision = state.decision {
                selection.reviews[id] = decision.approved
                    ? .approved(run: state.lastEnd?.run ?? "") : .rejected(reason: decision.reason, session: state.session)
            } else {
                selection.reviews[id] = .pending
            }
        }
        for (id, state) in states where !state.isOpen && state.lastEnd?.status == "conflict" {
            if let end = state.lastEnd { selection.conflictsToLand[id] = end.run }
            // Its agent continues the session that did the conflicting work.
            if let session = state.session { selection.conflictSessions[id] = session }
            selection.earlierConflicts[id] = state.conflicts
        }
        for (id, state) in states where state.isOpen {
            selection.interruptedRuns[id] = state.openRuns
        }
        selection.sessionsToContinue = states.compactMapValues(\.interruptedSession)
        for state in states.values { selection.sessionStats.merge(state.sessionStats) { $0 + $1 } }
        for id in openAttempts.keys {
            guard let ticket = graph.indexByID[id], let start = states[id]?.lastStart else { continue }
            if start.process.pid > 0, isRunning(start.process), !isRunning(start.owner) {
                selection.orphans.append((ticket, start.process))
            }
        }
        selection.orphans.sort { $0.ticket < $1.ticket }
        return selection
    }

    /// The manifest as runs record it: its absolute path, or `<stdin>`.
    /// A manifest file by its absolute path; one read from standard input by
    /// its content, since two different ones must not share runs.
    static func manifestIdentity(_ source: SourceFile) -> String {
        if source.name == "<stdin>" { return "<stdin " + StableHash.hex(bytes: source.bytes) + ">" }
        return FileSystem.absolutePath(source.name) ?? source.name
    }
}
