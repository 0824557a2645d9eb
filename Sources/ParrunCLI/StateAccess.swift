import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// What every command that works on a manifest's state needs: the manifest,
/// checked, and its state directory and journal.
struct LoadedManifest {
    let source: SourceFile
    let manifest: Manifest
    let graph: TicketGraph
    /// `parrun [MANIFEST] ID...`: the ticket ids named (`TargetOperands`).
    var targets: [String] = []

    /// Reads and checks the manifest; prints its diagnostics. Nil when it has
    /// errors (already reported): the caller exits with status 2.
    static func load(_ invocation: Invocation, environment: Environment) throws(UsageError) -> LoadedManifest? {
        let source = try ManifestLocator.load(invocation)
        var template: (name: String, text: String)?
        if let path = invocation.promptTemplate {
            do {
                template = (path, String(decoding: try FileSystem.readFile(path), as: UTF8.self))
            } catch {
                throw .cannotReadFile(what: "prompt template", error)
            }
        }
        let importer = ImportedStore.loader(manifestName: source.name, limit: invocation.maxManifestSize ?? ManifestSizeLimit.defaultBytes)
        let checked = ValidatedManifest(source, promptTemplate: template, strict: invocation.strict, importer: importer)
        for problem in checked.templateErrors.prefix(20) { Terminal.writeMessage("parrun: error: \(problem)\n") }
        let diagnostics = checked.diagnostics
        if !diagnostics.diagnostics.isEmpty {
            // Built only when needed: its line table costs a pass over the whole file.
            Terminal.writeError(ImportedStore.render(diagnostics, manifest: checked.manifest, source: source, useColor: invocation.wantsColor(2, environment: environment)))
        }
        guard let manifest = checked.manifest,
            let graph = checked.graph.map({ ImportedStore.releasingLeftInProgress($0, manifest: manifest, invocation: invocation) })
        else {
            let count = diagnostics.totalErrors + checked.templateErrors.count
            // Name the file the errors are in: the template's, when they are all there.
            let place = diagnostics.totalErrors == 0 ? template?.name ?? source.name : source.name
            Terminal.writeMessage("parrun: \(count) error\(count == 1 ? "" : "s") in \(place); nothing was run\n")
            return nil
        }
        var loaded = LoadedManifest(source: source, manifest: manifest, graph: graph)
        loaded.targets = TargetOperands.split(invocation).targets
        return loaded
    }

    func stateDirectory(_ invocation: Invocation) -> String {
        invocation.stateDirectory ?? RunCommand.stateDirectory(for: source.name)
    }

    /// The manifest as the journal's run records name it.
    var identity: String { RunSelection.manifestIdentity(source) }
}

enum StateJournal {
    static func path(in stateDirectory: String) -> String {
        stateDirectory + "/" + JournalWriter.fileName
    }

    /// The journal's records; a torn last line is ignored and reported
    /// (unless `reportingTornLine` is false: a run that writes the journal
    /// removes the line and says so itself), any other damage is an error.
    static func read(stateDirectory: String, reportingTornLine: Bool = true) throws(UsageError) -> JournalContents {
        let contents: JournalContents
        do {
            contents = try JournalReader.read(path(in: stateDirectory))
        } catch {
            throw .journal(error)
        }
        if reportingTornLine, let line = contents.tornLastLine {
            Terminal.writeMessage("parrun: warning: the journal's last line (\(line)) was cut short by a crash; it is ignored\n")
        }
        return contents
    }
}
