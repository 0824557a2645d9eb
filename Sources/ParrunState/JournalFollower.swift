import ParrunPlatform

/// Reads what other parrun processes append to the journal while this one
/// runs, from where it last read. Only whole lines are taken; a line still
/// being written is read on a later call.
public final class JournalFollower {
    private let path: String
    private var offset: Int
    private var pending: [UInt8] = []
    /// Lines holding this are this process's own and are not parsed again.
    private let ownMark: [UInt8]

    /// Starts at `offset`: the end of what was read when the run was planned,
    /// so that nothing another process wrote since is missed. Records whose
    /// owner is `skipping` are passed over without parsing.
    public init(path: String, offset: Int, skipping owner: ProcessIdentity? = nil) {
        self.path = path
        self.offset = offset
        self.ownMark = owner.map { Array("\"owner\":\($0.json)".utf8) } ?? []
    }

    /// What this process itself had appended at the last call.
    private var ownBytesSeen = 0

    /// The records appended since the last call, but for this process's own.
    /// `ownBytesWritten`: all this process has appended so far; when the file
    /// grew by exactly that much, nothing else was written and nothing is read.
    public func newRecords(ownBytesWritten: Int = 0) -> [JournalRecord] {
        guard let size = FileSystem.size(path) else { return [] }
        let own = ownBytesWritten - ownBytesSeen
        ownBytesSeen = ownBytesWritten
        if pending.isEmpty && size == offset + own {
            offset = size
            return []
        }
        guard size > offset else { return [] }
        let bytes = FileSystem.readFile(path, at: offset, count: size - offset)
        guard !bytes.isEmpty else { return [] }
        offset += bytes.count
        pending += bytes
        guard let lastBreak = pending.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        var others: [UInt8] = []
        for line in pending[...lastBreak].split(separator: UInt8(ascii: "\n")) where ownMark.isEmpty || !Self.contains(line, ownMark) {
            others += line
            others.append(UInt8(ascii: "\n"))
        }
        pending.removeSubrange(...lastBreak)
        // Damage here is not fatal: these records only speed up what claims guarantee.
        return (try? JournalReader.parse(others, path: path).records) ?? []
    }

    private static func contains(_ line: ArraySlice<UInt8>, _ mark: [UInt8]) -> Bool {
        guard line.count >= mark.count, let first = mark.first else { return false }
        var start = line.startIndex
        let last = line.endIndex - mark.count
        while start <= last {
            if line[start] == first && line[start..<(start + mark.count)].elementsEqual(mark) { return true }
            start += 1
        }
        return false
    }
}
