import ParrunSupport
import ParrunModel
import ParrunPlatform

/// The journal's names, each spelled once: the `type` of every record and the
/// keys of its members. The writer (`JournalRecord.line`), the full reader
/// (`JournalReader`) and the fast one (`JournalLineDecoder`) all use these, so
/// they cannot disagree about a name; `JournalTests` round-trips every record
/// through both readers so they cannot disagree about a shape either.
extension JournalRecord {
    /// What a line is: its `type`.
    enum Kind: String, CaseIterable {
        case header = "journal"
        case run, start, end, session, verify, review, landing, files
        case slurmJob = "slurm-job"
        case runEnd = "run-end"
        case writeBack = "write-back"
        case hook
    }

    /// The members every line starts with.
    enum LineKey: String {
        case version = "v"
        case type
    }

    enum HeaderKey: String {
        case program
    }

    /// A `ProcessIdentity`, written as an object of its own (`owner`, `process`).
    enum ProcessKey: String {
        case pid, start, host
    }
}

extension JournalRecord.RunRecord {
    enum Key: String {
        case run, manifest, manifestHash, jobs, owner, time, resumes, joined, worktree, branch, limit
    }
}

extension JournalRecord.StartRecord {
    enum Key: String {
        case run, id, attempt, recipe, process, owner, worker, time, session, log, agent
    }
}

extension JournalRecord.EndRecord {
    enum Key: String {
        case run, id, attempt, status, exitCode, signal, seconds, time, retry, owner, stats, detail
    }
}

extension JournalRecord.SessionRecord {
    enum Key: String {
        case run, id, attempt, session, time
    }
}

extension JournalRecord.SlurmJobRecord {
    enum Key: String {
        case run, id, attempt, job, time
    }
}

extension JournalRecord.LandingRecord {
    enum Key: String {
        case run, id, branch, base, landed, time
    }
}

extension JournalRecord.ReviewRecord {
    enum Key: String {
        case run, id, approved, reason, time
    }
}

extension JournalRecord.VerifyRecord {
    enum Key: String {
        case run, id, attempt, passed, exitCode, time
    }
}

extension JournalRecord.RunEndRecord {
    enum Key: String {
        case run, status, owner, time
    }
}

extension AgentStats {
    /// The members of `stats` (an end record's, and `status --json`'s).
    enum Key: String {
        case turns, durationMs, costUsd, inputTokens, outputTokens, cacheReadTokens, cacheCreationTokens
        /// The cost is parrun's estimate (`true`; absent when reported).
        case estimated
    }
}
