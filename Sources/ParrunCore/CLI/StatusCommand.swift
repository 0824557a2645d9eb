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
        // Slurm's own state of the jobs of running tickets.
        if let run = report.run, report.entries.contains(where: { $0.state == .running && $0.slurmJob != nil }) {
            let jobs = SlurmLauncher.jobs(ofRun: run)
            for index in report.entries.indices where report.entries[index].state == .running {
                report.entries[index].slurmState = jobs[report.entries[index].id]?.state
                if report.entries[index].slurmState == "queued" { report.entries[index].state = .queued }
            }
        }
        var printer = StatusPrinter(report: report, manifestName: loaded.source.name) { id in
            stateDirectory + "/logs/" + id + ".log"
        }
        // Work awaiting review in a kept worktree: what it changes.
        for entry in report.entries where entry.state == .awaitingReview {
            let worktree = stateDirectory + "/worktrees/" + entry.id
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
