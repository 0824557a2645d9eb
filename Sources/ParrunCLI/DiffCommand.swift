import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// `parrun diff ID [--no-pager]`: what a `--worktree` ticket changed, landed or
/// pending. parrun becomes `git diff BASE TIP` so that git's pager rules hold
/// as they do for git itself: GIT_PAGER, core.pager, `--no-pager`, and no
/// pager when standard output is not a terminal.
struct DiffCommand {
    let invocation: Invocation
    let environment: Environment

    func execute() throws(UsageError) -> ExitCode {
        guard let id = invocation.ticketID else { throw .missingTicketIDs(command: "diff") }
        guard let loaded = try LoadedManifest.load(invocation, environment: environment) else { return .usageOrManifestError }
        guard loaded.graph.indexByID[id] != nil else {
            throw .unknownTicket(id, suggestion: SpellingSuggestion.closest(to: id, among: loaded.graph.tickets.map(\.id)))
        }
        let stateDirectory = loaded.stateDirectory(invocation)
        let history = RunHistory(try StateJournal.read(stateDirectory: stateDirectory).records)
        guard let latest = history.latestRun(manifest: loaded.identity) else {
            throw .nothingToCompare("\(loaded.source.name) has not run yet, so \(id) has no change to show")
        }
        let chain = history.chain(endingAt: latest.run)
        let state = history.ticketStates(chain: chain)[id]
        guard state?.lastStart != nil else { throw .nothingToCompare("\(id) has not run in the latest run of \(loaded.source.name); no change to show") }
        var finder = TicketWorkspace.Finder(
            history: history, chain: chain, stateDirectory: stateDirectory,
            manifestDirectory: RunCommand.manifestDirectory(for: loaded.source.name))
        guard let workspace = finder?.find(id, state: state) else {
            throw .nothingToCompare("\(id) did not run with --worktree, so parrun kept no branch or commit of its own to compare; its changes are in the checkout (git diff there)")
        }
        guard let change = workspace.change else {
            throw .nothingToCompare("\(id) has neither a landed commit on '\(workspace.integration)' nor a branch left (it changed nothing, or its branch was removed)")
        }
        let failure = ProcessImage.replace(with: ["git", "-C", workspace.root] + (invocation.noPager ? ["--no-pager"] : []) + ["diff", change.base, change.tip, "--"])
        Terminal.writeMessage("parrun: cannot run git: \(failure.description)\n")
        return .usageOrManifestError
    }
}
