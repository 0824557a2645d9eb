import ParrunPlatform
import ParrunSupport

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
        if let named = TargetOperands.split(invocation).manifest {
            path = named
        } else if let found = defaultNames.first(where: FileSystem.isRegularFile) {
            path = found
        } else if invocation.manifestFromOperand, let operand = invocation.manifestPath {
            throw .noManifestForTarget(operand, directory: FileSystem.currentDirectory())
        } else {
            throw .noManifestFound(directory: FileSystem.currentDirectory())
        }
        let limit = invocation.maxManifestSize ?? ManifestSizeLimit.defaultBytes
        let name = path == "-" ? "<stdin>" : path
        let outcome: BoundedRead.Outcome
        do {
            outcome = path == "-" ? try BoundedRead.standardInput(limit: limit) : try BoundedRead.file(path, limit: limit)
        } catch {
            throw .cannotReadManifest(error)
        }
        guard case .bytes(let bytes) = outcome else { throw .manifestTooLarge(name, limit: limit) }
        return SourceFile(name: name, bytes: bytes)
    }

    /// The project a store belongs to, when the manifest's folder, resolved
    /// (`.`, `..` and links), is one of `storeFolders`: relative to the current
    /// directory when it is inside it, else absolute. Resolving first makes
    /// `./.beads/./issues.jsonl`, and `issues.jsonl` read from inside `.beads`,
    /// the same store as `.beads/issues.jsonl`. Nil for any other manifest, or
    /// a path that does not resolve.
    static func storeProject(of manifestPath: String) -> String? {
        let folder = manifestPath.lastIndex(of: "/").map { String(manifestPath[..<$0]) } ?? "."
        guard let resolved = FileSystem.absolutePath(folder.isEmpty ? "/" : folder),
            let store = storeFolders.first(where: { resolved.hasSuffix("/" + $0) })
        else { return nil }
        let project = String(resolved.dropLast(store.count + 1))
        guard !project.isEmpty else { return "/" }
        let current = FileSystem.absolutePath(".") ?? FileSystem.currentDirectory()
        if project == current { return "." }
        if current != "/" && project.hasPrefix(current + "/") { return String(project.dropFirst(current.count + 1)) }
        if current == "/" { return String(project.dropFirst()) }
        return project
    }
}
