/// `parrun status [MANIFEST] [--json]`: every ticket of the manifest as its
/// latest run left it, with totals.
struct StatusCommand {
    let invocation: Invocation
    let environment: Environment

    func execute() throws(UsageError) -> ExitCode {
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        let stateDirectory = loaded.stateDirectory(invocation)
        let contents = try StateJournal.read(stateDirectory: stateDirectory)
        let report = StatusReport(
            graph: loaded.graph, history: RunHistory(contents.records), manifestPath: loaded.identity,
            now: Clock.wall(), isRunning: ProcessTable.isRunning)
        let printer = StatusPrinter(report: report, manifestName: loaded.source.name) { id in
            stateDirectory + "/logs/" + id + ".log"
        }
        Terminal.writeOutput(invocation.json ? printer.json() : printer.text())
        return .success
    }
}
