import ParrunCore
import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// The command's side of `import`: reading the store a manifest names, and
/// showing each diagnostic against the file it is in.
enum ImportedStore {
    /// Where `path` is, relative to the manifest's directory (the current
    /// directory for a manifest read from standard input).
    static func resolve(_ path: String, manifestName: String) -> String {
        guard !path.hasPrefix("/"), manifestName != "<stdin>", let slash = manifestName.lastIndex(of: "/") else { return path }
        let directory = manifestName[..<slash]
        return (directory.isEmpty ? "/" : String(directory) + "/") + path
    }

    static func loader(manifestName: String, limit: Int) -> (String) -> ImportedFile {
        return { path in
            let resolved = resolve(path, manifestName: manifestName)
            do throws(SystemError) {
                switch try BoundedRead.file(resolved, limit: limit) {
                case .bytes(let bytes): return .bytes(name: resolved, bytes)
                default: return .failed("it is larger than \(limit) bytes (--max-manifest-size)")
                }
            } catch {
                return .failed(error.description)
            }
        }
    }

    /// The diagnostics of the manifest and those of its imported store, each
    /// rendered against its own file.
    static func render(_ list: DiagnosticList, manifest: Manifest?, source: SourceFile, useColor: Bool) -> String {
        guard let manifest, let store = manifest.importedStore else {
            return DiagnosticRenderer(source: source, useColor: useColor).render(list)
        }
        let base = manifest.importOffset
        var own = DiagnosticList()
        var imported = DiagnosticList()
        for diagnostic in list.sorted {
            if let span = diagnostic.span, span.offset >= base {
                var shifted = diagnostic
                shifted.span = SourceSpan(offset: span.offset - base, length: span.length)
                shifted.notes = diagnostic.notes.map { note in
                    guard let span = note.span, span.offset >= base else { return note }
                    return Diagnostic.Note(note.message, at: SourceSpan(offset: span.offset - base, length: span.length))
                }
                imported.append(shifted)
            } else {
                own.append(diagnostic)
            }
        }
        return DiagnosticRenderer(source: source, useColor: useColor).render(own) + DiagnosticRenderer(source: store, useColor: useColor).render(imported)
    }
}

extension ImportedStore {
    /// Write-back for a manifest whose tickets came from a store file; nil
    /// for a parrun manifest, or a store read from standard input (there is
    /// no file to write to). `PARRUN_WRITE_BACK_TIMEOUT`: seconds one `bd`
    /// command may take (default 30).
    static func writeBack(_ manifest: Manifest, pending: [String: WriteBackEvent], environment: Environment) -> WriteBackSettings? {
        guard let kind = manifest.storeKind else { return nil }
        let path = manifest.importedStore?.name ?? manifest.source.name
        guard path != "<stdin>" else { return nil }
        var timeout = WriteBackSettings.defaultTimeout
        if let text = environment["PARRUN_WRITE_BACK_TIMEOUT"], case .success(let seconds) = DurationText.seconds(from: text), seconds > 0 {
            timeout = seconds
        }
        return WriteBackSettings(kind: kind, storePath: path, directory: project(ofStore: path), timeoutSeconds: timeout, pending: pending)
    }

    /// The folder `bd` runs in: the one holding `.beads`, where it finds its store.
    static func project(ofStore path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        if folder == ".beads" { return "." }
        if folder.hasSuffix("/.beads") { return String(folder.dropLast("/.beads".count)).isEmpty ? "/" : String(folder.dropLast("/.beads".count)) }
        return folder.isEmpty ? "/" : folder
    }
}

extension ImportedStore {
    /// Beads issues parrun marked `in_progress` and never ended (it was killed)
    /// run again rather than being held back by the mark parrun itself left;
    /// so do their children held back for it.
    /// Reads the journal for it (a beads store's is small); a journal that
    /// cannot be read releases nothing (the run reports it).
    static func releasingLeftInProgress(_ graph: TicketGraph, manifest: Manifest, invocation: Invocation) -> TicketGraph {
        guard manifest.storeKind == .beads, !invocation.noJournal else { return graph }
        let stateDirectory = invocation.stateDirectory ?? RunCommand.stateDirectory(for: manifest.source.name)
        guard let records = try? JournalReader.read(StateJournal.path(in: stateDirectory)).records else { return graph }
        let ids = WriteBackBacklog.leftInProgress(records, manifest: RunSelection.manifestIdentity(manifest.source))
        guard !ids.isEmpty else { return graph }
        var graph = graph
        for index in graph.tickets.indices {
            guard let hold = graph.tickets[index].hold else { continue }
            let id = graph.tickets[index].id
            if hold == "status in_progress" && ids.contains(id) || ids.contains(where: { hold == "parent \($0) (status in_progress)" }) {
                graph.releaseHold(of: index)
            }
        }
        return graph
    }
}
