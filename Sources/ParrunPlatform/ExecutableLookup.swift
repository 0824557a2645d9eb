#if canImport(Glibc)
import Glibc
#endif

/// Finds a command on PATH once per run, as execvp would: without it, every
/// spawn of `true` tried each PATH entry with a failing execve in the child.
public final class ExecutableLookup {
    private let directories: [String]?
    private var found: [String: String?] = [:]

    /// `path`: the PATH recipes get. With an empty or relative entry (which
    /// depends on each ticket's directory) nothing is cached.
    public init(path: String?) {
        let entries = (path ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        directories = entries.isEmpty || entries.contains { !$0.hasPrefix("/") } ? nil : entries
    }

    /// The executable `name` runs as, or nil to leave the search to posix_spawnp
    /// (a name with a slash, an unusual PATH, or nothing found: the spawn then
    /// fails the way a shell would).
    public func resolve(_ name: String) -> String? {
        guard let directories, !name.contains("/") else { return nil }
        if let known = found[name] { return known }
        var result: String?
        for directory in directories {
            let candidate = directory + "/" + name
            var info = stat()
            if stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG, access(candidate, X_OK) == 0 {
                result = candidate
                break
            }
        }
        found[name] = result
        return result
    }

    /// Where `name` is on `path` (a ticket's own PATH), searched as execvp
    /// would, without a cache. Empty and relative entries are taken from
    /// `directory`, where the process will run (parrun's own when nil). When
    /// no executable file is found, the first file that may not be executed,
    /// else the first place looked: the spawn then fails as a shell would
    /// (EACCES, 126; ENOENT, 127). Nil for a name with a slash.
    public static func search(_ name: String, path: String, directory: String?) -> String? {
        guard !name.contains("/") else { return nil }
        var base = directory ?? "."
        if !base.hasPrefix("/") {
            // The child changes to its directory before it executes: the path must not be relative.
            let current = FileSystem.currentDirectory()
            base = base == "." ? current : current + "/" + base
        }
        var fallback: String?
        var denied: String?
        for entry in path.split(separator: ":", omittingEmptySubsequences: false) {
            let folder = entry.isEmpty ? base : entry.hasPrefix("/") ? String(entry) : base + "/" + entry
            let candidate = folder + "/" + name
            fallback = fallback ?? candidate
            var info = stat()
            guard stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            denied = denied ?? candidate
        }
        return denied ?? fallback
    }
}
