import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// The `parrun` command: arguments in, exit status out. `main.swift` only calls this.
public enum ParrunCommand {
    public static func main(arguments: [String], environment: Environment) -> Int32 {
        do {
            return try run(arguments: arguments, environment: environment).rawValue
        } catch {
            Terminal.writeMessage(error.rendered)
            return ExitCode.usageOrManifestError.rawValue
        }
    }

    private static func run(arguments: [String], environment: Environment) throws(UsageError) -> ExitCode {
        if arguments.first == Guardian.subcommand {
            return Guardian.main(arguments: Array(arguments.dropFirst())) == 0 ? .success : .usageOrManifestError
        }
        let invocation = try CommandLineParser.parse(arguments)
        if invocation.showHelp {
            Terminal.writeOutput(invocation.command == .run ? HelpText.renderSummary() : HelpText.render(for: invocation.command))
            return .success
        }
        if invocation.showVersion {
            Terminal.writeOutput("parrun \(HelpText.version) (\(BuildInfo.commit.map { "commit " + $0 } ?? "unknown commit"))\n")
            return .success
        }
        switch invocation.command {
        case .run: break
        case .status: return try StatusCommand(invocation: invocation, environment: environment).execute()
        case .logs: return try LogsCommand(invocation: invocation, environment: environment).execute()
        case .show: return try ShowCommand(invocation: invocation, environment: environment).execute()
        case .diff: return try DiffCommand(invocation: invocation, environment: environment).execute()
        case .clean: return try CleanCommand(invocation: invocation, environment: environment).execute()
        case .approve, .reject: return try ReviewCommand(invocation: invocation, environment: environment).execute()
        case .help: return try HelpCommand.execute(invocation)
        case .trace: return try TraceCommand(invocation: invocation, environment: environment).execute()
        case .schema:
            Terminal.writeOutput(ManifestSchema.text)
            return .success
        case .completions: return try CompletionScript.execute(invocation)
        case .man:
            Terminal.writeOutput(ManPage.render())
            return .success
        }
        let environmentJobs = invocation.jobs == nil ? try jobsFromEnvironment(environment) : nil  // -j wins, even over a bad value
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else {
            return .usageOrManifestError
        }
        let (source, manifest) = (loaded.source, loaded.manifest)
        var graph = loaded.graph
        if let agent = invocation.agent { graph.setAgent(commandLine: agent) }
        if invocation.listIDs {
            Terminal.writeOutput(graph.tickets.map { $0.id + "\n" }.joined())
            return .success
        }

        let stateDirectory = loaded.stateDirectory(invocation)
        let shell = manifest.settings.shell ?? RunOptions.defaultShell
        let claude = try claudeCommand(invocation, environment: environment, manifest: manifest)
        let codex = try codexCommand(invocation, environment: environment, manifest: manifest)
        let recipeHashes = graph.tickets.map { RecipeHash.of($0, shell: shell, claude: claude, codex: codex) }
        var records: [JournalRecord] = []
        var journalLength = 0
        var tornLine: Int?
        // Held from reading the journal until this run is recorded in it, so two
        // parruns started together agree on one run (the second joins the first).
        var lock: WholeFileLock?
        if !invocation.noJournal && !invocation.printsOnly {
            do {
                try FileSystem.createDirectories(stateDirectory)
                lock = try StateLock.acquire(stateDirectory: stateDirectory)
            } catch {
                throw .cannotWriteState(error)
            }
        }
        defer { lock?.release() }
        if !invocation.noJournal {
            do {
                let contents = try StateJournal.read(stateDirectory: stateDirectory, reportingTornLine: invocation.printsOnly)
                records = contents.records
                journalLength = contents.completeLength
                tornLine = contents.tornLastLine
            } catch {
                guard !invocation.resume, case .journal(let problem) = error else { throw error }
                Terminal.writeMessage("parrun: warning: \(problem.message); --resume will refuse until it is fixed\n")
            }
        }
        var selection = RunSelection.decide(
            graph: graph, manifest: manifest, recipeHashes: recipeHashes, records: records,
            resume: invocation.resume, isRunning: ProcessTable.isRunning, stateDirectory: stateDirectory)
        let upToDate = UpToDateSelection.apply(
            to: &selection, invocation: invocation, manifest: manifest, graph: graph, recipeHashes: recipeHashes,
            records: records, manifestDirectory: RunCommand.manifestDirectory(for: manifest.source.name))
        for warning in upToDate?.check.warnings ?? [] { Terminal.writeError(warning + "\n") }
        let compacted = selection.mode == .fresh && !invocation.printsOnly && lock != nil
            ? compactedJournal(records, selection: selection) : nil
        // Targets, --label, --limit (docs/targets.md); such a run keeps the journal uncompacted.
        let choice = try selection.narrow(
            TicketSelection.Request(targets: loaded.targets, labels: invocation.labels, limit: invocation.limit),
            graph: graph, stateDirectory: stateDirectory, manifestName: source.name)
        let slurm = invocation.slurm ?? manifest.settings.slurm
        var jobs = JobCount.resolve(
            commandLine: invocation.jobs, environment: environmentJobs, manifest: manifest.settings.jobs,
            cores: Machine.processorCount(), ticketsToRun: selection.runs.lazy.filter { $0 }.count,
            clusterCPUs: slurm ? SlurmLauncher.clusterCPUs() ?? 1 : nil)
        jobs = jobs.capped(byOpenFileLimit: OpenFileLimit.raise(toAtLeast: jobs.descriptorsNeeded))
        let history = DurationHistory.load(from: stateDirectory)
        let agents = AgentCount.resolve(commandLine: invocation.agents, manifest: manifest.settings.pools.last { $0.name == Scheduler.agentPool }?.limit)
        let plan = Plan(graph: graph, runs: selection.runs, jobs: jobs, agents: agents, pools: manifest.settings.pools, weights: history.weights(for: graph))
        // Only the full dry run and a real run show it: --summary and --graph skip the simulation.
        let estimate = invocation.summaryOnly || invocation.graphFormat != nil
            ? nil : TicketHistory(records: records, manifest: selection.manifestPath, durations: history).estimateIfAny(plan)

        if invocation.printsOnly {
            var printer = PlanPrinter(plan: plan, manifestName: source.name)
            printer.reasons = selection.reasons
            printer.whyRuns = upToDate?.reasons
            printer.worktree = invocation.worktree || manifest.settings.isolateInWorktrees
            printer.choice = choice
            printer.estimate = estimate
            if let format = invocation.graphFormat {
                let drawn = choice.map { plan.narrowed(to: $0) } ?? plan
                Terminal.writeOutput(format.render(drawn, manifestName: source.name, worktree: printer.worktree))
            } else if invocation.summaryOnly {
                Terminal.writeOutput(printer.summary())
            } else {
                Terminal.writeOutput(printer.dryRun())
            }
            return .success
        }
        selection.estimate = estimate
        return try RunCommand(
            invocation: invocation, manifest: manifest, plan: plan, history: history, selection: selection,
            recipeHashes: recipeHashes, claude: claude, codex: codex, stateDirectory: stateDirectory, environment: environment,
            journalLength: journalLength, tornLine: tornLine, compactedJournal: compacted, stateLock: lock,
            upToDate: upToDate,
            earlierStamps: upToDate == nil && UpToDateSelection.records(invocation, manifest: manifest)
                ? UpToDateSelection.earlierStamps(graph: graph, runs: selection.runs, records: records, manifest: selection.manifestPath) : nil
        ).execute()
    }

    /// A fresh run makes this manifest's earlier runs useless for `--resume`;
    /// dropping them keeps reading the journal cheap. Never while a run is live:
    /// its writes would go to the replaced file. Nil: the journal stays as it is.
    private static func compactedJournal(_ records: [JournalRecord], selection: RunSelection) -> [JournalRecord]? {
        let history = selection.history
        guard !history.runs.contains(where: { history.isLive($0.run, isRunning: ProcessTable.isRunning) }) else { return nil }
        return JournalCompaction.kept(records, droppingManifest: selection.manifestPath)
    }

    /// `--claude`, else `PARRUN_CLAUDE`, else the manifest's `claude`, else the default.
    static func claudeCommand(_ invocation: Invocation, environment: Environment, manifest: Manifest) throws(UsageError) -> [String] {
        if let command = invocation.claude { return command }
        if let text = environment["PARRUN_CLAUDE"], !text.isEmpty {
            guard case .success(let words) = ShellWords.split(text) else {
                throw .invalidEnvironment(name: "PARRUN_CLAUDE", value: text, expected: "a command, split into words as a shell would")
            }
            return words
        }
        return manifest.settings.claude ?? RunOptions.defaultClaude
    }

    /// `--codex`, else `PARRUN_CODEX`, else the manifest's `codex`, else the default.
    static func codexCommand(_ invocation: Invocation, environment: Environment, manifest: Manifest) throws(UsageError) -> [String] {
        if let command = invocation.codex { return command }
        if let text = environment["PARRUN_CODEX"], !text.isEmpty {
            guard case .success(let words) = ShellWords.split(text), !words.isEmpty else {
                throw .invalidEnvironment(name: "PARRUN_CODEX", value: text, expected: "a command, split into words as a shell would")
            }
            return words
        }
        return manifest.settings.codex ?? RunOptions.defaultCodex
    }

    private static func jobsFromEnvironment(_ environment: Environment) throws(UsageError) -> JobsRequest? {
        guard let text = environment["PARRUN_JOBS"], !text.isEmpty else { return nil }
        guard let jobs = JobsRequest(parsing: text) else {
            throw .invalidEnvironment(name: "PARRUN_JOBS", value: text, expected: "a number of jobs or auto")
        }
        return jobs
    }
}
