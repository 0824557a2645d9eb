import ParrunSupport
import ParrunModel
import ParrunPlatform

/// Decodes a journal line in the exact shape `JournalRecord.line` writes
/// (no spaces, ASCII strings without escapes) without building a JSON tree:
/// a 100,000-ticket journal is read several times faster this way. Anything
/// else, including every damaged or unusual line, returns nil, and the reader
/// falls back to the full JSON parser, which also reports the errors.
struct JournalLineDecoder {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    private enum Value {
        case string(Range<Int>)
        case number(Range<Int>)
        case bool(Bool)
        case null
        case object([(key: Range<Int>, value: Value)])
    }

    private let line: Bytes
    private var position: Int
    /// Strings that repeat on every line (run ids, hosts): the last one of each
    /// kind is reused, so a journal of one run holds one copy instead of 200,000.
    struct Cache {
        var run = ""
        var host = ""
    }

    private init(_ line: Bytes) {
        self.line = line
        position = line.startIndex
    }

    /// The record, or nil when the line is not in the writer's shape (or of a
    /// version or type this decoder leaves to the full parser).
    static func decode(_ line: Bytes, cache: inout Cache) -> JournalRecord? {
        var decoder = JournalLineDecoder(line)
        guard case .object(let members)? = decoder.value(), decoder.position == line.endIndex else { return nil }
        return decoder.record(members, cache: &cache)
    }

    // MARK: scanning

    private mutating func value() -> Value? {
        guard position < line.endIndex else { return nil }
        switch line[position] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "\""): return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    private mutating func object() -> Value? {
        position += 1  // {
        var members: [(key: Range<Int>, value: Value)] = []
        members.reserveCapacity(12)
        if position < line.endIndex && line[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            guard position < line.endIndex, line[position] == UInt8(ascii: "\""), let key = string(),
                position < line.endIndex, line[position] == UInt8(ascii: ":")
            else { return nil }
            position += 1
            guard let value = value(), position < line.endIndex else { return nil }
            members.append((key, value))
            switch line[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default: return nil
            }
        }
    }

    /// A string of printable ASCII without escapes; the range of its content.
    private mutating func string() -> Range<Int>? {
        position += 1  // "
        let start = position
        while position < line.endIndex {
            let byte = line[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return start..<(position - 1)
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            position += 1
        }
        return nil
    }

    private mutating func literal(_ word: StaticString, _ value: Value) -> Value? {
        let count = word.utf8CodeUnitCount
        guard line.endIndex - position >= count else { return nil }
        for offset in 0..<count where line[position + offset] != word.utf8Start[offset] { return nil }
        position += count
        return value
    }

    /// JSON's number grammar exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() -> Value? {
        let start = position
        func digits() -> Int {
            let first = position
            while position < line.endIndex, line[position] >= UInt8(ascii: "0"), line[position] <= UInt8(ascii: "9") { position += 1 }
            return position - first
        }
        if position < line.endIndex && line[position] == UInt8(ascii: "-") { position += 1 }
        let firstDigit = position
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || line[firstDigit] != UInt8(ascii: "0") else { return nil }
        if position < line.endIndex && line[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { return nil }
        }
        if position < line.endIndex && (line[position] == UInt8(ascii: "e") || line[position] == UInt8(ascii: "E")) {
            position += 1
            if position < line.endIndex && (line[position] == UInt8(ascii: "+") || line[position] == UInt8(ascii: "-")) { position += 1 }
            guard digits() > 0 else { return nil }
        }
        return .number(start..<position)
    }

    // MARK: records

    private func text(_ range: Range<Int>) -> String {
        String(decoding: Bytes(rebasing: line[range]), as: UTF8.self)
    }

    /// The text at `range`, or `last` when it is the same text.
    private func text(_ range: Range<Int>, reusing last: inout String) -> String {
        if last.utf8.elementsEqual(line[range]) { return last }
        last = text(range)
        return last
    }

    /// Whether the bytes at `range` are `key`'s name.
    private func matches<Key: RawRepresentable>(_ range: Range<Int>, _ key: Key) -> Bool where Key.RawValue == String {
        var name = key.rawValue
        return name.withUTF8 { matches(range, $0) }
    }

    private func matches(_ range: Range<Int>, _ name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard name.count == range.count else { return false }
        for offset in 0..<name.count where line[range.lowerBound + offset] != name[offset] { return false }
        return true
    }

    /// The value of the member named `key`. The names are literals, whose
    /// UTF-8 is stored contiguously: reading them copies nothing.
    private func value<Key: RawRepresentable>(of key: Key, in members: [(key: Range<Int>, value: Value)]) -> Value? where Key.RawValue == String {
        var name = key.rawValue
        return name.withUTF8 { name in members.first { matches($0.key, name) }?.value }
    }

    private func integer(_ value: Value?) -> Int? {
        guard case .number(let range)? = value else { return nil }
        return Int(String(decoding: Bytes(rebasing: line[range]), as: UTF8.self))
    }

    private func double(_ value: Value?) -> Double? {
        guard case .number(let range)? = value else { return nil }
        // 1e999 reads as infinity, which no writer can put back as JSON: left to the full parser, which calls it damage.
        return Double(String(decoding: Bytes(rebasing: line[range]), as: UTF8.self)).flatMap { $0.isFinite ? $0 : nil }
    }

    private func identity(_ value: Value?, _ cache: inout Cache) -> ProcessIdentity? {
        guard case .object(let members)? = value else { return nil }
        var pid: Int?, start: Int?, host: String?
        typealias Key = JournalRecord.ProcessKey
        for member in members {
            if matches(member.key, Key.pid) { pid = integer(member.value) }
            else if matches(member.key, Key.start) { start = integer(member.value) }
            else if matches(member.key, Key.host), case .string(let range) = member.value { host = text(range, reusing: &cache.host) }
        }
        guard let pid, let start, let host else { return nil }
        return ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: UInt64(max(start, 0)), host: host)
    }

    private func agentStats(_ value: Value) -> AgentStats? {
        guard case .object(let members) = value else { return nil }
        var stats = AgentStats()
        typealias Key = AgentStats.Key
        for member in members {
            if matches(member.key, Key.costUsd) {
                guard let cost = double(member.value) else { return nil }
                stats.costUSD = cost
                continue
            }
            if matches(member.key, Key.estimated) {
                if case .bool(let flag) = member.value { stats.estimated = flag }
                continue
            }
            guard let number = integer(member.value) else { return nil }
            if matches(member.key, Key.turns) { stats.turns = number }
            else if matches(member.key, Key.durationMs) { stats.durationMs = number }
            else if matches(member.key, Key.inputTokens) { stats.inputTokens = number }
            else if matches(member.key, Key.outputTokens) { stats.outputTokens = number }
            else if matches(member.key, Key.cacheReadTokens) { stats.cacheReadTokens = number }
            else if matches(member.key, Key.cacheCreationTokens) { stats.cacheCreationTokens = number }
        }
        return stats
    }

    private func record(_ members: [(key: Range<Int>, value: Value)], cache: inout Cache) -> JournalRecord? {
        func field<Key: RawRepresentable>(_ key: Key) -> Value? where Key.RawValue == String {
            value(of: key, in: members)
        }
        func string<Key: RawRepresentable>(_ key: Key) -> String? where Key.RawValue == String {
            guard case .string(let range)? = field(key) else { return nil }
            return text(range)
        }
        func runID<Key: RawRepresentable>(_ key: Key) -> String? where Key.RawValue == String {
            guard case .string(let range)? = field(key) else { return nil }
            return text(range, reusing: &cache.run)
        }
        func optionalString<Key: RawRepresentable>(_ key: Key) -> String?? where Key.RawValue == String {
            switch field(key) {
            case .string(let range)?: return .some(text(range))
            case .null?, nil: return .some(nil)
            default: return nil
            }
        }
        func bool<Key: RawRepresentable>(_ key: Key) -> Bool? where Key.RawValue == String {
            switch field(key) {
            case .bool(let flag)?: return flag
            case nil: return false
            default: return nil
            }
        }
        typealias LineKey = JournalRecord.LineKey
        guard integer(field(LineKey.version)) == JournalRecord.version, case .string(let type)? = field(LineKey.type) else { return nil }
        if matches(type, JournalRecord.Kind.start) {
            typealias Key = JournalRecord.StartRecord.Key
            guard let run = runID(Key.run), let id = string(Key.id), let attempt = integer(field(Key.attempt)),
                let recipe = string(Key.recipe), let process = identity(field(Key.process), &cache),
                let owner = identity(field(Key.owner), &cache), let worker = integer(field(Key.worker)),
                let time = double(field(Key.time))
            else { return nil }
            guard let session = optionalString(Key.session), let log = optionalString(Key.log), let agent = optionalString(Key.agent) else { return nil }
            var start = JournalRecord.StartRecord(
                run: run, id: id, attempt: attempt, recipe: recipe, process: process, owner: owner, worker: worker, time: time,
                session: session, log: log)
            start.agent = agent
            return .start(start)
        }
        if matches(type, JournalRecord.Kind.end) {
            typealias Key = JournalRecord.EndRecord.Key
            let exitCode: Int?
            switch field(Key.exitCode) {
            case .null?, nil: exitCode = nil
            case let value?:
                guard let code = integer(value) else { return nil }
                exitCode = code
            }
            guard let run = runID(Key.run), let id = string(Key.id), let attempt = integer(field(Key.attempt)),
                let status = string(Key.status), let signal = optionalString(Key.signal),
                let seconds = double(field(Key.seconds)), let time = double(field(Key.time)), let retry = bool(Key.retry)
            else { return nil }
            let owner = field(Key.owner) == nil ? ProcessIdentity.none : identity(field(Key.owner), &cache)
            guard let owner, let detail = optionalString(Key.detail) else { return nil }
            var stats: AgentStats?
            if let value = field(Key.stats) {
                guard let decoded = agentStats(value) else { return nil }
                stats = decoded
            }
            return .end(.init(
                run: run, id: id, attempt: attempt, status: status, exitCode: exitCode, signal: signal,
                seconds: seconds, time: time, retry: retry, owner: owner, stats: stats, detail: detail))
        }
        if matches(type, JournalRecord.Kind.landing) {
            // One per landed ticket with --worktree, as many as end records.
            typealias Key = JournalRecord.LandingRecord.Key
            guard let run = runID(Key.run), let id = string(Key.id), let branch = string(Key.branch),
                let base = string(Key.base), let landed = string(Key.landed), let time = double(field(Key.time))
            else { return nil }
            return .landing(.init(run: run, id: id, branch: branch, base: base, landed: landed, time: time))
        }
        // Run, run-end and header lines are few: the full parser reads them.
        return nil
    }
}
