import ParrunModel
import ParrunPlatform

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
        typealias LineKey = JournalRecord.LineKey
        guard let version = fields[LineKey.version.rawValue]?.integerValue else { throw .corrupt(line: line, path: path) }
        guard version == JournalRecord.version else { throw .unknownVersion(version, line: line, path: path) }
        guard let kind = fields[LineKey.type.rawValue]?.stringValue.flatMap(JournalRecord.Kind.init(rawValue:)) else { return nil }
        let record = RecordFields(fields: fields)
        do {
            switch kind {
            case .header:
                return .header
            case .run:
                typealias Key = JournalRecord.RunRecord.Key
                return .run(.init(
                    run: try record.string(Key.run), manifest: try record.string(Key.manifest),
                    manifestHash: try record.string(Key.manifestHash), jobs: try record.int(Key.jobs),
                    owner: try record.process(Key.owner), time: try record.double(Key.time),
                    resumes: record.optionalString(Key.resumes), joined: record.bool(Key.joined), worktree: record.bool(Key.worktree),
                    branch: record.optionalString(Key.branch), limit: record.optionalInt(Key.limit)))
            case .start:
                typealias Key = JournalRecord.StartRecord.Key
                return .start(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), attempt: try record.int(Key.attempt),
                    recipe: try record.string(Key.recipe), process: try record.process(Key.process),
                    owner: try record.process(Key.owner), worker: try record.int(Key.worker), time: try record.double(Key.time),
                    session: record.optionalString(Key.session)))
            case .end:
                typealias Key = JournalRecord.EndRecord.Key
                return .end(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), attempt: try record.int(Key.attempt),
                    status: try record.string(Key.status), exitCode: record.optionalInt(Key.exitCode),
                    signal: record.optionalString(Key.signal), seconds: try record.double(Key.seconds), time: try record.double(Key.time),
                    retry: record.bool(Key.retry), owner: (try? record.process(Key.owner)) ?? .none,
                    stats: AgentStats(json: fields[Key.stats.rawValue]), detail: record.optionalString(Key.detail)))
            case .slurmJob:
                typealias Key = JournalRecord.SlurmJobRecord.Key
                return .slurmJob(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), attempt: try record.int(Key.attempt),
                    job: try record.string(Key.job), time: try record.double(Key.time)))
            case .landing:
                typealias Key = JournalRecord.LandingRecord.Key
                return .landing(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), branch: try record.string(Key.branch),
                    base: try record.string(Key.base), landed: try record.string(Key.landed), time: try record.double(Key.time)))
            case .review:
                typealias Key = JournalRecord.ReviewRecord.Key
                return .review(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), approved: record.bool(Key.approved),
                    reason: record.optionalString(Key.reason), time: try record.double(Key.time)))
            case .verify:
                typealias Key = JournalRecord.VerifyRecord.Key
                return .verify(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), attempt: try record.int(Key.attempt),
                    passed: record.bool(Key.passed), exitCode: record.optionalInt(Key.exitCode), time: try record.double(Key.time)))
            case .session:
                typealias Key = JournalRecord.SessionRecord.Key
                return .session(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), attempt: try record.int(Key.attempt),
                    session: try record.string(Key.session), time: try record.double(Key.time)))
            case .files:
                guard let files = JournalRecord.FilesRecord(fields: fields) else { throw RecordFields.Missing() }
                return .files(files)
            case .runEnd:
                typealias Key = JournalRecord.RunEndRecord.Key
                return .runEnd(.init(
                    run: try record.string(Key.run), status: try record.string(Key.status),
                    owner: try record.process(Key.owner), time: try record.double(Key.time)))
            case .writeBack:
                typealias Key = JournalRecord.WriteBackRecord.Key
                return .writeBack(.init(
                    run: try record.string(Key.run), id: try record.string(Key.id), event: try record.string(Key.event),
                    ok: record.bool(Key.ok), detail: record.optionalString(Key.detail), time: try record.double(Key.time)))
            case .hook:
                typealias Key = JournalRecord.HookRecord.Key
                return .hook(.init(
                    run: try record.string(Key.run), id: record.optionalString(Key.id), event: try record.string(Key.event),
                    detail: record.optionalString(Key.detail) ?? "", time: try record.double(Key.time)))
            }
        } catch {
            throw .corrupt(line: line, path: path)
        }
    }

    /// Typed access to a record's fields; a missing or mistyped field is damage.
    private struct RecordFields {
        struct Missing: Error {}
        let fields: [String: JSONValue]

        private func value<Key: RawRepresentable>(_ key: Key) -> JSONValue? where Key.RawValue == String {
            fields[key.rawValue]
        }
        func string<Key: RawRepresentable>(_ key: Key) throws(Missing) -> String where Key.RawValue == String {
            guard let text = value(key)?.stringValue else { throw Missing() }
            return text
        }
        func optionalString<Key: RawRepresentable>(_ key: Key) -> String? where Key.RawValue == String { value(key)?.stringValue }
        func int<Key: RawRepresentable>(_ key: Key) throws(Missing) -> Int where Key.RawValue == String {
            guard let number = value(key)?.integerValue else { throw Missing() }
            return number
        }
        func optionalInt<Key: RawRepresentable>(_ key: Key) -> Int? where Key.RawValue == String { value(key)?.integerValue }
        func double<Key: RawRepresentable>(_ key: Key) throws(Missing) -> Double where Key.RawValue == String {
            // Infinity (1e999) is no time a journal could hold, and would be rewritten (compaction) as a line no reader takes.
            guard let text = value(key)?.scalarText, let number = Double(text), number.isFinite else { throw Missing() }
            return number
        }
        func bool<Key: RawRepresentable>(_ key: Key) -> Bool where Key.RawValue == String {
            if case .bool(let flag)? = value(key)?.kind { return flag }
            return false
        }
        func process<Key: RawRepresentable>(_ key: Key) throws(Missing) -> ProcessIdentity where Key.RawValue == String {
            guard case .object(let members)? = value(key)?.kind else { throw Missing() }
            var pid: Int?, start: Int?, host: String?
            for member in members {
                switch JournalRecord.ProcessKey(rawValue: member.key) {
                case .pid: pid = member.value.integerValue
                case .start: start = member.value.integerValue
                case .host: host = member.value.stringValue
                case nil: break
                }
            }
            guard let pid, let start, let host else { throw Missing() }
            return ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: UInt64(max(start, 0)), host: host)
        }
    }
}
