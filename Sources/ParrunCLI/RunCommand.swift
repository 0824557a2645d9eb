import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun [MANIFEST]` without --dry-run: prepares the state directory, picks
/// the reporter, runs the plan and records durations for the next run.
struct RunCommand {
    let invocation: Invocation
    let manifest: Manifest
    let plan: Plan
    let history: DurationHistory
    let selection: RunSelection
    let recipeHashes: [String]
    /// The command prompt tickets run.
    let claude: [String]
    let codex: [String]
    let stateDirectory: String
    let environment: Environment
    /// How much of the journal the plan was made from: coordination with other
    /// parruns follows it from there.
    let journalLength: Int
    /// The journal's last line, torn by a crash, that reading it skipped.
    let tornLine: Int?
    /// A fresh run's journal without this manifest's earlier runs, written only
    /// once set-up has passed: a run that fails it (exit 2) loses nothing.
    let compactedJournal: [JournalRecord]?
    /// Released once this run is in the journal.
    let stateLock: WholeFileLock?
    /// The up-to-date check of a fresh run, when one applied (docs/up-to-date.md).
    var upToDate: UpToDateSelection? = nil
    /// Without a check: the stamps of the tickets not run, for their dependents' records.
    var earlierStamps: [String?]? = nil

    /// `.parrun` next to the manifest (the current directory for standard input).
    static func stateDirectory(for manifestName: String) -> String {
        let directory = manifestDirectory(for: manifestName)
        return directory == "." ? ".parrun" : directory + "/.parrun"
    }

    static func manifestDirectory(for manifestName: String) -> String {
        guard manifestName != "<stdin>" else { return "." }
        if let project = ManifestLocator.storeProject(of: manifestName) { return project }
        guard let slash = manifestName.lastIndex(of: "/") else { return "." }
        var directory = manifestName[..<slash]
        // Another tool's store lives in a folder of the project: its tickets run in the project.
        // (A path that does not resolve is still read as written.)
        for store in ManifestLocator.storeFolders where directory == store || directory.hasSuffix("/" + store) {
            directory = directory.dropLast(store.count)
            if directory.hasSuffix("/") { directory = directory.dropLast() }
            if directory.isEmpty { return manifestName.hasPrefix("/") ? "/" : "." }
            break
        }
        return directory.isEmpty ? "/" : String(directory)
    }

    func execute() throws(UsageError) -> ExitCode {
        let options = runOptions()
        do {
            try FileSystem.createDirectories(options.logDirectory)
            if manifest.tickets.contains(where: { if case .prompt = $0.recipe { true } else { false } }) {
                try FileSystem.createDirectories(options.stateDirectory + "/prompts")
            }
            if options.slurm { try FileSystem.createDirectories(options.slurmJobDirectory) }
        } catch {
            throw .cannotWriteState(error)
        }
        let signals: SignalWatcher
        do {
            signals = try SignalWatcher.start([Signal.interrupt, Signal.terminate, Signal.hangUp])
        } catch {
            throw .cannotWriteState(error)
        }
        SignalWatcher.ignoreBrokenPipes()
        // From here on, Ctrl-C stops a helper (git, squeue) at once instead of waiting for it.
        CommandRunner.interruptDescriptor = signals.descriptor
        let runID = if case .join(let live, _) = selection.mode { live } else { Self.newRunID() }
        // Checked before the run is recorded, so that exit 2 means nothing ran and nothing changed.
        let isolation = try prepareIsolation(options, runID: runID)
        for notice in selection.notices { Terminal.writeMessage(notice + "\n") }
        if let limit = options.maxCostUSD, options.costSpentEarlierUSD > 0 {
            Terminal.writeError("parrun: the agents of this run cost \(AgentStats.dollars(options.costSpentEarlierUSD)) before; --max-cost \(AgentStats.dollars(limit)) counts it\n")
        }
        let toRun = plan.graph.tickets.indices.filter { plan.runs[$0] }
        if toRun.count > 1 && toRun.allSatisfy({ plan.graph.tickets[$0].recipe == .none }) {
            // Tickets from another tool's store have no recipe of their own.
            Terminal.writeError("parrun: warning: none of the \(toRun.count) tickets to run has a recipe, so they succeed without doing anything; give them `run` or `prompt`, a `defaults` template, or --prompt-template FILE\n")
        }
        stopOrphans(grace: options.gracePeriod)
        if options.slurm { cancelLeftoverJobs() }

        let owner = ProcessTable.current
        var recording: Runner.Recording?
        if !invocation.noJournal {
            do {
                let claims = try Claims(stateDirectory: stateDirectory, manifest: selection.manifestPath)
                var journalOffset = journalLength
                // Only an optimisation: on failure the old journal stays as it was.
                // A run of part of the manifest keeps the records of the rest (docs/targets.md).
                if selection.choice == nil, let compactedJournal, let length = try? JournalWriter.rewrite(directory: stateDirectory, records: compactedJournal) {
                    journalOffset = length
                }
                let writer = try JournalWriter(directory: stateDirectory)
                // Said once: the writer cut the torn line off, or compaction left it out.
                if let bytes = writer.repairedTornTail {
                    Terminal.writeError("parrun: note: the journal's last record was cut short by a crash (\(bytes) bytes); it was removed\n")
                } else if let tornLine {
                    Terminal.writeError("parrun: note: the journal's last record was cut short by a crash (line \(tornLine)); it was removed\n")
                }
                var resumes: String?
                var joined = false
                // Neither done nor held-back tickets ran, so neither counts as succeeded.
                // Nor did the tickets that targets, --label or --limit left out.
                let notChosen = selection.choice.map { $0.considered.lazy.filter { !$0 }.count + $0.pendingCount } ?? 0
                let skipped = plan.graph.count - plan.ticketsToRun - plan.graph.tickets.filter(\.isDone).count - plan.heldBackCount - notChosen
                switch selection.mode {
                case .fresh:
                    resumes = selection.extendsRun
                case .resume(let previous):
                    resumes = previous
                    Terminal.writeMessage("parrun: resuming run \(previous): \(skipped) already succeeded, \(plan.ticketsToRun) to run\n")
                case .join(let live, let liveOwner):
                    joined = true
                    Terminal.writeMessage("parrun: run \(live) of this manifest is live (parrun pid \(liveOwner.pid)); joining it as another set of workers (\(skipped) already succeeded, \(plan.ticketsToRun) left)\n")
                }
                writer.append(.run(.init(
                    run: runID, manifest: selection.manifestPath, manifestHash: selection.manifestHash,
                    jobs: plan.jobs.value, owner: owner, time: Clock.wall(), resumes: resumes, joined: joined,
                    worktree: isolation != nil, branch: isolation?.integration, limit: invocation.limit)))
                for record in upToDate.map({ TicketFileRecorder.carriedForward($0.check, run: runID) }) ?? [] { writer.append(record) }
                writer.sync()
                if let failure = writer.failure {
                    Terminal.writeError("parrun: error: \(failure.description); nothing was run\n")
                    return .stateNotWritten
                }
                recording = Runner.Recording(
                    writer: writer, recipeHashes: recipeHashes, owner: owner, claims: claims, journalOffset: journalOffset,
                    openAttempts: selection.openAttempts, sessionsToContinue: selection.sessionsToContinue,
                    sessionStats: selection.sessionStats)
                recording?.files = fileRecorder(runID: runID)
            } catch {
                throw .cannotWriteState(error)
            }
        }
        stateLock?.release()
        // Without a guardian the run still works; only a parrun killed with -9 would leave recipes behind.
        let guardian = try? Guardian.start(grace: options.gracePeriod)
        defer { guardian?.release() }

        let sink = TerminalSink()
        var reporter: any RunReporter
        if options.json {
            reporter = JSONEventReporter(plan: plan, options: options, sink: sink)
        } else {
            let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
            let terminal = Terminal.isTerminal(2) && environment["TERM"] != "dumb"
            // --verbose writes lines of its own: a status line redrawn in place would garble them.
            let style = HumanReporter.Style(
                statusLine: terminal && !noColor && !options.quiet && !options.verbose,
                color: invocation.wantsColor(2, environment: environment),
                width: Terminal.columns(2))
            reporter = HumanReporter(plan: plan, options: options, style: style, sink: sink)
        }
        if recording?.files != nil {
            reporter = UpToDateAnnouncer(
                base: reporter, upToDate: upToDate?.upToDateTickets(in: plan.graph) ?? [], graph: plan.graph,
                manifestDirectory: options.manifestDirectory)
        }
        let runner = Runner(
            plan: plan, options: options, reporter: reporter, sink: sink, signals: signals,
            environment: environment.variables, runID: runID, manifestName: manifest.source.name, recording: recording,
            isolation: isolation, conflictsToLand: invocation.rerunConflicts ? [:] : selection.conflictsToLand,
            conflictSessions: selection.conflictSessions,
            interruptedRuns: selection.interruptedRuns, reviews: selection.reviews)
        let result = runner.run()
        saveDurations(result)
        // The run's end record, or its last sync, failed after the run itself went well:
        // a --resume would not know how it ended.
        if result.stateFailure == nil, let failure = recording?.writer.failure {
            Terminal.writeError("parrun: error: the run's end could not be recorded: \(failure.description)\n")
            return .stateNotWritten
        }
        return ExitCode(rawValue: result.exitCode) ?? .ticketFailed
    }

    /// Hashes the declared files of the tickets that run, as they succeed; nil
    /// when the manifest declares none (or they are not recorded, `UpToDateSelection.records`).
    private func fileRecorder(runID: String) -> TicketFileRecorder? {
        guard UpToDateSelection.records(invocation, manifest: manifest) else { return nil }
        let stamps = upToDate?.check.stamps ?? earlierStamps ?? plan.graph.tickets.indices.map { plan.runs[$0] ? nil : "done" }
        let snapshotter = upToDate?.snapshotter ?? FileSnapshotter(files: DiskFiles(), base: Self.manifestDirectory(for: manifest.source.name))
        return TicketFileRecorder(graph: plan.graph, recipeHashes: recipeHashes, runID: runID, snapshotter: snapshotter, stamps: stamps)
    }

    /// `--worktree`: the repository and integration branch, checked; nil without it.
    private var isolatesInWorktrees: Bool { invocation.worktree || manifest.settings.isolateInWorktrees }

    private func prepareIsolation(_ options: RunOptions, runID: String) throws(UsageError) -> WorktreeIsolation? {
        if case .join(let live, _) = selection.mode, selection.joinsWorktreeRun != isolatesInWorktrees {
            // Workers of one run must agree: a ticket run in the checkout would never land.
            throw .worktree(selection.joinsWorktreeRun
                ? "run \(live) of this manifest is live and runs its tickets in git worktrees; join it with --worktree, or wait for it to end"
                : "run \(live) of this manifest is live and runs its tickets in the checkout; join it without --worktree, or wait for it to end")
        }
        guard isolatesInWorktrees else { return nil }
        // A joiner lands where the run lands: on its branch unless told otherwise, and never elsewhere.
        var into = invocation.into
        if case .join(let live, _) = selection.mode, let branch = selection.joinsWorktreeBranch {
            if let asked = into, asked != branch {
                throw .worktree("run \(live) of this manifest is live and lands its work on '\(branch)'; join it with --into \(branch) (or without --into), or wait for it to end")
            }
            into = branch
        }
        // A resumed run goes on landing where it landed, whatever is checked out now.
        if into == nil, let branch = selection.resumesWorktreeBranch { into = branch }
        let isolation: WorktreeIsolation
        do throws(WorktreeIsolation.Problem) {
            isolation = try WorktreeIsolation.prepare(
                manifestDirectory: options.manifestDirectory, stateDirectory: stateDirectory, runID: runID,
                into: into, base: invocation.base,
                mergeMode: invocation.merge.flatMap(WorktreeIsolation.MergeMode.init) ?? .rebase)
        } catch {
            throw .worktree(error.message)
        }
        for note in isolation.notes { Terminal.writeMessage(note + "\n") }
        // A landing never overwrites the user's uncommitted changes: when the tickets say they will touch one, nothing starts.
        let toRun = plan.graph.tickets.indices.filter { plan.runs[$0] }.map { plan.graph.tickets[$0] }
        if let dirty = isolation.dirtyPathsDeclared(by: toRun) {
            let listed = dirty.paths.keys.sorted().prefix(10).map { "  \($0) (touched by \(dirty.paths[$0] ?? ""))" }.joined(separator: "\n")
            let more = dirty.paths.count > 10 ? "\n  (+\(dirty.paths.count - 10) more)" : ""
            throw .worktree("""
                '\(isolation.integration)' is checked out in \(dirty.checkout) with uncommitted changes that tickets of this run say they change (their touches), so landing their work would overwrite them:
                \(listed)\(more)
                Commit them, or stash them (git stash -u), then run again; or land elsewhere with --into BRANCH
                """)
        }
        return isolation
    }

    private func runOptions() -> RunOptions {
        var options = RunOptions()
        options.policy = Scheduler.FailurePolicy(keepGoing: invocation.keepGoing, maxFailures: invocation.maxFailures)
        options.failFast = invocation.failFast
        options.estimate = selection.estimate
        options.limit = invocation.limit
        options.pendingByLimit = selection.choice?.pendingCount ?? 0
        options.defaultTimeout = invocation.timeout
        options.defaultRetries = invocation.retries ?? 0
        options.commandLineRetries = invocation.retries
        options.retryDelay = invocation.retryDelay ?? options.retryDelay
        options.gracePeriod = invocation.grace ?? options.gracePeriod
        options.prefix = invocation.prefix ?? .auto
        options.output = invocation.output ?? .lines
        options.quiet = invocation.quiet
        options.json = invocation.json
        options.verbose = invocation.verbose
        options.stateDirectory = stateDirectory
        options.manifestDirectory = Self.manifestDirectory(for: manifest.source.name)
        options.shell = manifest.settings.shell ?? options.shell
        options.claude = claude
        options.codex = codex
        options.freshSessions = invocation.freshSessions
        options.maxCostUSD = invocation.maxCost
        options.costSpentEarlierUSD = selection.costSpentEarlierUSD
        options.prices = ModelPrices(overrides: manifest.settings.prices)
        options.keepWorktrees = invocation.keepWorktrees
        options.slurm = invocation.slurm ?? manifest.settings.slurm
        options.launcherCommand = invocation.slurm == nil ? manifest.settings.launcherCommand : invocation.launcherCommand
        // A manifest read from standard input cannot be read again, and without
        // a journal there is nothing to continue: no command to offer.
        if manifest.source.name != "<stdin>" && !invocation.noJournal {
            let kept = invocation.arguments.filter { $0 != "--resume" }
            options.resumeCommand = (["parrun", "--resume"] + kept.map(Template.shellQuotedIfNeeded)).joined(separator: " ")
            options.resumeCommandWithoutMaxCost = (["parrun", "--resume"] + Self.withoutMaxCost(kept).map(Template.shellQuotedIfNeeded)).joined(separator: " ")
        }
        options.agentLimitQuiet = invocation.agentLimitQuiet ?? options.agentLimitQuiet
        options.verifyFeedbackBytes = invocation.verifyFeedbackBytes ?? options.verifyFeedbackBytes
        options.worktreeSetup = manifest.settings.worktreeSetup
        options.rerunOnConflict = invocation.rerunOnConflict
        options.earlierConflicts = selection.earlierConflicts
        options.rateLimitWait = invocation.rateLimitWait ?? options.rateLimitWait
        options.usageLimitWait = invocation.usageLimitWait ?? options.usageLimitWait
        options.useExitDescriptors = environment["PARRUN_NO_PIDFD"] != "1"
        options.hooks = manifest.settings.hooks
        if !invocation.noWriteBack {
            options.writeBack = ImportedStore.writeBack(manifest, pending: selection.pendingWriteBacks, environment: environment)
        }
        return options
    }

    /// `arguments` without `--max-cost USD` or `--max-cost=USD` (before a `--`).
    static func withoutMaxCost(_ arguments: [String]) -> [String] {
        var kept: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                kept += arguments[index...]
                break
            }
            if argument == "--max-cost" {
                index += 2
                continue
            }
            if !argument.hasPrefix("--max-cost=") { kept.append(argument) }
            index += 1
        }
        return kept
    }

    /// Earlier attempts still running under a parrun that died are stopped
    /// before their tickets run again: a ticket never runs twice at once.
    private func stopOrphans(grace: Double) {
        guard !selection.orphans.isEmpty else { return }
        for (ticket, process) in selection.orphans {
            Terminal.writeMessage("parrun: the previous attempt of \(plan.graph.tickets[ticket].id) (pid \(process.pid)) still runs without its parrun; stopping it first\n")
            ProcessControl.signalGroup(process.pid, Signal.terminate)
        }
        let deadline = Clock.monotonic() + grace
        while Clock.monotonic() < deadline && selection.orphans.contains(where: { ProcessTable.isRunning($0.process) }) {
            Clock.sleep(seconds: 0.05)
        }
        for (_, process) in selection.orphans where ProcessTable.isRunning(process) {
            ProcessControl.signalGroup(process.pid, Signal.kill)
        }
    }

    /// Slurm jobs of this manifest's earlier runs still queued or running
    /// (their parrun died before cancelling them) are cancelled first.
    private func cancelLeftoverJobs() {
        let history = selection.history
        // Never the jobs of a run another parrun is working on now.
        let runs = Set(history.runs.filter { $0.manifest == selection.manifestPath && !history.isLive($0.run, isRunning: ProcessTable.isRunning) }.map(\.run))
        guard !runs.isEmpty else { return }
        for (job, name) in SlurmLauncher.queuedJobs(ofRuns: runs) {
            Terminal.writeMessage("parrun: cancelling Slurm job \(job) (\(name)), left by an interrupted run\n")
            CommandRunner.run(["scancel", job], timeout: SlurmLauncher.helperTimeout)
        }
    }

    /// Durations of tickets that succeeded, for the next run's critical path.
    private func saveDurations(_ result: RunResult) {
        var history = history
        for (index, record) in result.records.enumerated() where record.status == .succeeded && record.attempts > 0 {
            history.record(plan.graph.tickets[index].id, seconds: record.seconds)
        }
        // Only a hint for scheduling: failing to save it must not fail the run.
        try? history.save(to: stateDirectory)
    }

    /// Sortable and unique enough for one machine: start time and pid.
    static func newRunID() -> String {
        let now = Clock.wall()
        return "\(Int(now))-\(String(Int((now - now.rounded(.down)) * 1000)).leftPadded(to: 3))-\(ProcessControl.ownPID)"
    }
}
