#if canImport(Glibc)
import Glibc
#endif

/// A directory opened once and worked in by name relative to its descriptor
/// (`openat`, `fstatat`, `unlinkat`), never following a symbolic link: the
/// directory itself is opened with O_NOFOLLOW, and so is every file in it.
/// A link planted where parrun writes (`.parrun/logs/ID.log -> ~/.bashrc`)
/// fails with ELOOP instead of redirecting the write, and a directory renamed
/// or replaced by a link after it was opened cannot move parrun elsewhere.
///
/// A class: it owns the descriptor and closes it once, in deinit.
public final class DirectoryHandle {
    /// As given; for messages and for naming what is in it.
    public let path: String
    private let descriptor: Int32

    /// What a name in the directory is, not following a link.
    public enum EntryKind: Sendable, Equatable {
        case file, directory, symbolicLink, other
    }

    /// Opens `path`; its last component must be a directory, not a link to one
    /// (ELOOP then), unless `followingLink`. Links in the components before it
    /// are followed: a user may point a whole state directory elsewhere on purpose.
    public init(path: String, followingLink: Bool = false) throws(SystemError) {
        self.path = path
        descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingLink ? 0 : O_NOFOLLOW))
        guard descriptor >= 0 else { throw Self.refined(SystemError(call: "open", path: path), at: AT_FDCWD, name: path) }
    }

    /// Opens the directory `name` inside `parent`, not following a link.
    public init(in parent: DirectoryHandle, name: String) throws(SystemError) {
        path = parent.path + "/" + name
        descriptor = openat(parent.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.refined(SystemError(call: "openat", path: path), at: parent.descriptor, name: name) }
    }

    deinit {
        close(descriptor)
    }

    /// Opens the regular file `name` for writing at its end, creating it
    /// (mode 0644); `truncate` empties it first. A link there fails (ELOOP),
    /// and so does anything but a regular file (a FIFO would block the loop).
    public func openForAppending(_ name: String, truncate: Bool) throws(SystemError) -> Int32 {
        try openRegular(name, O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0))
    }

    /// Empties the regular file `name` if it is there; a missing one is fine.
    public func truncateIfPresent(_ name: String) throws(SystemError) {
        do {
            close(try openRegular(name, O_WRONLY | O_TRUNC))
        } catch where error.code == ENOENT {
            return
        }
    }

    /// The bytes of the regular file `name` from `offset` on; empty if it is
    /// shorter, absent, a link (not followed) or unreadable.
    public func read(_ name: String, from offset: Int) -> [UInt8] {
        guard let file = try? openRegular(name, O_RDONLY) else { return [] }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var position = offset
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(file, $0.baseAddress, $0.count, off_t(position)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: chunk[0..<count])
            position += count
        }
        return bytes
    }

    /// Whether this process may create files in the directory.
    public var isWritable: Bool {
        faccessat(descriptor, ".", W_OK, 0) == 0
    }

    /// What `name` is, or nil if it is not there.
    public func kind(of name: String) -> EntryKind? {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// The names in the directory, without `.` and `..`; empty if it cannot be read.
    public func entries() -> [String] {
        // fdopendir takes the descriptor it is given, so it gets a copy.
        let copy = dup(descriptor)
        guard copy >= 0 else { return [] }
        guard let stream = fdopendir(copy) else {
            close(copy)
            return []
        }
        defer { closedir(stream) }
        // The copy shares the read position: start from the top however often this is called.
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Unlinks `name`, which is not a directory (a link is removed, its target
    /// never touched). A missing name is fine.
    public func remove(_ name: String) throws(SystemError) {
        guard unlinkat(descriptor, name, 0) == 0 || errno == ENOENT else {
            throw SystemError(call: "unlinkat", path: path + "/" + name)
        }
    }

    /// Removes the directory `name` if it is empty: true if it is gone.
    public func removeEmptyDirectory(_ name: String) -> Bool {
        unlinkat(descriptor, name, AT_REMOVEDIR) == 0 || errno == ENOENT
    }

    /// Removes `name`: a link or a file is unlinked (a link's target is never
    /// touched), a directory is emptied the same way and removed. A missing name is fine.
    public func removeTree(_ name: String) throws(SystemError) {
        guard let kind = kind(of: name) else { return }
        if kind == .directory {
            // Opened with O_NOFOLLOW: replaced by a link meanwhile, it fails instead of leading outside.
            let inner = try DirectoryHandle(in: self, name: name)
            for entry in inner.entries() { try inner.removeTree(entry) }
            guard unlinkat(descriptor, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
                throw SystemError(call: "unlinkat", path: path + "/" + name)
            }
        } else {
            try remove(name)
        }
    }

    private func openRegular(_ name: String, _ flags: Int32) throws(SystemError) -> Int32 {
        // O_NONBLOCK: a FIFO planted there fails (ENXIO) instead of blocking; it changes nothing for a regular file.
        let file = openat(descriptor, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw SystemError(call: "openat", path: path + "/" + name) }
        var info = stat()
        guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(file)
            throw SystemError(call: "openat", path: path + "/" + name, code: EINVAL)
        }
        return file
    }

    /// Linux says ENOTDIR, not ELOOP, for O_DIRECTORY|O_NOFOLLOW on a link to
    /// a directory: a link there is reported as the link it is.
    private static func refined(_ error: SystemError, at directory: Int32, name: String) -> SystemError {
        guard error.code == ENOTDIR else { return error }
        var info = stat()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0, info.st_mode & S_IFMT == S_IFLNK else { return error }
        return SystemError(call: error.call, path: error.path, code: ELOOP)
    }
}

/// How a caller above the platform tells the refusals of `DirectoryHandle` apart.
extension SystemError {
    /// A symbolic link where a file or directory was to be opened (ELOOP).
    package var isSymbolicLink: Bool { code == ELOOP }
    /// Nothing there (ENOENT).
    package var isMissing: Bool { code == ENOENT }
    /// Something other than a regular file where one was to be written
    /// (`DirectoryHandle` says so with EINVAL).
    package var isNotRegularFile: Bool { code == EINVAL }
}
