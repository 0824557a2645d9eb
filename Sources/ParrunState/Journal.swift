import ParrunModel
import ParrunPlatform

/// The journal on disk: `.parrun/journal.jsonl`, append-only. Writes are one
/// `write(2)` per record on a descriptor opened with O_APPEND, so records of
/// two parrun processes never mix within a line. `sync()` makes what was
/// written durable; the run loop calls it before starting a ticket whose
/// dependencies ended since the last sync, and at least once a second.
public final class JournalWriter {
    public static let fileName = "journal.jsonl"

    private let descriptor: Int32
    public let path: String
    /// Records written since the last fsync.
    public private(set) var isDirty = false
    /// Bytes this writer appended, so a follower can tell its own growth of the file from others'.
    public private(set) var bytesWritten = 0
    public private(set) var lastSync = 0.0

    public init(directory: String) throws(SystemError) {
        path = directory + "/" + Self.fileName
        let descriptor = try FileSystem.openForAppending(path, truncate: false)
        self.descriptor = descriptor
        if FileSystem.size(ofDescriptor: descriptor) == 0 {
            Descriptor.write(descriptor, JournalRecord.header.line)
        }
        lastSync = Clock.monotonic()
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

    public func append(_ record: JournalRecord) {
        let line = record.line
        Descriptor.write(descriptor, line)
        bytesWritten += line.utf8.count
        isDirty = true
    }

    /// fdatasync, if anything was written since the last one.
    public func sync() {
        guard isDirty else { return }
        FileSystem.syncData(descriptor)
        isDirty = false
        lastSync = Clock.monotonic()
    }
}

/// What reading a journal found.
public struct JournalContents: Sendable {
    public var records: [JournalRecord]
    /// Set when the last line was cut short (a crash mid-write) and was ignored.
    public var tornLastLine: Int?
    /// Bytes up to the end of the last complete line: where a reader that
    /// follows the journal from here on must start, to miss no record.
    public var completeLength = 0
}

public enum JournalError: Error, Equatable, Sendable {
    case unknownVersion(Int, line: Int, path: String)
    case corrupt(line: Int, path: String)
    case unreadable(SystemError)

    public var message: String {
        switch self {
        case .unknownVersion(let version, let line, let path):
            return "\(path):\(line): journal format version \(version) is not one this parrun knows (it reads version \(JournalRecord.version)); use the parrun that wrote it, or move the state directory aside"
        case .corrupt(let line, let path):
            return "\(path):\(line): this journal line is damaged, so parrun cannot tell which tickets finished; repair or delete the line, or move the state directory aside to start afresh"
        case .unreadable(let error):
            return "cannot read the journal: \(error.description)"
        }
    }
}

public enum JournalReader {
    /// Every record of the journal at `path`; an absent journal is empty.
    /// A torn last line is skipped (and reported); any other damaged line is
    /// an error, because skipping it could make a finished ticket run again.
    public static func read(_ path: String) throws(JournalError) -> JournalContents {
        guard FileSystem.exists(path) else { return JournalContents(records: []) }
        let bytes: [UInt8]
        do { bytes = try FileSystem.readFile(path) } catch { throw .unreadable(error) }
        return try parse(bytes, path: path)
    }

    public static func parse(_ bytes: [UInt8], path: String) throws(JournalError) -> JournalContents {
        var records: [JournalRecord] = []
        var torn: Int?
        var completeLength = 0
        var cache = JournalLineDecoder.Cache()
        var lineNumber = 0
        var start = 0
        try bytes.withUnsafeBufferPointer { (buffer: UnsafeBufferPointer<UInt8>) throws(JournalError) in
            while start < buffer.count {
                lineNumber += 1
                var end = start
                while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
                let complete = end < buffer.count
                let line = UnsafeBufferPointer(rebasing: buffer[start..<end])
                defer { start = end + 1 }
                if complete { completeLength = end + 1 }
                if line.isEmpty { continue }
                if complete, let record = JournalLineDecoder.decode(line, cache: &cache) {
                    records.append(record)
                    continue
                }
                guard let value = try? JSONParser.parse(line) else {
                    if complete { throw .corrupt(line: lineNumber, path: path) }
                    torn = lineNumber
                    continue
                }
                guard let record = try decode(value, line: lineNumber, path: path) else {
                    if !complete { torn = lineNumber }
                    continue
                }
                if !complete {
                    // A record whose line break never reached the disk: its write may
                    // not have completed either, so it is not trusted.
                    torn = lineNumber
                    continue
                }
                records.append(record)
            }
        }
        return JournalContents(records: records, tornLastLine: torn, completeLength: completeLength)
    }

    /// The record, or nil for a type this version does not know (written by a
    /// newer parrun of the same format version).
    static func decode(_ value: JSONValue, line: Int, path: String) throws(JournalError) -> JournalRecord? {
        guard case .object(let members) = value.kind else { throw .corrupt(line: line, path: path) }
        var fields: [String: JSONValue] = [:]
        for member in members { fields[member.key] = member.value }
        guard let version = fields["v"]?.integerValue else { throw .corrupt(line: line, path: path) }
        guard version == JournalRecord.version else { throw .unknownVersion(version, line: line, path: path) }
        let record = RecordFields(fields: fields)
        do {
            switch fields["type"]?.stringValue {
            case "journal":
                return .header
            case "run":
                return .run(.init(
                    run: try record.string("run"), manifest: try record.string("manifest"),
                    manifestHash: try record.string("manifestHash"), jobs: try record.int("jobs"),
                    owner: try record.process("owner"), time: try record.double("time"),
                    resumes: record.optionalString("resumes"), joined: record.bool("joined"), worktree: record.bool("worktree"),
                    branch: record.optionalString("branch")))
            case "start":
                return .start(.init(
                    run: try record.string("run"), id: try record.string("id"), attempt: try record.int("attempt"),
                    recipe: try record.string("recipe"), process: try record.process("process"),
                    owner: try record.process("owner"), worker: try record.int("worker"), time: try record.double("time"),
                    session: record.optionalString("session")))
            case "end":
                return .end(.init(
                    run: try record.string("run"), id: try record.string("id"), attempt: try record.int("attempt"),
                    status: try record.string("status"), exitCode: record.optionalInt("exitCode"),
                    signal: record.optionalString("signal"), seconds: try record.double("seconds"), time: try record.double("time"),
                    retry: record.bool("retry"), owner: (try? record.process("owner")) ?? .none,
                    stats: AgentStats(json: fields["stats"]), detail: record.optionalString("detail")))
            case "slurm-job":
                return .slurmJob(.init(
                    run: try record.string("run"), id: try record.string("id"), attempt: try record.int("attempt"),
                    job: try record.string("job"), time: try record.double("time")))
            case "review":
                return .review(.init(
                    run: try record.string("run"), id: try record.string("id"), approved: record.bool("approved"),
                    reason: record.optionalString("reason"), time: try record.double("time")))
            case "verify":
                return .verify(.init(
                    run: try record.string("run"), id: try record.string("id"), attempt: try record.int("attempt"),
                    passed: record.bool("passed"), exitCode: record.optionalInt("exitCode"), time: try record.double("time")))
            case "session":
                return .session(.init(
                    run: try record.string("run"), id: try record.string("id"), attempt: try record.int("attempt"),
                    session: try record.string("session"), time: try record.double("time")))
            case "run-end":
                return .runEnd(.init(
                    run: try record.string("run"), status: try record.string("status"),
                    owner: try record.process("owner"), time: try record.double("time")))
            default:
                return nil
            }
        } catch {
            throw .corrupt(line: line, path: path)
        }
    }

    /// Typed access to a record's fields; a missing or mistyped field is damage.
    private struct RecordFields {
        struct Missing: Error {}
        let fields: [String: JSONValue]

        func string(_ key: String) throws(Missing) -> String {
            guard let value = fields[key]?.stringValue else { throw Missing() }
            return value
        }
        func optionalString(_ key: String) -> String? { fields[key]?.stringValue }
        func int(_ key: String) throws(Missing) -> Int {
            guard let value = fields[key]?.integerValue else { throw Missing() }
            return value
        }
        func optionalInt(_ key: String) -> Int? { fields[key]?.integerValue }
        func double(_ key: String) throws(Missing) -> Double {
            guard let text = fields[key]?.scalarText, let value = Double(text) else { throw Missing() }
            return value
        }
        func bool(_ key: String) -> Bool {
            if case .bool(let flag)? = fields[key]?.kind { return flag }
            return false
        }
        func process(_ key: String) throws(Missing) -> ProcessIdentity {
            guard case .object(let members)? = fields[key]?.kind else { throw Missing() }
            var pid: Int?, start: Int?, host: String?
            for member in members {
                switch member.key {
                case "pid": pid = member.value.integerValue
                case "start": start = member.value.integerValue
                case "host": host = member.value.stringValue
                default: break
                }
            }
            guard let pid, let start, let host else { throw Missing() }
            return ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: UInt64(max(start, 0)), host: host)
        }
    }
}
