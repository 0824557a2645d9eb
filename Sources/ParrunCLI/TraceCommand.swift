import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun trace [MANIFEST] [-o FILE]`: the latest run of MANIFEST (and the
/// runs it continued) as Chrome trace-event JSON (`RunTrace`).
struct TraceCommand {
    let invocation: Invocation
    let environment: Environment

    func execute() throws(UsageError) -> ExitCode {
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        let stateDirectory = loaded.stateDirectory(invocation)
        let records = try StateJournal.read(stateDirectory: stateDirectory).records
        let history = RunHistory(records)
        guard let run = history.latestRun(manifest: loaded.identity) else {
            Terminal.writeMessage("parrun: no run of \(loaded.source.name.terminalSafe) in \(stateDirectory.terminalSafe) to trace; run it first\n")
            return .ticketFailed  // as `parrun logs` with nothing to show
        }
        let trace = RunTrace(graph: loaded.graph, records: records, chain: history.chain(endingAt: run.run)).render()
        guard let path = invocation.traceFile, path != "-" else {
            Terminal.writeOutput(trace)
            return .success
        }
        do {
            try FileSystem.writeAtomically(path, trace)
        } catch {
            throw .cannotWriteFile(what: "trace", error)
        }
        Terminal.writeMessage("parrun: wrote the trace of run \(run.run) to \(path.terminalSafe); open it in ui.perfetto.dev or chrome://tracing\n")
        return .success
    }
}
