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
}
