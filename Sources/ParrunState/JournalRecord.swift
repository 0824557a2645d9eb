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
