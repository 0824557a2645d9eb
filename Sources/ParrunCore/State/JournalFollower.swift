#if canImport(Glibc)
import Glibc
#endif

/// Reads what other parrun processes append to the journal while this one
/// runs, from where it last read. Only whole lines are taken; a line still
/// being written is read on a later call.
public final class JournalFollower {
    private let path: String
    private var offset: Int
    private var pending: [UInt8] = []

    /// Starts at `offset`: the end of what was read when the run was planned,
    /// so that nothing another process wrote since is missed.
    public init(path: String, offset: Int) {
        self.path = path
        self.offset = offset
    }

    /// The records appended since the last call (this process's own included).
    public func newRecords() -> [JournalRecord] {
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) > offset else { return [] }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) - offset)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard count > 0 else { return [] }
        offset += count
        pending += bytes[0..<count]
        guard let lastBreak = pending.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = Array(pending[...lastBreak])
        pending.removeSubrange(...lastBreak)
        // Damage here is not fatal: these records only speed up what claims guarantee.
        return (try? JournalReader.parse(complete, path: path).records) ?? []
    }
}
