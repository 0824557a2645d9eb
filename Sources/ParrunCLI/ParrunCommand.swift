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
            Terminal.writeOutput(HelpText.render(for: invocation.command))
            return .success
        }
        if invocation.showVersion {
            Terminal.writeOutput("parrun \(HelpText.version)\n")
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
        }
        let environmentJobs = invocation.jobs == nil ? try jobsFromEnvironment(environment) : nil  // -j wins, even over a bad value
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else {
            return .usageOrManifestError
        }
        let (source, manifest) = (loaded.source, loaded.manifest)
        var graph = loaded.graph
        if let agent = invocation.agent { graph.setAgent(commandLine: agent) }

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
        let selection = RunSelection.decide(
            graph: graph, manifest: manifest, recipeHashes: recipeHashes, records: records,
            resume: invocation.resume, isRunning: ProcessTable.isRunning, stateDirectory: stateDirectory)
        let compacted = selection.mode == .fresh && !invocation.printsOnly && lock != nil
            ? compactedJournal(records, selection: selection) : nil
        let slurm = invocation.slurm ?? manifest.settings.slurm
        var jobs = JobCount.resolve(
            commandLine: invocation.jobs, environment: environmentJobs, manifest: manifest.settings.jobs,
            cores: Machine.processorCount(), ticketsToRun: selection.runs.lazy.filter { $0 }.count,
            clusterCPUs: slurm ? SlurmLauncher.clusterCPUs() ?? 1 : nil)
        jobs = jobs.capped(byOpenFileLimit: OpenFileLimit.raise(toAtLeast: jobs.descriptorsNeeded))
        let history = DurationHistory.load(from: stateDirectory)
        let agents = AgentCount.resolve(commandLine: invocation.agents, manifest: manifest.settings.pools.last { $0.name == Scheduler.agentPool }?.limit)
        let plan = Plan(graph: graph, runs: selection.runs, jobs: jobs, agents: agents, pools: manifest.settings.pools, weights: history.weights(for: graph))

        if invocation.printsOnly {
            var printer = PlanPrinter(plan: plan, manifestName: source.name)
            printer.reasons = selection.reasons
            printer.worktree = invocation.worktree || manifest.settings.isolateInWorktrees
            if let format = invocation.graphFormat {
                Terminal.writeOutput(format.render(plan, manifestName: source.name, worktree: printer.worktree))
            } else if invocation.summaryOnly {
                Terminal.writeOutput(printer.summary())
            } else {
                Terminal.writeOutput(printer.dryRun())
            }
            return .success
        }
        return try RunCommand(
            invocation: invocation, manifest: manifest, plan: plan, history: history, selection: selection,
            recipeHashes: recipeHashes, claude: claude, codex: codex, stateDirectory: stateDirectory, environment: environment,
            journalLength: journalLength, tornLine: tornLine, compactedJournal: compacted, stateLock: lock
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
