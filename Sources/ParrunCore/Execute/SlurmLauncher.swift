import ParrunModel
import ParrunPlatform

/// `--launcher slurm`: every ticket runs as `srun`, which stays in the
/// foreground, so output, logs, timeouts, retries, the journal and resume work
/// as they do locally. The job is named `parrun:RUN:ID`; its size comes from
/// the ticket's `cpus`, `mem`, `timeout`, `partition` and `slurmArgs`. A
/// filesystem shared with the nodes is assumed: srun runs in the ticket's directory.
package enum SlurmLauncher {
    /// A slow or hung Slurm controller costs a poll, not the run.
    package static var helperTimeout: Double { CommandRunner.timeout(default: 30) }

    /// The queue is asked every tick: a slow answer is given up on sooner.
    package static var pollTimeout: Double { CommandRunner.timeout(default: 5) }

    static func jobName(run: String, id: String) -> String { "parrun:\(run):\(id)" }

    /// The srun command that runs `arguments` for the ticket. With `jobFile`
    /// (an absolute path on the shared filesystem) the job first writes its id
    /// there, so a job too short for `squeue` to see still has its id recorded.
    static func wrap(_ arguments: [String], ticket: Ticket, run: String, directory: String?, jobFile: String? = nil) -> [String] {
        var srun = ["srun", "--job-name=" + jobName(run: run, id: ticket.id), "--ntasks=1", "--quiet"]
        srun.append("--cpus-per-task=\(ticket.slurm.cpus ?? 1)")
        if let mem = ticket.slurm.mem { srun.append("--mem=" + mem) }
        if let seconds = ticket.timeoutSeconds { srun.append("--time=" + time(seconds)) }
        if let partition = ticket.slurm.partition { srun.append("--partition=" + partition) }
        if let directory { srun.append("--chdir=" + directory) }
        srun += ticket.slurm.extraArguments
        guard let jobFile else { return srun + ["--"] + arguments }
        // A failed write (no shared filesystem) must not fail the ticket.
        let recordJob = #"printf '%s\n' "$SLURM_JOB_ID" 2>/dev/null >"$0"; exec "$@""#
        return srun + ["--", "/bin/sh", "-c", recordJob, jobFile] + arguments
    }

    /// The job id a job wrote to `jobFile` (nil if it never started or could not write).
    static func recordedJob(_ jobFile: String) -> String? {
        guard let bytes = try? FileSystem.readFile(jobFile) else { return nil }
        let job = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        return !job.isEmpty && job.allSatisfy(\.isNumber) ? job : nil
    }

    /// Slurm's `--time`: whole minutes, rounded up, at least one (parrun's own timeout stops it first).
    static func time(_ seconds: Double) -> String {
        String(max(1, Int((seconds / 60).rounded(.up)) + 1))
    }

    /// CPUs of the cluster, as `sinfo` reports them (nil if it does not answer).
    package static func clusterCPUs() -> Int? {
        let result = CommandRunner.run(["sinfo", "-h", "-o", "%C"], timeout: helperTimeout)
        guard result.succeeded else { return nil }
        // "allocated/idle/other/total" per partition line.
        let totals = result.output.split(separator: "\n").compactMap { $0.split(separator: "/").last.flatMap { Int(String($0).trimmingSpaces) } }
        return totals.isEmpty ? nil : totals.reduce(0, +)
    }

    /// Cancels the job of a ticket (the fallback when srun could not cancel it itself).
    static func cancel(run: String, id: String) {
        CommandRunner.run(["scancel", "--name=" + jobName(run: run, id: id)], timeout: helperTimeout)
    }

    /// The queued and running jobs of tickets `ids` of run `run`, by ticket id:
    /// (job id, `queued`/`running`/Slurm's state code); nil when `squeue` failed
    /// or did not answer in time.
    package static func jobs(ofRun run: String, tickets ids: [String]) -> [String: (job: String, state: String)]? {
        let result = CommandRunner.run(queueCommand(run: run, tickets: ids), timeout: pollTimeout)
        return result.succeeded ? parseQueue(result.output, run: run) : nil
    }

    /// The `squeue` that lists the jobs of tickets `ids`: only this run's own
    /// jobs are asked about, not every user's queue.
    static func queueCommand(run: String, tickets ids: [String]) -> [String] {
        var arguments = ["squeue", "-h", "-o", "%i %j %t"]
        let names = ids.map { jobName(run: run, id: $0) }
        // squeue's --name takes a comma-separated list: a name with a comma is found by its prefix below.
        if !names.isEmpty && !names.contains(where: { $0.contains(",") }) {
            arguments.append("--name=" + names.joined(separator: ","))
        } else {
            arguments.append("--me")
        }
        return arguments
    }

    /// `squeue -o "%i %j %t"` lines: the run's jobs by ticket id.
    static func parseQueue(_ output: String, run: String) -> [String: (job: String, state: String)] {
        let prefix = "parrun:\(run):"
        var jobs: [String: (String, String)] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3, parts[1].hasPrefix(prefix) else { continue }
            let state = parts[2] == "PD" ? "queued" : parts[2] == "R" ? "running" : parts[2]
            jobs[String(parts[1].dropFirst(prefix.count))] = (parts[0], state)
        }
        return jobs
    }

    /// Jobs of earlier runs still in the queue: (job id, name).
    package static func queuedJobs(ofRuns runs: Set<String>) -> [(job: String, name: String)] {
        let result = CommandRunner.run(["squeue", "-h", "-o", "%i %j"], timeout: helperTimeout)
        guard result.succeeded else { return [] }
        return result.output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[1].hasPrefix("parrun:") else { return nil }
            let run = parts[1].split(separator: ":").dropFirst().first.map(String.init) ?? ""
            return runs.contains(run) ? (parts[0], parts[1]) : nil
        }
    }
}
