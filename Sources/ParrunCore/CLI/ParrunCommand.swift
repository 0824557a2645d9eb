/// The `parrun` command: arguments in, exit status out. `main.swift` only calls this.
public enum ParrunCommand {
    public static func main(arguments: [String], environment: Environment) -> Int32 {
        do {
            return try run(arguments: arguments, environment: environment).rawValue
        } catch {
            Terminal.writeError(error.rendered)
            return ExitCode.usageOrManifestError.rawValue
        }
    }

    private static func run(arguments: [String], environment: Environment) throws(UsageError) -> ExitCode {
        let invocation = try CommandLineParser.parse(arguments)
        if invocation.showHelp {
            Terminal.writeOutput(HelpText.render())
            return .success
        }
        if invocation.showVersion {
            Terminal.writeOutput("parrun \(HelpText.version)\n")
            return .success
        }
        let environmentJobs = try jobsFromEnvironment(environment)
        let source = try ManifestLocator.load(invocation)

        let checked = ValidatedManifest(source)
        let diagnostics = checked.diagnostics
        if !diagnostics.diagnostics.isEmpty {
            // Built only when needed: its line table costs a pass over the whole file.
            let renderer = DiagnosticRenderer(source: source, useColor: Terminal.wantsColor(2, environment: environment))
            Terminal.writeError(renderer.render(diagnostics))
        }
        guard let manifest = checked.manifest, let graph = checked.graph else {
            let count = diagnostics.totalErrors
            Terminal.writeError("parrun: \(count) error\(count == 1 ? "" : "s") in \(source.name); nothing was run\n")
            return .usageOrManifestError
        }

        let runs = Plan.freshRunMask(graph)
        let jobs = JobCount.resolve(
            commandLine: invocation.jobs, environment: environmentJobs, manifest: manifest.settings.jobs,
            cores: Machine.processorCount(), ticketsToRun: runs.lazy.filter { $0 }.count)
        let stateDirectory = RunCommand.stateDirectory(for: source.name)
        let history = DurationHistory.load(from: stateDirectory)
        let plan = Plan(graph: graph, runs: runs, jobs: jobs, pools: manifest.settings.pools, weights: history.weights(for: graph))

        if invocation.printsOnly {
            let printer = PlanPrinter(plan: plan, manifestName: source.name)
            if let format = invocation.graphFormat {
                Terminal.writeOutput(format.render(plan, manifestName: source.name))
            } else if invocation.summaryOnly {
                Terminal.writeOutput(printer.summary())
            } else {
                Terminal.writeOutput(printer.dryRun())
            }
            return .success
        }
        return try RunCommand(
            invocation: invocation, manifest: manifest, plan: plan, history: history,
            stateDirectory: stateDirectory, environment: environment
        ).execute()
    }

    private static func jobsFromEnvironment(_ environment: Environment) throws(UsageError) -> JobsRequest? {
        guard let text = environment["PARRUN_JOBS"], !text.isEmpty else { return nil }
        guard let jobs = JobsRequest(parsing: text) else {
            throw .invalidEnvironment(name: "PARRUN_JOBS", value: text, expected: "a number of jobs or auto")
        }
        return jobs
    }
}
