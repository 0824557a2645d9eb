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
        var report = StatusReport(
            graph: loaded.graph, history: RunHistory(contents.records), manifestPath: loaded.identity,
            now: Clock.wall(), isRunning: ProcessTable.isRunning)
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
}
