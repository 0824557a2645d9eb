import ParrunPlatform
import ParrunSupport

/// A record as its journal line: written straight into bytes (`JSONBytes`),
/// as a start and an end are written for every ticket.
extension JournalRecord {
    /// The record as one journal line, with its line break. The names are
    /// `Kind`'s and each record's `Key`s (JournalKeys.swift).
    public var line: String {
        var out = JSONBytes(capacity: 320)
        append(to: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    /// Appends the record's line (with its line break) to `out`: bytes
    /// straight into one buffer, as a start and an end are written per ticket.
    package func append(to out: inout JSONBytes) {
        out.raw("{\"")
        out.raw(LineKey.version.rawValue)
        out.raw("\":")
        out.integer(Self.version)
        /// One member: its name, then its value in the form the value says.
        func add<Key: RawRepresentable>(_ name: Key, _ value: MemberValue) where Key.RawValue == String {
            out.member(name.rawValue)
            switch value {
            case .json(let text): out.raw(text)
            case .text(let text): out.quoted(text)
            case .textOrNull(let text): out.quotedOrNull(text)
            case .integer(let number): out.integer(number)
            case .integerOrNull(let number): if let number { out.integer(number) } else { out.raw("null") }
            case .number(let number): out.number(number)
            case .flag(let flag): out.flag(flag)
            case .process(let process): process.appendJSON(to: &out)
            }
        }
        func addMember(_ name: String, _ value: String) {
            out.member(name)
            out.raw(value)
        }
        add(LineKey.type, .text(kind.rawValue))
        switch self {
        case .header:
            add(HeaderKey.program, .text("parrun"))
        case .writeBack(let record):
            for (key, value) in record.members { addMember(key, value) }
        case .hook(let record):
            for (key, value) in record.members { addMember(key, value) }
        case .run(let record):
            typealias Key = RunRecord.Key
            add(Key.run, .text(record.run))
            add(Key.manifest, .text(record.manifest))
            add(Key.manifestHash, .text(record.manifestHash))
            add(Key.jobs, .integer(record.jobs))
            add(Key.owner, .process(record.owner))
            add(Key.time, .number(record.time))
            add(Key.resumes, .textOrNull(record.resumes))
            add(Key.joined, .flag(record.joined))
            if record.worktree { add(Key.worktree, .json("true")) }
            if let branch = record.branch { add(Key.branch, .text(branch)) }
            if let limit = record.limit { add(Key.limit, .integer(limit)) }
        case .start(let record):
            typealias Key = StartRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.attempt, .integer(record.attempt))
            add(Key.recipe, .text(record.recipe))
            add(Key.process, .process(record.process))
            add(Key.owner, .process(record.owner))
            add(Key.worker, .integer(record.worker))
            add(Key.time, .number(record.time))
            if let session = record.session { add(Key.session, .text(session)) }
            if let log = record.log { add(Key.log, .text(log)) }
            if let agent = record.agent { add(Key.agent, .text(agent)) }
        case .end(let record):
            typealias Key = EndRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.attempt, .integer(record.attempt))
            add(Key.status, .text(record.status))
            add(Key.exitCode, .integerOrNull(record.exitCode))
            add(Key.signal, .textOrNull(record.signal))
            add(Key.seconds, .number(record.seconds))
            add(Key.time, .number(record.time))
            add(Key.retry, .flag(record.retry))
            add(Key.owner, .process(record.owner))
            if let stats = record.stats { add(Key.stats, .json(stats.json)) }
            if let detail = record.detail { add(Key.detail, .text(detail)) }
        case .session(let record):
            typealias Key = SessionRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.attempt, .integer(record.attempt))
            add(Key.session, .text(record.session))
            add(Key.time, .number(record.time))
        case .slurmJob(let record):
            typealias Key = SlurmJobRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.attempt, .integer(record.attempt))
            add(Key.job, .text(record.job))
            add(Key.time, .number(record.time))
        case .landing(let record):
            typealias Key = LandingRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.branch, .text(record.branch))
            add(Key.base, .text(record.base))
            add(Key.landed, .text(record.landed))
            add(Key.time, .number(record.time))
        case .review(let record):
            typealias Key = ReviewRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.approved, .flag(record.approved))
            add(Key.reason, .textOrNull(record.reason))
            add(Key.time, .number(record.time))
        case .verify(let record):
            typealias Key = VerifyRecord.Key
            add(Key.run, .text(record.run))
            add(Key.id, .text(record.id))
            add(Key.attempt, .integer(record.attempt))
            add(Key.passed, .flag(record.passed))
            add(Key.exitCode, .integerOrNull(record.exitCode))
            add(Key.time, .number(record.time))
        case .files(let record):
            for (key, value) in record.members() { add(key, .json(value)) }
        case .runEnd(let record):
            typealias Key = RunEndRecord.Key
            add(Key.run, .text(record.run))
            add(Key.status, .text(record.status))
            add(Key.owner, .process(record.owner))
            add(Key.time, .number(record.time))
        }
        out.raw("}\n")
    }
}

/// A journal member's value, and how it is written.
enum MemberValue {
    /// Already JSON text.
    case json(String)
    case text(String)
    case textOrNull(String?)
    case integer(Int)
    case integerOrNull(Int?)
    case number(Double)
    case flag(Bool)
    case process(ProcessIdentity)
}

extension ProcessIdentity {
    /// The journal's form: `{"pid":..,"start":..,"host":..}`.
    var json: String {
        var out = JSONBytes(capacity: 64)
        appendJSON(to: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    func appendJSON(to out: inout JSONBytes) {
        typealias Key = JournalRecord.ProcessKey
        out.byte(UInt8(ascii: "{"))
        out.quoted(Key.pid.rawValue)
        out.byte(UInt8(ascii: ":"))
        out.integer(pid)
        out.member(Key.start.rawValue)
        out.integer(startTicks)
        out.member(Key.host.rawValue)
        out.quoted(host)
        out.byte(UInt8(ascii: "}"))
    }
}
