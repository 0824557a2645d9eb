#if canImport(Glibc)
import Glibc
#endif
import ParrunSupport

/// What `stat` says about a path, in the terms the up-to-date check compares:
/// a file whose size, modification time and inode are all unchanged is taken
/// to have the same content, unless it was modified close to when it was hashed.
public struct FileStatus: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case regular, directory, other
        /// A symbolic link whose target does not exist.
        case danglingLink
    }

    public var kind: Kind
    public var size: Int
    /// Modification time, nanoseconds since 1970.
    public var modified: Int64
    public var inode: UInt64

    public init(kind: Kind, size: Int, modified: Int64, inode: UInt64) {
        self.kind = kind
        self.size = size
        self.modified = modified
        self.inode = inode
    }

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        size = Int(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        inode = UInt64(info.st_ino)
    }
}

/// The file calls of the up-to-date check: stat, hash a file's content, list
/// a directory. Symbolic links are followed, as a recipe reading the path would.
public enum FileProbe {
    /// Nil when nothing is at `path` (ENOENT, ENOTDIR); a link to nothing is `.danglingLink`.
    public static func status(_ path: String) throws(SystemError) -> FileStatus? {
        var info = stat()
        if stat(path, &info) == 0 { return FileStatus(info) }
        let code = errno
        guard code == ENOENT || code == ENOTDIR else { throw SystemError(call: "stat", path: path, code: code) }
        if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK {
            return FileStatus(kind: .danglingLink, size: 0, modified: 0, inode: UInt64(info.st_ino))
        }
        return nil
    }

    /// The content hash (`ContentHash`) of the regular file at `path`, and its
    /// status as of just before it was read (fstat of the same descriptor, so
    /// a file replaced meanwhile is never paired with another's status).
    /// `buffer` is reused between calls to spare an allocation per file.
    public static func hash(_ path: String, buffer: inout [UInt8]) throws(SystemError) -> (hash: String, status: FileStatus) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SystemError(call: "fstat", path: path) }
        let status = FileStatus(info)
        guard status.kind == .regular else { throw SystemError(call: "read", path: path, code: status.kind == .directory ? EISDIR : EINVAL) }
        if buffer.count < 256 * 1024 { buffer = [UInt8](repeating: 0, count: 256 * 1024) }
        var hash = ContentHash()
        var failure: Int32?
        buffer.withUnsafeMutableBytes { chunk in
            while true {
                let count = read(descriptor, chunk.baseAddress, chunk.count)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if count == 0 { return }
                hash.add(UnsafeRawBufferPointer(rebasing: chunk[0..<count]))
            }
        }
        if let failure { throw SystemError(call: "read", path: path, code: failure) }
        return (hash.hex, status)
    }

    /// The entries of a directory with whether each is a directory (symbolic
    /// links followed), without `.` and `..`; nil if it cannot be read.
    public static func entries(_ path: String) -> [(name: String, isDirectory: Bool)]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var entries: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_LNK) || entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = stat(path + "/" + name, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            entries.append((name, isDirectory))
        }
        return entries
    }
}
