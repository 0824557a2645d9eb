import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun status [MANIFEST] [--json]`: every ticket of the manifest as its
/// latest run left it, with totals.
struct StatusCommand {
    let invocation: Invocation
    let environment: Environment

    func execute() throws(UsageError) -> ExitCode {
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        let stateDirectory = loaded.stateDirectory(invocation)
        let contents = try StateJournal.read(stateDirectory: stateDirectory)
        let history = RunHistory(contents.records)
        var report = StatusReport(
            graph: loaded.graph, history: history, manifestPath: loaded.identity,
            now: Clock.wall(), isRunning: ProcessTable.isRunning)
        // Asking git costs a few processes a ticket: only the JSON, which has room for it, shows it.
        if invocation.json, let run = report.run { addWorkspaces(to: &report, history: history, run: run, loaded: loaded, stateDirectory: stateDirectory) }
        if let run = report.run, report.hasRunningSlurmJobs {
            let ids = report.entries.filter { $0.state == .running && $0.slurmJob != nil }.map(\.id)
            report.addSlurmStates((SlurmLauncher.jobs(ofRun: run, tickets: ids) ?? [:]).mapValues(\.state))
        }
        var printer = StatusPrinter(report: report, manifestName: loaded.source.name) { id in
            stateDirectory + "/logs/" + LogFileName.name(id)
        }
        // Work awaiting review in a kept worktree: what it changes.
        for entry in report.entries where entry.state == .awaitingReview {
            let worktree = stateDirectory + "/worktrees/" + WorktreeIsolation.name(entry.id)
            guard FileSystem.exists(worktree) else { continue }
            let git = Git(root: worktree)
            // Against the branch checked out in the main checkout (the first worktree git lists).
            let main = (git.output(["worktree", "list", "--porcelain"]) ?? "").split(separator: "\n")
                .first { $0.hasPrefix("branch ") }.map { String($0.dropFirst(7)) }
            if let main, let base = git.output(["merge-base", "HEAD", main]),
                let stat = git.output(["diff", "--stat", base, "HEAD"]), !stat.isEmpty {
                printer.diffStats[entry.id] = stat
            }
        }
        Terminal.writeOutput(invocation.json ? printer.json() : printer.text())
        return .success
    }

    /// `--worktree` runs: each ticket's worktree, branch and landed commit, as git has them now.
    private func addWorkspaces(to report: inout StatusReport, history: RunHistory, run: String, loaded: LoadedManifest, stateDirectory: String) {
        let chain = history.chain(endingAt: run)
        guard chain.contains(where: { history.runRecord($0)?.worktree == true }) else { return }
        let states = history.ticketStates(chain: chain)
        guard var finder = TicketWorkspace.Finder(
            history: history, chain: chain, stateDirectory: stateDirectory,
            manifestDirectory: RunCommand.manifestDirectory(for: loaded.source.name))
        else { return }
        for index in report.entries.indices {
            guard let workspace = finder.find(report.entries[index].id, state: states[report.entries[index].id]) else { continue }
            report.entries[index].worktreePath = workspace.path
            report.entries[index].branch = workspace.branch
            report.entries[index].landedCommit = workspace.landedCommit
        }
    }
}
