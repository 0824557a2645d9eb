#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole file or stream, but never more than a limit: `/dev/zero`, an
/// endless pipe or a huge file ends in `.tooLarge` after at most `limit + 1`
/// bytes, instead of growing until memory runs out.
public enum BoundedRead {
    public enum Outcome: Sendable, Equatable {
        case bytes([UInt8])
        /// More than the limit: the input was not read to its end.
        case tooLarge
    }

    /// Bytes asked of each `read(2)`: big enough that a 64 MB file takes few calls.
    private static let chunk = 1 << 20

    /// The content of `path` (a regular file, a pipe, a device), or `.tooLarge`.
    /// A regular file's size is known before reading, so a large one is refused at once.
    public static func file(_ path: String, limit: Int) throws(SystemError) -> Outcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw SystemError(call: "fstat", path: path) }
        if info.st_mode & S_IFMT == S_IFDIR { throw SystemError(call: "read", path: path, code: EISDIR) }
        let isRegular = info.st_mode & S_IFMT == S_IFREG
        if isRegular && Int(info.st_size) > limit { return .tooLarge }
        return try read(descriptor, limit: limit, sizeHint: isRegular ? Int(info.st_size) : 0, name: path)
    }

    public static func standardInput(limit: Int) throws(SystemError) -> Outcome {
        var info = stat()
        if fstat(STDIN_FILENO, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            // `parrun - < file`: the part after the current offset is what will be read.
            let offset = lseek(STDIN_FILENO, 0, SEEK_CUR)
            let remaining = Int(info.st_size) - max(0, Int(offset))
            if remaining > limit { return .tooLarge }
            return try read(STDIN_FILENO, limit: limit, sizeHint: max(0, remaining), name: "<stdin>")
        }
        return try read(STDIN_FILENO, limit: limit, sizeHint: 0, name: "<stdin>")
    }

    /// Reads chunk by chunk until end of file or until `limit + 1` bytes are in:
    /// the array grows only as data comes, and never past `limit + 1`. Chunks are
    /// appended as whole buffers (a memcpy), so 64 MB of `/dev/zero` takes milliseconds.
    private static func read(_ descriptor: Int32, limit: Int, sizeHint: Int, name: String) throws(SystemError) -> Outcome {
        let cap = limit == Int.max ? limit : limit + 1
        var bytes: [UInt8] = []
        // One byte more than a regular file's size, so its end is seen without growing.
        bytes.reserveCapacity(min(cap, sizeHint + 1))
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        while bytes.count < cap {
            let result = Glibc.read(descriptor, buffer.baseAddress, min(chunk, cap - bytes.count))
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemError(call: "read", path: name)
            }
            if result == 0 { return .bytes(bytes) }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<result]))
        }
        return .tooLarge
    }
}
