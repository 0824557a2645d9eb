import ParrunModel
import ParrunPlatform
import ParrunSupport

/// The file calls the up-to-date check makes, behind a protocol so that the
/// decision is tested on a fake file system without touching the disk.
public protocol FileObserving {
    /// Nil when nothing is at `path`.
    func status(_ path: String) throws(SystemError) -> FileStatus?
    /// The content hash of a regular file and its status just before it was read.
    mutating func hash(_ path: String) throws(SystemError) -> (hash: String, status: FileStatus)
    /// A directory's entries, or nil if it cannot be read.
    func entries(_ path: String) -> [(name: String, isDirectory: Bool)]?
}

/// The real file system (`FileProbe`).
public struct DiskFiles: FileObserving {
    private var buffer: [UInt8] = []

    public init() {}

    public func status(_ path: String) throws(SystemError) -> FileStatus? { try FileProbe.status(path) }
    public mutating func hash(_ path: String) throws(SystemError) -> (hash: String, status: FileStatus) { try FileProbe.hash(path, buffer: &buffer) }
    public func entries(_ path: String) -> [(name: String, isDirectory: Bool)]? { FileProbe.entries(path) }
}

/// Hashes a ticket's declared files, rehashing only what may have changed:
/// a file whose size, modification time and inode match an earlier hash is
/// taken to be unchanged, unless it was modified less than `trustMargin`
/// before that hash was taken (timestamps are coarse: a tool may rewrite a
/// file within the same tick, keeping its size, and only the content tells).
public struct FileSnapshotter {
    /// Seconds: a hash taken this soon after the file's modification is not trusted later.
    public static let trustMargin = 2.0

    public var files: any FileObserving
    /// The manifest's directory: declared paths are relative to it.
    public let base: String
    /// Hashes taken by this process, by path, with when they were taken.
    private var known: [String: (entry: JournalRecord.FileEntry, time: Double)] = [:]
    /// Files hashed (not taken from an earlier hash): for tests and the benchmark.
    public private(set) var hashedCount = 0

    public init(files: any FileObserving, base: String) {
        self.files = files
        self.base = base
    }

    /// What a path is now, for an input or an output.
    public enum Observation: Equatable {
        case file(JournalRecord.FileEntry)
        case missing
        case directory
        case danglingLink
        case unreadable(String)
    }

    func fullPath(_ path: String) -> String {
        path.hasPrefix("/") || base == "." || base.isEmpty ? path : base + "/" + path
    }

    /// `earlier`: this path's entry in the last record and that record's time.
    /// `now`: wall time taken before this snapshot began.
    public mutating func observe(_ path: String, earlier: (entry: JournalRecord.FileEntry, time: Double)?, now: Double) -> Observation {
        let full = fullPath(path)
        let status: FileStatus?
        do { status = try files.status(full) } catch { return .unreadable(error.reason) }
        guard let status else { return .missing }
        switch status.kind {
        case .directory: return .directory
        case .danglingLink: return .danglingLink
        // A FIFO or a device: opening one could block, and it has no content to compare.
        case .other: return .unreadable("not a regular file")
        case .regular: break
        }
        for candidate in [known[path], earlier].compactMap({ $0 }) where Self.trusts(candidate.entry, candidate.time, status) {
            return .file(JournalRecord.FileEntry(path: path, hash: candidate.entry.hash, status: status))
        }
        do {
            let (hash, hashed) = try files.hash(full)
            hashedCount += 1
            let entry = JournalRecord.FileEntry(path: path, hash: hash, status: hashed)
            known[path] = (entry, now)
            return .file(entry)
        } catch {
            return .unreadable(error.reason)
        }
    }

    /// A hash taken at `time` still holds for a file with `status` when nothing
    /// `stat` shows changed and the file was already old when it was hashed.
    static func trusts(_ entry: JournalRecord.FileEntry, _ time: Double, _ status: FileStatus) -> Bool {
        guard entry.hash != nil, entry.size == status.size, entry.modified == status.modified, entry.inode == status.inode else { return false }
        return Double(status.modified) / 1e9 < time - trustMargin
    }

    /// The files an input list names now, sorted, and the patterns that match none.
    /// Directories named `.parrun` and `.git` are never searched: parrun's own
    /// state changes every run, and git's is no input of a recipe.
    public func expand(_ inputs: [String]) -> (paths: [String], unmatched: [String]) {
        var paths = Set<String>()
        var unmatched: [String] = []
        for input in inputs {
            guard DeclaredFiles.isPattern(input) else {
                paths.insert(DeclaredFiles.normalized(input))
                continue
            }
            let found = matches(of: input)
            if found.isEmpty { unmatched.append(input) }
            paths.formUnion(found)
        }
        return (paths.sorted(), unmatched)
    }

    static let skippedDirectories: Set<String> = [".parrun", ".git"]
    /// Deeper than this a `**` pattern stops descending (a symbolic link loop).
    static let depthLimit = 64

    private func matches(of pattern: String) -> [String] {
        let normalized = DeclaredFiles.normalized(pattern) + (pattern.hasSuffix("/") ? "/" : "")
        let segments = normalized.split(separator: "/", omittingEmptySubsequences: true)
        // Start at the longest leading run of plain segments: only that directory is listed.
        var root: [Substring] = []
        for segment in segments.dropLast(pattern.hasSuffix("/") ? 0 : 1) {
            if DeclaredFiles.isPattern(String(segment)) { break }
            root.append(segment)
        }
        let recursive = pattern.contains("**") || pattern.hasSuffix("/")
        let maxDepth = recursive ? Self.depthLimit : segments.count - root.count
        var found: [String] = []
        let start = (normalized.hasPrefix("/") ? "/" : "") + root.joined(separator: "/")
        walk(start, depth: 1, maxDepth: maxDepth) { path in
            if PathGlob.matches(normalized, path) { found.append(path) }
        }
        return found
    }

    private func walk(_ directory: String, depth: Int, maxDepth: Int, _ visit: (String) -> Void) {
        guard depth <= maxDepth, let entries = files.entries(fullPath(directory.isEmpty ? "." : directory)) else { return }
        for entry in entries {
            let path = directory.isEmpty ? entry.name : (directory == "/" ? "/" : directory + "/") + entry.name
            if entry.isDirectory {
                if !Self.skippedDirectories.contains(entry.name) { walk(path, depth: depth + 1, maxDepth: maxDepth, visit) }
            } else {
                visit(path)
            }
        }
    }
}
