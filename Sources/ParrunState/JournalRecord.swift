import ParrunModel
import ParrunPlatform
import ParrunSupport

/// One line of the journal, `.parrun/journal.jsonl`. Format version 1, one JSON
/// object per line, documented in docs/state.md under "The journal"; every record has
/// `"v": 1` and a `type`. Readers skip record types they do not know. The
/// names of types and members are spelled once, in JournalKeys.swift.
public enum JournalRecord: Sendable, Equatable {
    public static let version = 1

    /// The first line of every journal.
    case header
    /// A ticket's status written back to its store (JournalSideEffects.swift).
    case writeBack(WriteBackRecord)
    /// A hook that failed.
    case hook(HookRecord)
    case run(RunRecord)
    case start(StartRecord)
    case end(EndRecord)
    case runEnd(RunEndRecord)
    /// A prompt ticket's agent session began (the CLI reported it): `--resume`
    /// can continue an interrupted attempt in it.
    case session(SessionRecord)
    /// A ticket's `verify` gate ran after its recipe succeeded.
    case verify(VerifyRecord)
    /// `parrun approve` or `parrun reject` decided on a ticket awaiting review.
    case review(ReviewRecord)
    /// `--launcher slurm`: the Slurm job an attempt of a ticket runs as.
    case slurmJob(SlurmJobRecord)
    /// `--worktree`: a ticket's work landed, moving the branch between two commits.
    case landing(LandingRecord)
    /// A ticket with declared files succeeded or was up to date: its files'
    /// hashes (JournalFilesRecord.swift).
    case files(FilesRecord)

    // Each record spells out its memberwise initializer: the execution layer
    // writes records, and a synthesized one is internal to this module.

    /// A run begins (or a process joins one: `joined` is true).
    public struct RunRecord: Sendable, Equatable {
        public var run: String
        /// The manifest's absolute path, and a hash of its content.
        public var manifest: String
        public var manifestHash: String
        public var jobs: Int
        public var owner: ProcessIdentity
        public var time: Double
        /// The run this one continues (`--resume`), if any.
        public var resumes: String?
        public var joined: Bool
        /// Its tickets work in git worktrees (`--worktree`): a joiner must too.
        public var worktree = false
        /// With `worktree`: the branch its work lands on.
        public var branch: String? = nil
        /// `--limit N`: the run starts at most N tickets; the rest stay pending.
        public var limit: Int? = nil

        package init(run: String, manifest: String, manifestHash: String, jobs: Int, owner: ProcessIdentity, time: Double, resumes: String?, joined: Bool, worktree: Bool = false, branch: String? = nil, limit: Int? = nil) {
            self.limit = limit
            self.run = run
            self.manifest = manifest
            self.manifestHash = manifestHash
            self.jobs = jobs
            self.owner = owner
            self.time = time
            self.resumes = resumes
            self.joined = joined
            self.worktree = worktree
            self.branch = branch
        }
    }

    public struct StartRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var attempt: Int
        /// Hash of what the ticket runs: a changed recipe reruns on `--resume`.
        public var recipe: String
        /// The recipe's process (0 for a ticket without one) and its start time.
        public var process: ProcessIdentity
        /// The parrun that started it.
        public var owner: ProcessIdentity
        public var worker: Int
        public var time: Double
        /// The agent session a prompt ticket's attempt was given (or continues).
        public var session: String? = nil
        /// A prompt ticket's agent CLI (`claude`, `codex`): `--agent` may have chosen it, not the manifest.
        public var agent: String? = nil
        /// The stem of the ticket's log files when it is not the id itself (an
        /// id too long for a file name, `LogFileName`): how `logs ID` finds them
        /// whatever a later parrun would name them.
        public var log: String? = nil

        package init(run: String, id: String, attempt: Int, recipe: String, process: ProcessIdentity, owner: ProcessIdentity, worker: Int, time: Double, session: String? = nil, log: String? = nil) {
            self.run = run
            self.id = id
            self.attempt = attempt
            self.recipe = recipe
            self.process = process
            self.owner = owner
            self.worker = worker
            self.time = time
            self.session = session
            self.log = log
        }
    }

    public struct EndRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var attempt: Int
        /// succeeded, failed, timed-out, interrupted or skipped.
        public var status: String
        public var exitCode: Int?
        public var signal: String?
        public var seconds: Double
        public var time: Double
        /// Another attempt follows (the status is not the ticket's last word).
        public var retry: Bool = false
        /// The parrun that ran it.
        public var owner: ProcessIdentity = .none
        /// What a prompt ticket's agent reported: turns, cost, tokens.
        public var stats: AgentStats? = nil
        /// Why it failed, in words, when the exit code does not say (`error_max_turns`, ...).
        public var detail: String? = nil

        package init(run: String, id: String, attempt: Int, status: String, exitCode: Int?, signal: String?, seconds: Double, time: Double, retry: Bool = false, owner: ProcessIdentity = .none, stats: AgentStats? = nil, detail: String? = nil) {
            self.run = run
            self.id = id
            self.attempt = attempt
            self.status = status
            self.exitCode = exitCode
            self.signal = signal
            self.seconds = seconds
            self.time = time
            self.retry = retry
            self.owner = owner
            self.stats = stats
            self.detail = detail
        }
    }

    public struct SlurmJobRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var attempt: Int
        public var job: String
        public var time: Double

        package init(run: String, id: String, attempt: Int, job: String, time: Double) {
            self.run = run
            self.id = id
            self.attempt = attempt
            self.job = job
            self.time = time
        }
    }

    public struct LandingRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        /// The branch the work landed on.
        public var branch: String
        /// Where the branch stood before: with `landed`, what a recovery of the
        /// user's checkout moves between (`git read-tree -m -u BASE LANDED`).
        public var base: String
        /// The commit the branch moved to.
        public var landed: String
        public var time: Double

        package init(run: String, id: String, branch: String, base: String, landed: String, time: Double) {
            self.run = run
            self.id = id
            self.branch = branch
            self.base = base
            self.landed = landed
            self.time = time
        }
    }

    public struct ReviewRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var approved: Bool
        public var reason: String?
        public var time: Double

        package init(run: String, id: String, approved: Bool, reason: String?, time: Double) {
            self.run = run
            self.id = id
            self.approved = approved
            self.reason = reason
            self.time = time
        }
    }

    public struct VerifyRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var attempt: Int
        public var passed: Bool
        public var exitCode: Int?
        public var time: Double

        package init(run: String, id: String, attempt: Int, passed: Bool, exitCode: Int?, time: Double) {
            self.run = run
            self.id = id
            self.attempt = attempt
            self.passed = passed
            self.exitCode = exitCode
            self.time = time
        }
    }

    public struct SessionRecord: Sendable, Equatable {
        public var run: String
        public var id: String
        public var attempt: Int
        public var session: String
        public var time: Double

        package init(run: String, id: String, attempt: Int, session: String, time: Double) {
            self.run = run
            self.id = id
            self.attempt = attempt
            self.session = session
            self.time = time
        }
    }

    public struct RunEndRecord: Sendable, Equatable {
        public var run: String
        /// succeeded, failed or interrupted.
        public var status: String
        public var owner: ProcessIdentity
        public var time: Double

        package init(run: String, status: String, owner: ProcessIdentity, time: Double) {
            self.run = run
            self.status = status
            self.owner = owner
            self.time = time
        }
    }

    /// The record as one journal line, with its line break. Built by appending
    /// to one string: it is written twice per ticket. The names are `Kind`'s
    /// and each record's `Key`s (JournalKeys.swift).
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

    /// The record's `type`.
    var kind: Kind {
        switch self {
        case .header: .header
        case .writeBack: .writeBack
        case .hook: .hook
        case .run: .run
        case .start: .start
        case .end: .end
        case .session: .session
        case .verify: .verify
        case .review: .review
        case .slurmJob: .slurmJob
        case .landing: .landing
        case .files: .files
        case .runEnd: .runEnd
        }
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
