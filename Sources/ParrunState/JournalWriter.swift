import ParrunModel
import ParrunPlatform
import ParrunSupport

/// The journal on disk: `.parrun/journal.jsonl`, append-only. Writes are one
/// `write(2)` of whole records on a descriptor opened with O_APPEND, so records
/// of two parrun processes never mix within a line. While holding
/// (`beginHolding`), records wait in memory for `flush()`: the run loop writes
/// a turn's records (one ticket's end, the next one's start) in one call, and
/// flushes before it sleeps. `sync()` flushes and makes what was written
/// durable; the run loop calls it before starting a ticket whose dependencies
/// ended since the last sync, and at least once a second.
///
/// Invariants: the file never keeps half a record of this writer (a short
/// write is taken back, a torn tail left by a crash is cut off at open), and
/// after the first failure (`failure`) nothing more is appended, so what the
/// file holds is exactly what the run may trust on `--resume`.
public final class JournalWriter {
    public static let fileName = "journal.jsonl"
    /// How often, at most, `sync` checks that the state directory and the
    /// journal are still the ones opened: a stat or two a second.
    public static let watchInterval = 1.0

    private let descriptor: Int32
    public let path: String
    /// The state directory, as given.
    public let directory: String
    /// Records written since the last fsync.
    public private(set) var isDirty = false
    /// Bytes this writer appended, so a follower can tell its own growth of the file from others'.
    public private(set) var bytesWritten = 0
    public private(set) var lastSync = 0.0
    /// The first append, sync or state-directory check that failed. Sticky:
    /// a journal with a gap could make `--resume` trust what it should not.
    public private(set) var failure: SystemError?
    /// Bytes of a torn last line (a crash mid-write) cut off when opening;
    /// nil when the journal ended with a whole record.
    public let repairedTornTail: Int?
    /// What the state directory and the journal were at open (device, inode).
    private let directoryIdentity: FileIdentity?
    private let journalIdentity: FileIdentity?
    private let watchInterval: Double
    private var lastWatch: Double
    /// Records appended while holding and not yet written: kept as values and
    /// turned into text when written, so a turn's next start is not kept
    /// waiting while the previous ticket's end is formatted.
    private var held: [JournalRecord] = []
    private var holding = false

    public init(directory: String, watchInterval: Double = JournalWriter.watchInterval) throws(SystemError) {
        let path = directory + "/" + Self.fileName
        let descriptor = try FileSystem.openRecordFile(path)
        let repaired: Int?
        do throws(SystemError) {
            repaired = try Self.cutTornTail(descriptor, path: path)
            if FileSystem.size(ofDescriptor: descriptor) == 0 {
                let (_, error) = FileSystem.writeAll(descriptor, JournalRecord.header.line)
                if let error { throw SystemError.cannotWrite(path, call: "write", code: error) }
            }
        } catch {
            Descriptor.close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.path = path
        self.directory = directory
        self.repairedTornTail = repaired
        self.watchInterval = watchInterval
        directoryIdentity = FileSystem.identity(of: directory)
        journalIdentity = FileSystem.identity(ofDescriptor: descriptor)
        lastSync = Clock.monotonic()
        lastWatch = lastSync
    }

    deinit {
        Descriptor.close(descriptor)
    }

    /// Replaces the journal at `directory` with `records`, durably. Only while
    /// no other parrun has it open for writing (its appends would be lost).
    /// Returns the new length: where a follower of the new file starts.
    @discardableResult
    public static func rewrite(directory: String, records: [JournalRecord]) throws(SystemError) -> Int {
        var text = ""
        for record in records { text += record.line }
        try FileSystem.writeAtomically(directory + "/" + fileName, text, durable: true)
        return text.utf8.count
    }

    /// Appends one record; false (and `failure` set) if it could not be
    /// written whole, or an earlier append, sync or check failed. While
    /// holding, the record is written by the next `flush()` or `sync()`.
    @discardableResult
    public func append(_ record: JournalRecord) -> Bool {
        guard failure == nil else { return false }
        if holding {
            held.append(record)
            return true
        }
        var line = JSONBytes(capacity: 400)
        record.append(to: &line)
        return write(line.bytes)
    }

    /// From now on records wait for `flush()`, so that several go in one write.
    public func beginHolding() {
        holding = true
    }

    /// Writes what is held and appends at once again.
    @discardableResult
    public func endHolding() -> Bool {
        defer { holding = false }
        return flush()
    }

    /// Writes the records held since the last flush, in one call; false (and
    /// `failure` set) if they could not be written whole, now or before.
    @discardableResult
    public func flush() -> Bool {
        guard !held.isEmpty else { return failure == nil }
        defer { held.removeAll(keepingCapacity: true) }
        guard failure == nil else { return false }
        var text = JSONBytes(capacity: 400 * held.count)
        for record in held { record.append(to: &text) }
        return write(text.bytes)
    }

    private func write(_ bytes: [UInt8]) -> Bool {
        let (written, error) = FileSystem.writeAll(descriptor, bytes)
        if let error {
            if written > 0 { takeBack(written) }
            failure = .cannotWrite(path, call: "write", code: error)
            return false
        }
        bytesWritten += written
        isDirty = true
        return true
    }

    /// fdatasync, if anything was written since the last one; and, at most
    /// once per `watchInterval` (or now, `checkingStateDirectory`), the check
    /// that the state directory is still there. False (and `failure` set) if
    /// either failed, now or before.
    @discardableResult
    public func sync(checkingStateDirectory: Bool = false) -> Bool {
        guard flush() else { return false }
        let now = Clock.monotonic()
        if checkingStateDirectory || now - lastWatch >= watchInterval {
            lastWatch = now
            // Syncing a journal nobody can find any more would only hide that it is lost.
            if let change = stateDirectoryChange() {
                failure = change
                return false
            }
        }
        guard isDirty else { return true }
        guard FileSystem.syncData(descriptor) else {
            failure = .cannotWrite(path, call: "fdatasync")
            return false
        }
        isDirty = false
        lastSync = now
        return true
    }

    /// Nil while the state directory and the journal at its path are the
    /// ones opened; else the failure that says they are gone.
    private func stateDirectoryChange() -> SystemError? {
        let directoryNow = FileSystem.identity(of: directory)
        let journalNow = FileSystem.identity(of: path)
        guard directoryNow != directoryIdentity || journalNow != journalIdentity || journalNow == nil else { return nil }
        return .replaced(directory, message: "the state directory \(directory) was removed or replaced during the run")
    }

    /// Removes the `count` bytes a failed write left at the end, so no half
    /// record stays to be read as damage by the next `--resume`.
    private func takeBack(_ count: Int) {
        guard let end = FileSystem.offset(ofDescriptor: descriptor) else { return }
        // Only while nothing follows them: cutting another parrun's record would lose it.
        guard FileSystem.size(ofDescriptor: descriptor) == end else { return }
        FileSystem.shorten(descriptor: descriptor, to: end - count)
    }

    /// A journal that does not end in a line break was cut short by a crash
    /// mid-write: that last line was never a record (readers skip it), and
    /// appending to it would glue it to the next record, a damaged line that
    /// stops every later `--resume`. Cuts it off; returns how many bytes went.
    private static func cutTornTail(_ descriptor: Int32, path: String) throws(SystemError) -> Int? {
        guard let size = FileSystem.size(ofDescriptor: descriptor), size > 0 else { return nil }
        let newline = UInt8(ascii: "\n")
        guard FileSystem.readBytes(ofDescriptor: descriptor, at: size - 1, count: 1) != [newline] else { return nil }
        // The end of the last whole line, searched backwards a block at a time.
        let block = 64 * 1024
        var keep = 0
        var end = size
        while end > 0 {
            let start = max(0, end - block)
            let bytes = FileSystem.readBytes(ofDescriptor: descriptor, at: start, count: end - start)
            guard bytes.count == end - start else { throw SystemError(call: "pread", path: path) }
            if let last = bytes.lastIndex(of: newline) {
                keep = start + last + 1
                break
            }
            end = start
        }
        guard FileSystem.shorten(descriptor: descriptor, to: keep) else { throw SystemError.cannotWrite(path, call: "ftruncate") }
        return size - keep
    }
}
