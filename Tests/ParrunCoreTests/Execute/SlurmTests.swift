import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// `--launcher slurm` against a real single-node Slurm cluster (`.ci/slurm-up`
/// starts one); skipped when `sinfo` does not answer.
@Suite(.enabled(if: slurmAnswers, "no Slurm cluster answers `sinfo` (.ci/slurm-up starts one); the Slurm tests are skipped"))
struct SlurmTests {
    private func squeue() -> String {
        CommandRunner.run(["squeue", "-h", "-o", "%i %j"]).output
    }

    @Test func ticketsRunAsSlurmJobsInOrder() throws {
        let directory = try CLITests.directory([
            "Parrunfile": "first:\n    echo \"job $SLURM_JOB_NAME\" > first.txt\nsecond: first\n    @cpus 1\n    cat first.txt; echo \"in $SLURM_JOB_ID\"\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j", "auto", "--launcher", "slurm"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("[second] job parrun:"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains(":first\n"), "the job is named parrun:RUN:ID: \(outcome.stdout)")
        let log = try String(contentsOf: directory.appendingPathComponent(".parrun/logs/second.log"), encoding: .utf8)
        #expect(log.contains("in "), "logs work unchanged: \(log)")
        // Jobs this short end before a tick's `squeue`: their ids come from the jobs themselves.
        let status = try CLITests.run(["status"], in: directory).stdout
        let jobLines = status.split(separator: "\n").filter { $0.contains("succeeded") && $0.contains("slurm job ") }
        #expect(jobLines.count == 2, "status shows each finished ticket's job: \(status)")
        let plan = try CLITests.run(["-n", "-j", "auto", "--launcher", "slurm"], in: directory)
        #expect(plan.stdout.contains("(-j auto: the Slurm cluster's "), "\(plan.stdout)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aTimeoutOrAKilledParrunLeavesNoJobInTheQueue() throws {
        let directory = try CLITests.directory(["Parrunfile": "slow:\n    @timeout 1s\n    sleep 60\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let timedOut = try CLITests.run(["-q", "--launcher", "slurm", "--grace", "1s"], in: directory)
        #expect(timedOut.status == 1)
        #expect(timedOut.stderr.contains("TIMEOUT slow"), "\(timedOut.stderr)")
        #expect(!squeue().contains(":slow"), "the job was cancelled: \(squeue())")

        try Data("fails:\n    sleep 0.5; exit 3\nbusy:\n    sleep 60\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let failedFast = try CLITests.run(["-q", "-j2", "--fail-fast", "--launcher", "slurm", "--grace", "1s"], in: directory)
        #expect(failedFast.status == 1 && failedFast.stderr.contains("--fail-fast"), "\(failedFast.stderr)")
        for _ in 0..<40 where squeue().contains(":busy") { usleep(50_000) }
        #expect(!squeue().contains(":busy"), "--fail-fast cancelled the other job: \(squeue())")

        try Data("long:\n    sleep 60\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let killed = try LaunchedParrun(["-q", "--launcher", "slurm"], in: directory)
        for _ in 0..<100 where !squeue().contains(":long") { usleep(50_000) }
        #expect(squeue().contains(":long"), "the job runs")
        kill(killed.pid, SIGKILL)
        killed.wait()
        #expect(CrashSafetyTests.survivors(of: killed.pid).isEmpty, "srun did not outlive its parrun")
        // Whatever srun could not cancel, the resumed run does before running the ticket again.
        try Data("long:\n    true\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let resumed = try CLITests.run(["-q", "--resume", "--launcher", "slurm"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for _ in 0..<100 where squeue().contains(":long") { usleep(50_000) }
        #expect(!squeue().contains(":long"), "no job of the run is left: \(squeue())")
    }

    @Test(.timeLimit(.minutes(4)))
    func jobsBeyondTheClustersCPUsShowAsQueuedWithTheirIDs() throws {
        let cpus = SlurmLauncher.clusterCPUs() ?? 2
        let count = cpus + 1
        let manifest = (1...count).map { "t\($0):\n    sleep 1.5\n" }.joined()
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let launched = try LaunchedParrun(["--json", "-j", "\(count)", "--launcher", "slurm"], in: directory)
        // While one job waits for a CPU, `status` shows it queued, with its job.
        var status = ""
        for _ in 0..<60 {
            status = try CLITests.run(["status"], in: directory).stdout
            if status.contains(" queued ") { break }
            usleep(50_000)
        }
        #expect(status.contains(" queued ") && status.contains("slurm job "), "\(status)")
        #expect(launched.wait() == 0, "\(launched.stderr)")
        let outcome = CLITests.Outcome(status: 0, stdout: launched.output, stderr: launched.stderr)
        var states: [String: Set<String>] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            guard let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                event["event"] as? String == "ticket-slurm", let id = event["id"] as? String, let state = event["state"] as? String
            else { continue }
            #expect(!((event["job"] as? String) ?? "").isEmpty)
            states[id, default: []].insert(state)
        }
        #expect(states.count == count, "every ticket's job was seen: \(states)")
        #expect(states.values.contains { $0.contains("queued") }, "one job waited for a CPU: \(states)")
        let jobs = try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
            .compactMap { if case .slurmJob(let job) = $0 { job.job } else { nil } }
        #expect(Set(jobs).count == count, "each attempt's job id is in the journal: \(jobs)")
    }

    @Test(.timeLimit(.minutes(4)))
    func promptTicketsVerifyGatesRetriesAndCtrlCWorkUnchanged() throws {
        let directory = try CLITests.directory([
            "tickets.json": #"{"claude": ""# + PromptTicketTests.fake + #"", "tickets": [{"id": "agent", "prompt": "fake:ok", "verify": "test -n \"$SLURM_JOB_ID\" && test -s agent.txt"}, "#
                + #"{"id": "flaky", "run": "test -f once || { touch once; exit 1; }", "retries": 1}]}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("calls"), withIntermediateDirectories: true)
        let env = ["FAKE_CLAUDE_DIR": directory.appendingPathComponent("calls").path]
        let outcome = try CLITests.run(["-q", "-j2", "--launcher", "slurm", "--retry-delay", "0s"], in: directory, environment: env)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("[agent] Write agent.txt"), "the agent's events through srun: \(outcome.stdout)")
        #expect(outcome.stderr.contains("verified agent") || outcome.stderr.contains("ok agent"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry flaky"), "\(outcome.stderr)")

        try Data("long:\n    sleep 60\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let interrupted = try LaunchedParrun(["-q", "--launcher", "slurm", "--grace", "1s", "Parrunfile"], in: directory)
        for _ in 0..<100 where !squeue().contains(":long") { usleep(50_000) }
        kill(interrupted.pid, SIGINT)
        #expect(interrupted.wait() == 130)
        for _ in 0..<100 where squeue().contains(":long") { usleep(50_000) }
        #expect(!squeue().contains(":long"), "Ctrl-C cancelled the job: \(squeue())")
    }

    @Test(.timeLimit(.minutes(4)), .enabled(if: slurmAccountingAnswers, "Slurm keeps no accounting (`sacct` does not answer; .ci/slurm-up sets up slurmdbd); the 20-ticket Slurm test is skipped"))
    func twentyTicketsWithDependenciesRunInOrderAtJ4() throws {
        let eventsPath = FileManager.default.temporaryDirectory.appendingPathComponent("slurm-events-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: eventsPath) }
        let (text, dependencies) = CrashSafetyTests.manifest(tickets: 20, events: eventsPath, seed: 9)
        let directory = try CLITests.directory(["Parrunfile": text])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j4", "--launcher", "slurm"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let events = CrashSafetyTests.events(eventsPath)
        #expect(events.filter(\.isStart).count == 20, "every ticket ran once")
        let early = CrashSafetyTests.startsBeforeDependencies(events, dependencies)
        #expect(early.isEmpty, "\(early)")
        let jobs = try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
            .compactMap { if case .slurmJob(let job) = $0 { job } else { nil } }
        #expect(Set(jobs.map(\.job)).count == 20, "every ticket's job id is in the journal: \(jobs)")
        // Slurm's own accounting lists each job under the ticket's name (slurmdbd
        // writes a moment after the job ends).
        let run = jobs.first?.run ?? ""
        let expected = Set(jobs.map { "\($0.job) parrun:\(run):\($0.id)" })
        var listed = Set<String>()
        for _ in 0..<100 {
            let sacct = CommandRunner.run(["sacct", "-n", "-X", "-P", "-o", "JobID,JobName", "-j", jobs.map(\.job).joined(separator: ",")])
            listed = Set(sacct.output.split(separator: "\n").map { $0.replacingOccurrences(of: "|", with: " ") })
            if listed.isSuperset(of: expected) { break }
            usleep(100_000)
        }
        #expect(listed.isSuperset(of: expected), "sacct lists the named jobs: \(expected.subtracting(listed))")
    }

    @Test func srunGetsTheTicketsSize() {
        let read = tickets(lines("t:", "    @cpus 4", "    @mem 2G", "    @timeout 90s", "    @partition gpu", "    @slurmArgs --exclusive --qos=high", "    make"))
        #expect(SlurmLauncher.wrap(["/bin/sh", "-ec", "make"], ticket: read[0], run: "r1", directory: "/work") == [
            "srun", "--job-name=parrun:r1:t", "--ntasks=1", "--quiet", "--cpus-per-task=4", "--mem=2G", "--time=3",
            "--partition=gpu", "--chdir=/work", "--exclusive", "--qos=high", "--", "/bin/sh", "-ec", "make",
        ])
        let recorded = SlurmLauncher.wrap(["make"], ticket: read[0], run: "r1", directory: nil, jobFile: "/shared/.parrun/slurm/t.job")
        #expect(Array(recorded.drop { $0 != "--" }) == ["--", "/bin/sh", "-c", #"printf '%s\n' "$SLURM_JOB_ID" 2>/dev/null >"$0"; exec "$@""#, "/shared/.parrun/slurm/t.job", "make"])
    }
}

private let slurmAnswers = CommandRunner.run(["sinfo", "-h"]).succeeded
private let slurmAccountingAnswers = slurmAnswers && CommandRunner.run(["sacct", "-n", "-X", "-S", "now"]).succeeded
