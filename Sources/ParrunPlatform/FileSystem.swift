#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the file calls parrun needs; the only file-system code
/// outside the state directory.
public enum FileSystem {
    /// The whole content of a file, read with plain `read(2)` into one buffer.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SystemError(call: "fstat", path: path) }
        if info.st_mode & S_IFMT == S_IFDIR { throw SystemError(call: "read", path: path, code: EISDIR) }
        return try readAll(descriptor, sizeHint: Int(info.st_size), name: path)
    }

    public static func readStandardInput() throws(SystemError) -> [UInt8] {
        try readAll(STDIN_FILENO, sizeHint: 0, name: "<stdin>")
    }

    /// Writes raw bytes (a log may hold any) to standard output; gives up quietly on an error.
    package static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
        _ = Descriptor.write(STDOUT_FILENO, bytes)
    }

    /// The file's size in bytes, or nil if it cannot be stat'ed.
    package static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// The size of the open file, or nil if it cannot be stat'ed.
    package static func size(ofDescriptor descriptor: Int32) -> Int? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? Int(info.st_size) : nil
    }

    /// Up to `count` bytes of `path` at `offset`, in one `pread`; empty if none could be read.
    package static func readFile(_ path: String, at offset: Int, count: Int) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: count)
        let filled = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard filled > 0 else { return [] }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// fdatasync: the file's data is on disk when this returns true; false
    /// leaves the reason in `errno`.
    @discardableResult
    package static func syncData(_ descriptor: Int32) -> Bool {
        while fdatasync(descriptor) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    // MARK: - Append-only record files (the journal)

    /// Opens a record file for reading and appending, creating it. A symbolic
    /// link at `path` is refused (ELOOP), never followed, so a link planted in
    /// the state directory cannot make parrun write elsewhere; so is anything
    /// but a regular file (a record appended to a FIFO or a device is lost).
    package static func openRecordFile(_ path: String) throws(SystemError) -> Int32 {
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            let code = errno
            if code == ELOOP {
                throw SystemError(call: "open", path: path, code: code,
                                  message: "cannot open \(path): it is a symbolic link, which parrun does not follow there; remove it")
            }
            throw SystemError(call: "open", path: path, code: code)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SystemError(call: "open", path: path, code: EINVAL,
                              message: "cannot open \(path): it is not a regular file; move it aside")
        }
        return descriptor
    }

    /// Writes all of `text`: how many bytes went out, and the errno that
    /// stopped the rest (nil when all did).
    package static func writeAll(_ descriptor: Int32, _ text: String) -> (written: Int, error: Int32?) {
        var text = text
        return text.withUTF8 { writeAll(descriptor, $0) }
    }

    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> (written: Int, error: Int32?) {
        bytes.withUnsafeBufferPointer { writeAll(descriptor, $0) }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeBufferPointer<UInt8>) -> (written: Int, error: Int32?) {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { break }
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written < 0 { return (offset, errno) }
            // A write of nothing makes no progress: the disk is full in all but name.
            if written == 0 { return (offset, ENOSPC) }
            offset += written
        }
        return (offset, nil)
    }

    /// The descriptor's file offset (for O_APPEND: the end of its last write).
    package static func offset(ofDescriptor descriptor: Int32) -> Int? {
        let offset = lseek(descriptor, 0, SEEK_CUR)
        return offset >= 0 ? Int(offset) : nil
    }

    /// ftruncate: cuts the open file to `length` bytes.
    @discardableResult
    package static func shorten(descriptor: Int32, to length: Int) -> Bool {
        ftruncate(descriptor, off_t(length)) == 0
    }

    /// Up to `count` bytes of the open file at `offset`, in one `pread`.
    package static func readBytes(ofDescriptor descriptor: Int32, at offset: Int, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let filled = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard filled > 0 else { return [] }
        bytes.removeSubrange(filled...)
        return bytes
    }

    /// Which file `path` names now (symbolic links followed): nil if none.
    package static func identity(of path: String) -> FileIdentity? {
        var info = stat()
        return stat(path, &info) == 0 ? FileIdentity(info) : nil
    }

    /// Which file an open descriptor is.
    package static func identity(ofDescriptor descriptor: Int32) -> FileIdentity? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? FileIdentity(info) : nil
    }

    private static func readAll(_ descriptor: Int32, sizeHint: Int, name: String) throws(SystemError) -> [UInt8] {
        // One byte more than the size, so a file read whole is known at once to be at its end.
        var bytes = [UInt8](repeating: 0, count: max(sizeHint + 1, 64 * 1024))
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: bytes.count)) }
            let result = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError(call: "read", path: name)
            }
            if result == 0 { break }
            filled += result
        }
        bytes.removeSubrange(filled...)
        return bytes
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    public static func changeDirectory(_ path: String) throws(SystemError) {
        guard chdir(path) == 0 else { throw SystemError(call: "chdir", path: path) }
    }

    /// The canonical absolute path (symlinks resolved), or nil if it does not exist.
    public static func absolutePath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public static func currentDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "." }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Creates `path` and its missing parents, like `mkdir -p`.
    public static func createDirectories(_ path: String) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw SystemError(call: "mkdir", path: String(prefix.dropLast()))
            }
        }
    }

    /// Opens a file for writing at its end, creating it; `truncate` empties it first.
    public static func openForAppending(_ path: String, truncate: Bool) throws(SystemError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        return descriptor
    }

    /// Replaces `path` with `text` through a temporary file and a rename, so a
    /// reader sees the old content or the new, never a mix. `durable`: the new
    /// content and the rename are on disk (fsync) before this returns.
    public static func writeAtomically(_ path: String, _ text: String, durable: Bool = false) throws(SystemError) {
        let temporary = path + ".tmp.\(getpid())"
        // The name is predictable: created afresh, never through a link planted there.
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var descriptor = open(temporary, flags, 0o644)
        if descriptor < 0 && errno == EEXIST {
            // Left by a crashed process with this pid, or planted: unlink removes the name, never a link's target.
            unlink(temporary)
            descriptor = open(temporary, flags, 0o644)
        }
        guard descriptor >= 0 else { throw SystemError(call: "open", path: temporary) }
        let written = Descriptor.write(descriptor, text) && (!durable || fsync(descriptor) == 0)
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            let error = SystemError(call: written ? "rename" : "write", path: path)
            unlink(temporary)
            throw error
        }
        if durable {
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            let handle = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if handle >= 0 {
                _ = fsync(handle)
                close(handle)
            }
        }
    }

    /// The names in a directory (without `.` and `..`); empty if it cannot be read.
    public static func directoryEntries(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// The bytes of `path` from `offset` on (empty if it is shorter or absent).
    public static func readFile(_ path: String, from offset: Int) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        guard lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else { return [] }
        return (try? readAll(descriptor, sizeHint: 0, name: path)) ?? []
    }

    /// rmdir: true if the directory was empty and is gone.
    public static func removeEmptyDirectory(_ path: String) -> Bool {
        rmdir(path) == 0
    }

    /// Removes `path` and, for a directory, everything in it; symbolic links
    /// are removed, never followed. A missing path is fine.
    public static func removeTree(_ path: String) throws(SystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SystemError(call: "lstat", path: path)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in directoryEntries(path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw SystemError(call: "rmdir", path: path) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw SystemError(call: "unlink", path: path) }
        }
    }
}

/// A file's device and inode: the same path naming another file (deleted and
/// made again, renamed over) has another identity.
public struct FileIdentity: Equatable, Sendable {
    public let device: UInt64
    public let inode: UInt64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}
