/// Finds and reads the manifest the command line names, or the default one.
enum ManifestLocator {
    /// Looked for, in this order, when no manifest is named.
    /// Folders other tools keep their tickets in; a store there belongs to the project around it.
    static let storeFolders = [".beads", ".sage/tickets", ".specs/tasks"]

    static let defaultNames = ["tickets.json", "Parrunfile", ".beads/issues.jsonl", ".sage/tickets/index.json", ".specs/tasks/tasks.json"]

    static func load(_ invocation: Invocation) throws(UsageError) -> SourceFile {
        if let directory = invocation.directory {
            do { try FileSystem.changeDirectory(directory) } catch { throw .cannotChangeDirectory(error) }
        }
        let path: String
        if let named = invocation.manifestPath {
            path = named
        } else if let found = defaultNames.first(where: FileSystem.isRegularFile) {
            path = found
        } else {
            throw .noManifestFound(directory: FileSystem.currentDirectory())
        }
        do {
            if path == "-" { return SourceFile(name: "<stdin>", bytes: try FileSystem.readStandardInput()) }
            return SourceFile(name: path, bytes: try FileSystem.readFile(path))
        } catch {
            throw .cannotReadManifest(error)
        }
    }
}
