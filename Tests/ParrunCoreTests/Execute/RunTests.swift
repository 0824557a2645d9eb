import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform

/// Runs real manifests with real processes through the built binary.
@Suite struct RunTests {
    typealias Outcome = CLITests.Outcome

    private func run(_ manifest: String, _ arguments: [String] = [], files: [String: String] = [:], environment: [String: String] = [:]) throws -> (Outcome, URL) {
        var all = files
        all["Parrunfile"] = manifest
        let directory = try CLITests.directory(all)
        return (try CLITests.run(arguments, in: directory, environment: environment), directory)
    }

    private func read(_ directory: URL, _ name: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// Intervals written by recipes as "START END" nanosecond lines in `times/ID`.
    private func intervals(_ directory: URL) throws -> [String: (start: Int, end: Int)] {
        let folder = directory.appendingPathComponent("times")
        var result: [String: (Int, Int)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let parts = read(folder, name).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
            if parts.count == 2 { result[name] = (parts[0], parts[1]) }
        }
        return result
    }

    /// A recipe that records when it ran and sleeps `seconds` in between.
    private func timed(_ id: String, deps: String = "", seconds: Double = 0.1, extra: [String] = []) -> String {
        ([ "\(id): \(deps)" ] + extra.map { "    " + $0 } + [
            "    mkdir -p times; s=$(date +%s%N); sleep \(seconds); echo \"$s $(date +%s%N)\" > times/\(id)",
        ]).joined(separator: "\n") + "\n"
    }

    /// True once `pid` no longer runs: it does not exist, or is a zombie waiting
    /// for a parent (here possibly a PID 1 that reaps slowly). Waits up to 2 s,
    /// since SIGKILL is delivered asynchronously.
    static func isGone(_ pid: Int32) -> Bool {
        for _ in 0..<40 {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
            let state = stat.split(separator: ")").last?.split(separator: " ").first
            if state == "Z" || state == "X" { return true }
            usleep(50_000)
        }
        return false
    }

    private func maxOverlap(_ spans: [(start: Int, end: Int)]) -> Int {
        var events = spans.flatMap { [($0.start, 1), ($0.end, -1)] }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var current = 0
        var best = 0
        for (_, change) in events {
            current += change
            best = max(best, current)
        }
        return best
    }

    @Test func aTicketNeverStartsBeforeItsDependenciesEnd() throws {
        let manifest = timed("a") + timed("b", seconds: 0.3) + timed("c", deps: "a") + timed("d", deps: "a b")
            + timed("e", deps: "c d") + timed("f", deps: "e") + timed("g")
        let (outcome, directory) = try run(manifest, ["-j3", "-q"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let spans = try intervals(directory)
        #expect(spans.count == 7)
        let edges = [("c", "a"), ("d", "a"), ("d", "b"), ("e", "c"), ("e", "d"), ("f", "e")]
        for (ticket, dependency) in edges {
            let start = try #require(spans[ticket]?.start)
            let end = try #require(spans[dependency]?.end)
            #expect(start >= end, "\(ticket) started before \(dependency) ended")
        }
        // No batch barrier: c needs only a, so it must start before slow b ends.
        #expect(try #require(spans["c"]?.start) < (try #require(spans["b"]?.end)))
    }

    @Test(arguments: [1, 2, 3])
    func neverMoreThanJobsRunAtOnce(jobs: Int) throws {
        let manifest = (0..<6).map { timed("t\($0)", seconds: 0.15) }.joined()
        let (outcome, directory) = try run(manifest, ["-j\(jobs)", "-q"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let spans = try intervals(directory)
        #expect(spans.count == 6)
        #expect(maxOverlap(Array(spans.values)) <= jobs)
        if jobs > 1 { #expect(maxOverlap(Array(spans.values)) > 1, "tickets ran in parallel") }
    }

    @Test func aPoolBoundsItsTicketsIndependentlyOfJobs() throws {
        let manifest = "pool git = 1\n" + (0..<3).map { timed("g\($0)", extra: ["@pool git"]) }.joined() + timed("free", seconds: 0.2)
        let (outcome, directory) = try run(manifest, ["-j4", "-q"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let spans = try intervals(directory)
        #expect(maxOverlap(["g0", "g1", "g2"].compactMap { spans[$0] }) == 1)
        let free = try #require(spans["free"])
        let first = try #require(spans.filter { $0.key.hasPrefix("g") }.map(\.value.start).min())
        #expect(free.start < first + 150_000_000, "the ticket outside the pool does not wait for it")
    }

    @Test func linesArePrefixedAndNeverInterleaveMidLine() throws {
        let payload = String(repeating: "x", count: 3000)
        let manifest = ["a", "b", "c"].map { id in
            "\(id):\n    i=0; while [ $i -lt 300 ]; do echo \"\(id)-$i \(payload)\"; i=$((i+1)); done\n"
        }.joined()
        let (outcome, _) = try run(manifest, ["-j3", "-q"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 900)
        for line in lines {
            let id = line.dropFirst().prefix(1)
            #expect(line.hasPrefix("[\(id)] \(id)-") && line.hasSuffix(" " + payload), "mangled line: \(line.prefix(40))")
        }
    }

    @Test func prefixModesAndThePartialLastLine() throws {
        let manifest = "a:\n    echo one; printf 'no newline'\nb:\n    echo two >&2\n"
        let (byID, _) = try run(manifest, ["-j2", "-q"])
        #expect(Set(byID.stdout.split(separator: "\n")) == ["[a] one", "[a] no newline", "[b] two"])
        let (byWorker, _) = try run(manifest, ["-j2", "-q", "--prefix", "worker"])
        #expect(byWorker.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("[W0] ") || $0.hasPrefix("[W1] ") })
        let (none, _) = try run(manifest, ["-j2", "-q", "--prefix", "none"])
        #expect(Set(none.stdout.split(separator: "\n")) == ["one", "no newline", "two"])
        let (single, _) = try run(manifest, ["-j1", "-q"])
        #expect(single.stdout == "one\nno newline\ntwo\n", "one job: no prefix, as make")
    }

    @Test func groupedOutputPrintsEachTicketWhole() throws {
        let manifest = "a:\n    echo a1; sleep 0.2; echo a2\nb:\n    sleep 0.1; echo b1; sleep 0.2; echo b2\n"
        let (outcome, _) = try run(manifest, ["-j2", "-q", "--output", "grouped"])
        #expect(outcome.stdout == "[a] a1\n[a] a2\n[b] b1\n[b] b2\n")
    }

    @Test func everyTicketsOutputIsLoggedInOrder() throws {
        let (outcome, directory) = try run("a:\n    echo out1; echo err1 >&2; echo out2\n", ["-q"])
        #expect(outcome.status == 0)
        #expect(read(directory, ".parrun/logs/a.log") == "out1\nerr1\nout2\n")
    }

    @Test func aSilentTicketLeavesNoStaleLogBehind() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    true\n", ".parrun/logs/a.log": "old output\n"])
        let outcome = try CLITests.run(["-q"], in: directory)
        #expect(outcome.status == 0)
        #expect(read(directory, ".parrun/logs/a.log") == "")
    }

    @Test func recipesGetTheirEnvironmentDirectoryAndNothingElse() throws {
        let manifest = """
            env-check:
                @title Check "it"
                @env GREETING=hello
                @cwd sub
                echo "$PARRUN_TICKET_ID|$PARRUN_TICKET_TITLE|$PARRUN_WORKER|$PARRUN_ATTEMPT|$GREETING|$(basename "$PWD")"
                test -n "$PARRUN_RUN_ID"
                readlink /proc/$$/fd/0
            fds: env-check
                ls /proc/self/fd

            """
        let (outcome, _) = try run(manifest, ["-q", "-j1"], files: ["sub/.keep": ""], environment: ["FROM_PARENT": "1"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n")
        #expect(lines.first == "env-check|Check \"it\"|0|1|hello|sub")
        #expect(lines.dropFirst().first == "/dev/null")
        // `ls`, run directly by parrun, has 0, 1 and 2 from parrun and 3 for the directory it reads.
        #expect(Array(lines.suffix(4)) == ["0", "1", "2", "3"], "no descriptor of parrun leaks into a recipe: \(lines)")
    }

    @Test func aFailureStopsNewStartsAndExitsOne() throws {
        let manifest = "bad:\n    exit 3\nlater:\n    touch later.ran\ndependent: bad\n    touch dependent.ran\n"
        let (outcome, directory) = try run(manifest, ["-j1", "-q"])
        #expect(outcome.status == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("later.ran").path))
        #expect(outcome.stderr.contains("FAIL bad exit 3 (log: .parrun/logs/bad.log)"))
        #expect(outcome.stderr.contains("1 not started"))
    }

    @Test func keepGoingRunsWhatDoesNotDependOnTheFailure() throws {
        let manifest = "bad:\n    exit 3\nlater:\n    touch later.ran\ndependent: bad\n    touch dependent.ran\nfurther: dependent\n"
        let (outcome, directory) = try run(manifest, ["-j1", "-q", "-k"])
        #expect(outcome.status == 1)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("later.ran").path))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("dependent.ran").path))
        #expect(outcome.stderr.contains("skipped dependent: 'bad' failed"))
        #expect(outcome.stderr.contains("skipped further: 'dependent' was skipped after 'bad' failed"))
        #expect(outcome.stderr.contains("1 succeeded, 1 failed, 2 skipped"))
    }

    @Test func failFastStopsRunningTicketsAtOnce() throws {
        let manifest = "slow:\n    sleep 30\nbad:\n    sleep 0.2; exit 1\n"
        let started = Date()
        let (outcome, _) = try run(manifest, ["-j2", "-q", "--fail-fast", "--grace", "1s"])
        #expect(outcome.status == 1)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.stderr.contains("STOPPED slow"))
    }

    @Test func maxFailuresStopsEvenWithKeepGoing() throws {
        let manifest = (0..<4).map { "f\($0):\n    echo $PARRUN_TICKET_ID >> ran.txt; exit 1\n" }.joined()
        let (outcome, directory) = try run(manifest, ["-j1", "-q", "-k", "--max-failures", "2"])
        #expect(outcome.status == 1)
        #expect(read(directory, "ran.txt") == "f0\nf1\n")
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() throws {
        let manifest = "hang:\n    @timeout 0.5s\n    sleep 1000 & echo $! > child.pid; wait\n"
        let (outcome, directory) = try run(manifest, ["-q", "--grace", "0.5s"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("TIMEOUT hang timed out after 500ms"))
        let pid = try #require(Int32(read(directory, "child.pid").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Self.isGone(pid), "the grandchild is gone")
    }

    @Test func aTicketThatIgnoresSIGTERMIsKilledAfterTheGracePeriod() throws {
        let manifest = "stubborn:\n    trap '' TERM; while true; do sleep 0.05; done\n"
        let (outcome, _) = try run(manifest, ["-q", "--timeout", "0.3s", "--grace", "0.3s"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("TIMEOUT stubborn"))
    }

    /// Also without pidfds (kernels before 5.3): exits are then found by end of
    /// output and timer ticks, and a background child holding the pipe must not stall it.
    @Test(arguments: ["0", "1"])
    func backgroundProcessesDoNotOutliveTheirTicket(noPidfd: String) throws {
        let manifest = "a:\n    sleep 1000 & echo $! > child.pid\nb:\n    sleep 1000 >/dev/null 2>&1 & echo $! > other.pid\n"
        let (outcome, directory) = try run(manifest, ["-q", "-j2"], environment: ["PARRUN_NO_PIDFD": noPidfd])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for name in ["child.pid", "other.pid"] {
            let pid = try #require(Int32(read(directory, name).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(Self.isGone(pid))
        }
    }

    @Test func retriesRunAgainWithTheAttemptNumber() throws {
        let manifest = "flaky:\n    @retries 2\n    echo $PARRUN_ATTEMPT | tee -a attempts.txt; exit 1\nonce:\n    echo $PARRUN_ATTEMPT >> once.txt; [ $PARRUN_ATTEMPT -ge 2 ]\n"
        let (outcome, directory) = try run(manifest, ["-q", "-k", "--retry-delay", "0", "--retries", "3"])
        #expect(outcome.status == 1)
        #expect(read(directory, "attempts.txt") == "1\n2\n3\n", "the ticket's own retries win over --retries")
        #expect(read(directory, "once.txt") == "1\n2\n", "succeeds on its second attempt")
        #expect(outcome.stderr.contains("FAIL flaky: exit 1, 3 attempts"))
        #expect(read(directory, ".parrun/logs/flaky.log").contains("--- parrun: attempt 3 ---"))
    }

    @Test func aTicketWaitingForARetryFailsWhenAnotherFailureStopsTheRun() throws {
        let manifest = "flaky:\n    @retries 3\n    exit 1\nbad:\n    sleep 0.2; exit 2\n"
        let (outcome, _) = try run(manifest, ["-j2", "-q", "--retry-delay", "30s"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("FAIL flaky: exit 1"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("0 succeeded, 2 failed"))
    }

    @Test func aTicketWithoutRecipeSucceedsAndAPromptNeedsTheAgentsResult() throws {
        // A claude command that echoes the prompt but never reports a result: the prompt
        // arrives on standard input, and the ticket fails for want of a result event.
        let manifest = """
            claude = /bin/sh -c "tr a-z A-Z"
            group: ask
            ask:
                > hello
                > world

            """
        let (outcome, _) = try run(manifest, ["-q", "-j1"])
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(outcome.stdout == "HELLO\nWORLD\n", "the prompt arrives on standard input")
        #expect(outcome.stderr.contains("FAIL ask: no result event (exit 0)"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("skipped group: 'ask' failed"), "\(outcome.stderr)")
        let (empty, _) = try run("group:\n", ["-q"])
        #expect(empty.status == 0)
    }

    @Test func aPlainCommandWithoutAShellFailsAsTheShellWould() throws {
        let (outcome, directory) = try run("a:\n    no-such-command-xyz --flag\nb:\n    echo plain words\n", ["-q", "-k", "-j1"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout == "parrun: no-such-command-xyz: not found\nplain words\n")
        #expect(outcome.stderr.contains("FAIL a exit 127"))
        #expect(read(directory, ".parrun/logs/a.log") == "parrun: no-such-command-xyz: not found\n")
    }

    @Test func aMissingDirectoryIsSaidAsSuchAndTheLogSaysWhy() throws {
        let (first, directory) = try run("a:\n    echo OLD OUTPUT; exit 1\n", ["-q"])
        #expect(first.status == 1)
        try Data("a:\n    @cwd build\n    ls\nb:\n    @cwd build\n    echo one; echo two\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let outcome = try CLITests.run(["-q", "-k"], in: directory)
        #expect(outcome.status == 1)
        for id in ["a", "b"] {
            #expect(outcome.stderr.contains("FAIL \(id) could not start: directory ./build: No such file or directory"), "\(outcome.stderr)")
        }
        #expect(!outcome.stderr.contains("not found") && !outcome.stderr.contains("OLD OUTPUT"), "\(outcome.stderr)")
        #expect(read(directory, ".parrun/logs/a.log") == "parrun: could not start: directory ./build: No such file or directory (chdir)\n")
    }

    @Test func manyTicketsAtOnceStayWithinTheOpenFileLimit() throws {
        let directory = try CLITests.directory(["Parrunfile": (1...120).map { "t\($0):\n    sleep 0.2\n" }.joined()])
        defer { try? FileManager.default.removeItem(at: directory) }
        // A hard limit of 200 descriptors cannot be raised: 120 tickets at once would not fit.
        let script = #"ulimit -n 200 && "$0" -j 0 -n | grep '^jobs' && "$0" -j 0 -q 2>&1"#
        let result = CommandRunner.run(["/bin/sh", "-c", script, CLITests.binary.path], in: directory.path)
        #expect(result.succeeded, "\(result.output)")
        #expect(result.output.contains("at most 34 at once under the open-file limit (ulimit -n 200)"), "\(result.output)")
        #expect(result.output.contains("parrun: 120 succeeded"), "no ticket failed for want of descriptors: \(result.output)")
    }

    @Test func aLauncherCommandRunsEveryRecipe() throws {
        let (fromManifest, _) = try run("launcher = env VIA_LAUNCHER=yes\na:\n    env\n", ["-q"])
        #expect(fromManifest.status == 0, "\(fromManifest.stderr)")
        #expect(fromManifest.stdout.contains("VIA_LAUNCHER=yes"))
        let (fromCommandLine, _) = try run("a:\n    env\n", ["-q", "--launcher", "env VIA_LAUNCHER=cli"])
        #expect(fromCommandLine.stdout.contains("VIA_LAUNCHER=cli"), "\(fromCommandLine.stdout)")
        let (local, _) = try run("launcher = env VIA_LAUNCHER=yes\na:\n    env\n", ["-q", "--launcher", "local"])
        #expect(!local.stdout.contains("VIA_LAUNCHER"), "--launcher local overrides the manifest")
        let (missing, _) = try run("a:\n    true\n", ["-q", "--launcher", "no-such-launcher-xyz {}"])
        #expect(missing.status == 1 && missing.stderr.contains("could not start: no-such-launcher-xyz"), "the error names the launcher: \(missing.stderr)")
    }

    @Test func aLauncherWithBracesGetsTheRecipeAsOneShellCommand() throws {
        // As `ssh host {}` would: the launcher hands one string to a shell, which must mean the recipe exactly.
        let manifest = #"""
            launcher = env VIA_LAUNCHER=yes sh -c {}
            a:
                printf '%s|' "two  spaces" 'it'\''s' "$(printf 'a;b')"
                @verify test "$(printf 'a b')" = 'a b' && test "$VIA_LAUNCHER" = yes

            """#
        let (outcome, _) = try run(manifest, ["-q"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "two  spaces|it's|a;b|\n", "\(outcome.stdout)")
        #expect(outcome.stderr.contains("verified a") || outcome.stderr.contains("ok a"), "the verify gate ran through the launcher too: \(outcome.stderr)")
        #expect(CommandLauncher.wrap(["/bin/sh", "-ec", "echo 'x y'"], template: ["ssh", "build-7", "{}"])
            == ["ssh", "build-7", #"/bin/sh -ec 'echo '\''x y'\'''"#])
        #expect(CommandLauncher.wrap(["make", "all"], template: ["docker", "exec", "box"]) == ["docker", "exec", "box", "make", "all"])
    }

    @Test func aConfiguredShellRunsEvenPlainCommands() throws {
        let (outcome, _) = try run("shell = /usr/bin/env VIA_SHELL=yes /bin/sh -c\na:\n    env\n", ["-q"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("VIA_SHELL=yes"))
    }

    @Test func aRecipeThatCannotStartFails() throws {
        let (outcome, _) = try run("shell = /nonexistent/shell\na:\n    true\n", ["-q"])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("FAIL a could not start: /nonexistent/shell: No such file or directory"))
    }

    @Test func jsonEventsDescribeTheRun() throws {
        let (outcome, _) = try run("a:\n    echo hi\nb: a\n    exit 2\n", ["--json", "-j1"])
        #expect(outcome.status == 1)
        let events = try outcome.stdout.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(events.map { $0["event"] as? String } == ["run-start", "ticket-start", "ticket-output", "ticket-end", "ticket-start", "ticket-end", "run-end"])
        #expect(events[2]["line"] as? String == "hi")
        #expect(events[3]["status"] as? String == "succeeded")
        #expect(events[5]["status"] as? String == "failed")
        #expect(events[5]["exitCode"] as? Int == 2)
        #expect(events[6]["exitCode"] as? Int == 1)
        #expect((events[6]["counts"] as? [String: Int])?["failed"] == 1)
        #expect(outcome.stderr.isEmpty, "with --json nothing else is printed")
    }

    @Test(.timeLimit(.minutes(4)))
    func aRetryCancelledByCtrlCIsAnEvent() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    @retries 3\n    exit 1\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let launched = try LaunchedParrun(["--json", "--retry-delay", "30s"], in: directory)
        for _ in 0..<200 where !launched.output.contains("\"ticket-end\"") { usleep(20_000) }
        kill(launched.pid, SIGINT)
        #expect(launched.wait() == 130)
        let events = launched.output.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect((events.first { $0["event"] as? String == "ticket-end" }?["retryIn"] as? Double ?? 0) > 0, "a retry was announced")
        let names = events.compactMap { $0["event"] as? String }.filter { $0 != "run-stopping" }
        #expect(names.suffix(2) == ["ticket-retry-cancelled", "run-end"], "\(launched.output)")
        #expect(events.first { $0["event"] as? String == "ticket-retry-cancelled" }?["id"] as? String == "a")
    }

    @Test(.timeLimit(.minutes(4)))
    func aVerifyGateStoppedByCtrlCIsNotAFailedVerdict() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    true\n    @verify touch verifying; sleep 10\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let launched = try LaunchedParrun(["-q", "--grace", "1s"], in: directory)
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("verifying").path) { usleep(20_000) }
        kill(launched.pid, SIGINT)
        #expect(launched.wait() == 130)
        #expect(!launched.stderr.contains("VERIFY FAILED"), "\(launched.stderr)")
        #expect(!(read(directory, ".parrun/journal.jsonl")).contains("\"verify\""), "no verdict recorded")
    }

    @Test func aTicketFailingAfterTheRunStoppedIsNotRetried() throws {
        // b's failure stops the run (no -k); a fails after that with retries left.
        let (outcome, _) = try run("a:\n    @retries 3\n    sleep 0.3; exit 1\nb:\n    exit 2\n", ["-q", "-j2", "--retry-delay", "30s"])
        #expect(outcome.status == 1)
        #expect(!outcome.stderr.contains("retry a"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("parrun: 0 succeeded, 2 failed"), "both count: \(outcome.stderr)")
    }

    @Test func durationsAreRememberedForTheNextRun() throws {
        let (outcome, directory) = try run("a:\n    sleep 0.1\n", ["-q"])
        #expect(outcome.status == 0)
        let history = read(directory, ".parrun/durations")
        #expect(history.hasPrefix("parrun-durations 1\na\t0."))
    }
}
