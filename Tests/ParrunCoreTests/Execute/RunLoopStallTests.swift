import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// Nothing stalls the run loop: a reader that stops reading parrun's output,
/// a ticket that closes its output, a helper (git, squeue) that hangs, a
/// signal during set-up. Real processes, real signals, fake helpers first on PATH.
@Suite struct RunLoopStallTests {
    /// A wall-clock time a recipe wrote with `date +%s.%N`, once the file exists (up to `seconds`).
    private func time(in directory: URL, _ name: String, within seconds: Double = 10) -> Double? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8),
                let value = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return value
            }
            usleep(20_000)
        }
        return nil
    }

    private func exists(_ directory: URL, _ name: String) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path)
    }

    /// Executable scripts in a new folder, for the front of PATH.
    private func fakePrograms(_ scripts: [String: String]) throws -> URL {
        let folder = try CLITests.directory(scripts.mapValues { "#!/bin/sh\n" + $0 })
        for name in scripts.keys {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent(name).path)
        }
        return folder
    }

    private var path: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }

    @Test(.timeLimit(.minutes(4)))
    func aReaderThatStopsReadingDelaysNeitherTimeoutsNorCtrlC() throws {
        let flood = "trap 'date +%s.%N > flood.stopped; exit 1' TERM; yes hello | head -c 30000000; sleep 60 & wait"
        let slow = "date +%s.%N > slow.started; trap 'date +%s.%N > slow.stopped; exit 1' TERM; sleep 60 & wait"
        let directory = try CLITests.directory([
            "tickets.json": #"{"tickets": [{"id": "flood", "run": "\#(flood)"}, {"id": "slow", "timeout": "1s", "run": "\#(slow)"}]}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try OutputPipe.make()  // read by nobody for 10 s; close-on-exec, so no other child keeps it
        let (reader, writer) = (output.readEnd, output.writeEnd)
        _ = fcntl(reader, F_SETFL, 0)  // blocking reads at the end
        defer { close(reader) }
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(null) }
        let launched = Date()
        let process = try Subprocess(CLITests.binary.path, ["-j2", "--no-journal", "tickets.json"], in: directory,
                                     environment: Subprocess.environment(["NO_COLOR": "1"]), output: writer, error: null)
        close(writer)

        let started = try #require(time(in: directory, "slow.started"))
        let stopped = try #require(time(in: directory, "slow.stopped"), "the 1 s timeout was enforced while stdout was blocked")
        #expect(stopped - started < 3, "stopped \(stopped - started) s after it started (timeout 1 s)")
        let memory = Self.peakMemoryKB(process.pid)
        #expect(memory.map { $0 < 60_000 } ?? true, "output waits in the pipes, not in parrun's memory: \(memory ?? 0) kB")

        let interrupted = Date().timeIntervalSince1970
        kill(process.pid, SIGINT)
        let floodStopped = try #require(time(in: directory, "flood.stopped", within: 5), "Ctrl-C stopped the flooding ticket")
        #expect(floodStopped - interrupted < 1, "Ctrl-C acted after \(floodStopped - interrupted) s")
        #expect(process.isRunning, "parrun waits for its reader to take the rest")

        usleep(useconds_t(max(0, 10 - Date().timeIntervalSince(launched)) * 1_000_000))
        var text = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(reader, &chunk, chunk.count)
            if count <= 0 { break }
            if text.count < 200 { text.append(contentsOf: chunk[0..<min(count, 200)]) }
        }
        #expect(process.wait() == 130)
        #expect(String(decoding: text, as: UTF8.self).hasPrefix("[flood] hello"))
    }

    /// VmHWM (peak resident memory) of a running process, in kB.
    static func peakMemoryKB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }

    /// User plus system CPU seconds a running process has used.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let fields = stat.split(separator: ")").last?.split(separator: " ") else { return nil }
        // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test(.timeLimit(.minutes(4)), arguments: ["0", "1"])
    func aTicketThatClosesItsOutputCostsNoCPU(noPidfd: String) throws {
        let directory = try CLITests.directory(["Parrunfile": "quiet:\n    exec >/dev/null 2>&1; sleep 3\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let parrun = try LaunchedParrun(["-q", "--no-journal"], in: directory, environment: ["PARRUN_NO_PIDFD": noPidfd])
        usleep(2_700_000)
        let cpu = try #require(Self.cpuSeconds(parrun.pid))
        #expect(parrun.wait() == 0, "\(parrun.stderr)")
        #expect(cpu < 0.3, "parrun used \(cpu) s of CPU while its ticket slept with its output closed")
    }

    @Test(.enabled(if: gitAvailable, "git is needed (.ci/run installs it)"), .timeLimit(.minutes(4)))
    func ctrlCWhileGitSetsUpAWorktreeStartsNothing() throws {
        let directory = try repository("first:\n    touch first.ran\nsecond:\n    touch second.ran\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try fakePrograms(["git": Self.hangingGit])
        defer { try? FileManager.default.removeItem(at: fake) }
        let parrun = try LaunchedParrun(["-q", "--worktree"], in: directory, environment: [
            "PATH": fake.path + ":" + path, "FAKE_GIT_HANG_ON": "worktree add", "FAKE_GIT_MARK": directory.path + "/git.hangs",
        ])
        #expect(time(in: directory, "git.hangs") != nil, "git hangs in worktree add: \(parrun.stderr)")
        let interrupted = Date()
        kill(parrun.pid, SIGINT)
        #expect(parrun.wait() == 130, "\(parrun.stderr)")
        #expect(Date().timeIntervalSince(interrupted) < 5, "the hung git did not hold Ctrl-C up")
        #expect(!exists(directory, "first.ran") && !exists(directory, "second.ran"), "no recipe started")
        #expect(!parrun.stderr.contains("could not start"), "\(parrun.stderr)")
    }

    @Test(.enabled(if: gitAvailable, "git is needed (.ci/run installs it)"), .timeLimit(.minutes(4)))
    func aHungGitFailsTheLandingWithATimeoutAndTheRunGoesOn() throws {
        let directory = try repository("change:\n    echo new > change.txt\nnothing:\n    sleep 0.5\nlater: nothing\n    true\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try fakePrograms(["git": Self.hangingGit])
        defer { try? FileManager.default.removeItem(at: fake) }
        let started = Date()
        let outcome = try CLITests.run(["-q", "-k", "-j2", "--worktree"], in: directory, environment: [
            "PATH": fake.path + ":" + path, "FAKE_GIT_HANG_ON": "update-ref -m parrun: land", "FAKE_GIT_MARK": directory.path + "/git.hangs",
            "PARRUN_HELPER_TIMEOUT": "1",
        ])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("did not finish within 1s and was stopped"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("update-ref"), "the message names the git command: \(outcome.stderr)")
        #expect(outcome.stderr.contains("1 succeeded") || outcome.stderr.contains("2 succeeded"), "the other tickets ran: \(outcome.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// git lands beside the loop: while it hangs, another ticket's timeout
    /// fires on time, and Ctrl-C stops the hung git and the run at once.
    @Test(.enabled(if: gitAvailable, "git is needed (.ci/run installs it)"), .timeLimit(.minutes(4)))
    func whileALandingHangsTimeoutsFireAndCtrlCActs() throws {
        let directory = try repository(
            "change:\n    echo new > change.txt\n"
            + "slow:\n    @timeout 2s\n    trap 'date +%s.%N > \"$MARKS/slow.stopped\"; exit 1' TERM; sleep 30 & wait\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = try fakePrograms(["git": Self.hangingGit])
        defer { try? FileManager.default.removeItem(at: fake) }
        let started = Date().timeIntervalSince1970
        let parrun = try LaunchedParrun(["-q", "-k", "-j2", "--worktree"], in: directory, environment: [
            "PATH": fake.path + ":" + path, "FAKE_GIT_HANG_ON": "update-ref -m parrun: land", "FAKE_GIT_MARK": directory.path + "/git.hangs",
            "PARRUN_HELPER_TIMEOUT": "60", "MARKS": directory.path,
        ])
        let hangs = try #require(time(in: directory, "git.hangs"), "the landing's git hangs: \(parrun.stderr)")
        let stopped = try #require(time(in: directory, "slow.stopped"), "slow's timeout fired: \(parrun.stderr)")
        #expect(stopped > hangs, "the timeout fired while git hung")
        #expect(stopped - started < 6, "slow (2 s timeout) was stopped \(stopped - started) s after the start")
        let interrupted = Date()
        kill(parrun.pid, SIGINT)
        #expect(parrun.wait() == 130, "\(parrun.stderr)")
        #expect(Date().timeIntervalSince(interrupted) < 3, "Ctrl-C stopped the hung git")
        #expect(parrun.stderr.contains("was stopped by a signal"), "the landing says why it failed: \(parrun.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aHungSqueueNeitherStopsTheRunNorHoldsUpTimeoutsOrCtrlC() throws {
        let fake = try fakePrograms([
            "srun": "while [ $# -gt 0 ] && [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"\n",
            "scancel": "exit 0\n",
            // Answers at once: a real sinfo without a running cluster takes seconds to give up.
            "sinfo": "echo 0/2/0/2\n",
            "squeue": "date +%s.%N > \"$FAKE_SQUEUE_MARK\"; exec sleep 1000\n",
        ])
        defer { try? FileManager.default.removeItem(at: fake) }
        let directory = try CLITests.directory(["Parrunfile": "a:\n    sleep 1; echo done a\nb: a\n    echo done b\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["PATH": fake.path + ":" + path, "FAKE_SQUEUE_MARK": directory.path + "/squeue.asked", "PARRUN_HELPER_TIMEOUT": "1"]
        let outcome = try CLITests.run(["-j1", "--launcher", "slurm"], in: directory, environment: environment)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("done b"), "\(outcome.stdout)")
        #expect(outcome.stderr.components(separatedBy: "squeue failed or did not answer").count == 2, "said once: \(outcome.stderr)")

        // squeue runs beside the loop: while it hangs, a ticket's timeout still acts on time.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("squeue.asked"))
        let patient = environment.merging(["PARRUN_HELPER_TIMEOUT": "60"]) { $1 }
        try Data("slow:\n    @timeout 1s\n    sleep 30\n".utf8).write(to: directory.appendingPathComponent("Slow"))
        let started = Date()
        let slow = try CLITests.run(["-q", "--launcher", "slurm", "--grace", "1s", "Slow"], in: directory, environment: patient)
        #expect(slow.status == 1 && slow.stderr.contains("TIMEOUT slow"), "\(slow.stderr)")
        #expect(Date().timeIntervalSince(started) < 6, "the hung squeue did not hold the timeout up")
        #expect(exists(directory, "squeue.asked"), "squeue was asked (and hung)")

        try FileManager.default.removeItem(at: directory.appendingPathComponent("squeue.asked"))
        let parrun = try LaunchedParrun(["-q", "--launcher", "slurm"], in: directory, environment: patient)
        #expect(time(in: directory, "squeue.asked") != nil, "\(parrun.stderr)")
        let interrupted = Date()
        kill(parrun.pid, SIGINT)
        #expect(parrun.wait() == 130, "\(parrun.stderr)")
        #expect(Date().timeIntervalSince(interrupted) < 5, "the hung squeue did not hold Ctrl-C up")
    }

    /// squeue asked while `a` runs answers after `a` ended: that answer is
    /// past news, neither reported nor journalled after `a`'s end.
    @Test(.timeLimit(.minutes(2)))
    func aSlowSqueueAnswerAboutAnEndedTicketIsNotRecorded() throws {
        let fake = try fakePrograms([
            "srun": "while [ $# -gt 0 ] && [ \"$1\" != -- ]; do shift; done; shift; exec \"$@\"\n",
            "scancel": "exit 0\n",
            "sinfo": "echo 0/2/0/2\n",
            // Says each job asked about runs, a second after it was asked.
            "squeue": "sleep 1; for a in \"$@\"; do case $a in --name=*) echo \"${a#--name=}\" | tr , '\\n' | while read -r n; do echo \"4242 $n R\"; done;; esac; done\n",
        ])
        defer { try? FileManager.default.removeItem(at: fake) }
        let directory = try CLITests.directory(["Parrunfile": "a:\n    sleep 0.8\nb: a\n    sleep 2\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j1", "--launcher", "slurm"], in: directory, environment: ["PATH": fake.path + ":" + path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let journal = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
        let records = journal.split(separator: "\n").map(String.init)
        let aEnded = try #require(records.firstIndex { $0.contains(#""type":"end""#) && $0.contains(#""id":"a""#) }, "\(journal)")
        let aJobs = records.indices.filter { records[$0].contains(#""type":"slurm-job""#) && records[$0].contains(#""id":"a""#) }
        #expect(aJobs.allSatisfy { $0 < aEnded }, "a's job recorded after its end: \(journal)")
        // b's own job was seen while b ran (the same fake answer): the queue was asked and heard.
        #expect(records.contains { $0.contains(#""type":"slurm-job""#) && $0.contains(#""id":"b""#) }, "\(journal)")
    }

    /// git that hangs on the command line holding `FAKE_GIT_HANG_ON`, after touching `FAKE_GIT_MARK`.
    private static let hangingGit = #"""
        case " $* " in
        *" $FAKE_GIT_HANG_ON "*) date +%s.%N > "$FAKE_GIT_MARK"; exec sleep 1000 ;;
        esac
        for git in /usr/bin/git /usr/local/bin/git; do [ -x "$git" ] && exec "$git" "$@"; done
        exit 127

        """#

    /// A repository with one commit on `main`, and `manifest` as Parrunfile (untracked).
    private func repository(_ manifest: String) throws -> URL {
        let directory = try CLITests.directory(["shared.txt": "original\n", ".gitignore": ".parrun/\nParrunfile\n*.ran\ngit.hangs\nslow.stopped\n"])
        for arguments in [["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start"]] {
            let result = CommandRunner.run(["git"] + arguments, in: directory.path)
            #expect(result.succeeded, "\(result.output)")
        }
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        return directory
    }
}

private let gitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
