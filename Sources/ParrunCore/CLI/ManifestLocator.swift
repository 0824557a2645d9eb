/// Finds and reads the manifest the command line names, or the default one.
enum ManifestLocator {
    /// Looked for, in this order, when no manifest is named.
    static let defaultNames = ["tickets.json", "Parrunfile"]

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
