import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// `--worktree` on real git repositories in temporary directories.
@Suite(.enabled(if: gitAvailable, "git is needed for the worktree tests (.ci/run installs it)"))
struct WorktreeTests: GitRepositoryTests {
    /// A repository with one commit on `main` holding `files`, and `manifest` as Parrunfile (untracked).
    private func repository(_ manifest: String, files: [String: String] = ["shared.txt": "original\n"]) throws -> URL {
        let directory = try CLITests.directory(files.merging([".gitignore": ".parrun/\nParrunfile\n"]) { $1 })
        try git(directory, "init", "-q", "-b", "main")
        try git(directory, "add", "-A")
        try git(directory, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "start")
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        return directory
    }



    @Test(.timeLimit(.minutes(4)))
    func tenTicketsEditingDifferentFilesAllLand() throws {
        let manifest = (1...10).map { "t\($0):\n    @title Write file \($0)\n    sleep 0.0\($0 % 3); echo \($0) > file\($0).txt\n" }.joined()
        let directory = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j4", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        for index in 1...10 { #expect(read(directory, "file\(index).txt") == "\(index)\n", "the user's checkout follows main") }
        let log = try git(directory, "log", "--format=%s|%b", "main")
        #expect(log.split(separator: "\n").filter { $0.contains("|") }.count == 11)
        for index in 1...10 { #expect(log.contains("t\(index): Write file \(index)|Parrun-Run: ")) }
        #expect(try git(directory, "status", "--porcelain", "--untracked-files=no").isEmpty, "the checkout is clean and up to date")
        let worktrees = try git(directory, "worktree", "list")
        #expect(worktrees.split(separator: "\n").count == 1, "landed worktrees are removed: \(worktrees)")
        try git(directory, "fsck", "--no-progress")  // fails the test when the repository is damaged
    }

    @Test(.timeLimit(.minutes(4)))
    func aTicketWithAnIdTooLongForAFileNameGetsAWorktreeAndLands() throws {
        let id = "t" + String(repeating: "x", count: 299)
        let directory = try repository("\(id):\n    echo long > long.txt\nafter: \(id)\n    cat long.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "long.txt") == "long\n", "its work landed")
        #expect(outcome.stdout.contains("long"), "its dependent saw it: \(outcome.stdout)")
        let branches = try git(directory, "for-each-ref", "--format=%(refname:short)", "refs/heads/parrun/")
        #expect(branches.split(separator: "\n").allSatisfy { $0.utf8.count < 200 }, "\(branches)")
    }

    @Test(.timeLimit(.minutes(4)))
    func twoTicketsEditingTheSameLineGiveOneConflictAndKeepBothVersions() throws {
        let directory = try repository("x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\nlater: y\n    touch later.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "-k", "--worktree"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("CONFLICT y conflict in shared.txt; its branch and worktree are kept"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("skip later (dependency 'y' did not succeed)"), "\(outcome.stderr)")
        #expect(read(directory, "shared.txt") == "from x\n", "main has the version that landed first")
        let branches = try git(directory, "branch", "--list", "parrun/*/y", "--format=%(refname:short)")
        let branch = branches.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!branch.isEmpty)
        #expect(try git(directory, "show", branch + ":shared.txt") == "from y\n", "the other version is kept on its branch")
        #expect(read(directory, ".parrun/worktrees/y/shared.txt") == "from y\n", "and in its worktree")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("later.txt").path))
        let journal = try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records
        #expect(journal.contains { if case .end(let end) = $0 { end.id == "y" && end.status == "conflict" } else { false } })
        let status = try CLITests.run(["status"], in: directory)
        #expect(status.stdout.contains("  y      conflict"), "\(status.stdout)")
        #expect(status.stdout.contains("conflict in shared.txt"), "\(status.stdout)")
    }

    @Test(.timeLimit(.minutes(4)))
    func onConflictRerunRunsTheTicketAgainFromTheNewHeadAndCleanRemovesWhatIsLeft() throws {
        let manifest = "x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\n"
        let directory = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "--worktree", "--on-conflict", "rerun"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("retry y in 0ms (attempt 1 conflict in shared.txt)"), "\(outcome.stderr)")
        #expect(read(directory, "shared.txt") == "from y\n", "y reran on top of x and landed")

        // A conflict left behind: its worktree and branch go with `parrun clean`.
        try Data("p:\n    echo p > other.txt\nq:\n    sleep 0.3; echo q > other.txt\n".utf8).write(to: directory.appendingPathComponent("P2"))
        let conflicted = try CLITests.run(["-q", "-j2", "-k", "--worktree", "P2"], in: directory)
        #expect(conflicted.status == 1)
        #expect(try git(directory, "worktree", "list").split(separator: "\n").count == 2)
        #expect(try git(directory, "for-each-ref", "--format=%(refname)", "refs/heads/parrun/").split(separator: "\n").count == 1, "only the conflicted ticket's branch is left")
        let cleaned = try CLITests.run(["clean"], in: directory)
        #expect(cleaned.status == 0, "\(cleaned.stderr)")
        #expect(cleaned.stderr.contains("removed 1 parrun/ branch of earlier runs"), "\(cleaned.stderr)")
        #expect(try git(directory, "worktree", "list").split(separator: "\n").count == 1)
        #expect(try git(directory, "for-each-ref", "refs/heads/parrun/").isEmpty)
        try git(directory, "fsck", "--no-progress")
    }

    @Test(.timeLimit(.minutes(4)))
    func resumeLandsAConflictsFixedBranchOrRerunsIt() throws {
        let manifest = "x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\nafter: y\n    cat shared.txt > after.txt\n"
        let directory = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "-j2", "-k", "--worktree"], in: directory).status == 1)
        // The user resolves it in the kept worktree: on top of main, both lines.
        let worktree = directory.appendingPathComponent(".parrun/worktrees/y")
        try git(worktree, "reset", "-q", "--hard", "main")
        try Data("from x\nfrom y\n".utf8).write(to: worktree.appendingPathComponent("shared.txt"))
        let resumed = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("landing y from the branch it kept after its conflict"), "\(resumed.stderr)")
        #expect(read(directory, "shared.txt") == "from x\nfrom y\n")
        #expect(read(directory, "after.txt") == "from x\nfrom y\n", "its dependent ran after it landed")

        let again = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: again) }
        #expect(try CLITests.run(["-q", "-j2", "-k", "--worktree"], in: again).status == 1)
        let rerun = try CLITests.run(["-q", "--resume", "--worktree", "--rerun-conflicts"], in: again)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(!rerun.stderr.contains("landing y from the branch"))
        #expect(read(again, "shared.txt") == "from y\n", "y ran again from the new head")
    }

    /// SIGKILL at random moments, landing included, then `--resume` until done:
    /// every ticket's work is on main exactly once, and the repository is sound.
    @Test(.timeLimit(.minutes(4)))
    func killedAtRandomMomentsAndResumedEveryTicketLandsOnce() throws {
        var random = SeededGenerator(seed: 5)
        var manifest = ""
        var dependencies: [String: [String]] = [:]
        for index in 0..<12 {
            let deps = index < 2 ? [] : Set((0..<2).map { _ in "t\(Int(random.next() % UInt64(index)))" }).sorted()
            dependencies["t\(index)"] = deps
            // Appending, so work that landed twice would show.
            manifest += "t\(index): \(deps.joined(separator: " "))\n    sleep 0.0\(random.next() % 9); echo line >> file\(index).txt\n"
        }
        let directory = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: directory) }
        var finished = false
        for round in 0..<30 where !finished {
            let parrun = try LaunchedParrun(round == 0 ? ["-q", "-j3", "--worktree"] : ["-q", "-j3", "--worktree", "--resume"], in: directory)
            if round < 8 {
                usleep(useconds_t(20_000 + random.next() % 400_000))
                kill(parrun.pid, SIGKILL)
            }
            let status = parrun.wait()
            if status == 0 { finished = true } else { #expect(status == 128 + SIGKILL, "round \(round): \(parrun.stderr)") }
        }
        #expect(finished)
        for index in 0..<12 {
            #expect(try git(directory, "show", "main:file\(index).txt") == "line\n", "t\(index) landed exactly once")
        }
        try git(directory, "fsck", "--no-progress")
        for leftover in ["rebase-merge", "rebase-apply", "MERGE_HEAD"] {
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".git/" + leftover).path))
        }
        // The journal never shows a ticket starting before its dependencies succeeded.
        var succeeded = Set<String>()
        for record in try JournalReader.read(directory.appendingPathComponent(".parrun/journal.jsonl").path).records {
            switch record {
            case .start(let start):
                let missing = dependencies[start.id, default: []].filter { !succeeded.contains($0) }
                #expect(missing.isEmpty, "\(start.id) started before \(missing) succeeded")
            case .end(let end) where end.status == "succeeded":
                succeeded.insert(end.id)
            default:
                break
            }
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func worktreeSetupRunsFirstAndItsFailureFailsTheTicket() throws {
        let directory = try repository("worktreeSetup = echo prepared > setup.out\nisolate = worktree\nuse:\n    cat setup.out > used.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(try git(directory, "show", "main:used.txt") == "prepared\n", "isolate = worktree works as --worktree")

        try Data("worktreeSetup = echo setup broke; exit 3\nuse:\n    touch never.txt\n".utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let broken = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(broken.status == 1)
        #expect(broken.stdout.contains("setup broke"), "\(broken.stdout)")
        #expect(broken.stderr.contains("FAIL use exit 3"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/worktrees/use/never.txt").path))
    }

    @Test(.timeLimit(.minutes(4)))
    func changesOutsideDeclaredTouchesAreReported() throws {
        let directory = try repository("a:\n    @touches src/**\n    mkdir -p src; echo a > src/a.txt; echo stray > stray.txt\nb:\n    @touches docs/\n    mkdir -p docs; echo b > docs/b.md\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("parrun: warning: a changed paths outside its touches: stray.txt"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("b changed paths outside"))
    }

    @Test(.timeLimit(.minutes(4)))
    func reviewedWorkLandsOnlyOnceApproved() throws {
        let directory = try repository("change:\n    @review\n    echo reviewed > reviewed.txt\nafter: change\n    cat reviewed.txt > after.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "--worktree"], in: directory).status == 3)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("reviewed.txt").path), "nothing landed yet")
        let status = try CLITests.run(["status"], in: directory)
        #expect(status.stdout.contains("reviewed.txt | 1 +"), "the diff stat of the work awaiting review: \(status.stdout)")
        #expect(try CLITests.run(["approve", "change"], in: directory).status == 0)
        let resumed = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try git(directory, "show", "main:after.txt") == "reviewed\n")
    }

    @Test(.timeLimit(.minutes(4)))
    func workThatCannotBeCommittedForReviewFailsTheTicketAndSaysWhy() throws {
        let directory = try repository("change:\n    @review\n    echo reviewed > reviewed.txt\nafter: change\n    true\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        // git that refuses every commit (a full disk, a stale index.lock), and is itself otherwise.
        let fake = try CLITests.directory(["git": """
            #!/bin/sh
            case " $* " in *" commit "*) echo "fatal: simulated commit failure" >&2; exit 128 ;; esac
            for git in /usr/bin/git /usr/local/bin/git; do [ -x "$git" ] && exec "$git" "$@"; done
            exit 127

            """])
        defer { try? FileManager.default.removeItem(at: fake) }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.appendingPathComponent("git").path)
        let path = fake.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory, environment: ["PATH": path])
        #expect(outcome.status == 1, "a failure, not work awaiting review: \(outcome.stderr)")
        #expect(outcome.stderr.contains("change its work could not be kept for review: git commit failed"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("simulated commit failure"), "git's own words: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("awaits review"), "\(outcome.stderr)")
    }

    @Test(.timeLimit(.minutes(4)))
    func aDependentSeesItsDependencysChange() throws {
        let directory = try repository("first:\n    echo base > data.txt\nsecond: first\n    cat data.txt > copy.txt; echo more >> data.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "--worktree"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "copy.txt") == "base\n")
        #expect(read(directory, "data.txt") == "base\nmore\n")
    }

    @Test(arguments: ["merge", "squash"])
    func otherWaysToLand(mode: String) throws {
        let directory = try repository("a:\n    echo a > a.txt; echo a2 >> a.txt\nb:\n    echo b > b.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-q", "-j2", "--worktree", "--merge", mode], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(read(directory, "a.txt") == "a\na2\n")
        #expect(read(directory, "b.txt") == "b\n")
        let merges = try git(directory, "log", "--merges", "--format=%s", "main")
        #expect(mode == "merge" ? merges.contains("Merge a") && merges.contains("Merge b") : merges.isEmpty, "\(merges)")
    }

    @Test func clearErrorsBeforeAnythingRuns() throws {
        let plain = try CLITests.directory(["Parrunfile": "a:\n    touch ran\n"])
        defer { try? FileManager.default.removeItem(at: plain) }
        let outside = try CLITests.run(["-q", "--worktree"], in: plain)
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("--worktree needs a git repository"), "\(outside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: plain.appendingPathComponent("ran").path))

        let directory = try repository("a:\n    touch ran\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let elsewhere = directory.appendingPathComponent("../\(directory.lastPathComponent)-other").standardizedFileURL
        try git(directory, "branch", "feature")
        try git(directory, "worktree", "add", "-q", elsewhere.path, "feature")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        // A branch checked out in another worktree of the user's: that checkout follows the landing.
        let elsewhereRun = try CLITests.run(["-q", "--worktree", "--into", "feature"], in: directory)
        #expect(elsewhereRun.status == 0, "\(elsewhereRun.stderr)")
        #expect(FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("ran").path), "feature's checkout has the landed file")
        #expect(try git(elsewhere, "status", "--porcelain").isEmpty, "and nothing staged behind its back")
        let created = try CLITests.run(["-q", "--worktree", "--into", "integration", "--base", "main"], in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try git(directory, "log", "--format=%s", "integration").contains("a\n"))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("ran").path), "the checkout (main) was not touched")
    }

    @Test(.timeLimit(.minutes(4)))
    func anAgentSentBackByItsVerifyGateFindsItsFilesInItsWorktree() throws {
        // The gate fails once, leaving a mark in the worktree; only a retry in the same worktree passes it.
        let directory = try repository("")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent(".parrun/calls"), withIntermediateDirectories: true)
        try Data((#"{"claude": ""# + PromptTicketTests.fake + #"", "tickets": [{"id": "agent", "prompt": "fake:fix-on-feedback", "#
            + #""verify": "test -f seen || { touch seen; exit 1; }", "verifyRetries": 2}]}"#).utf8).write(to: directory.appendingPathComponent("tickets.json"))
        try git(directory, "add", "tickets.json")
        try git(directory, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "manifest")
        let outcome = try CLITests.run(["-q", "--worktree", "tickets.json"], in: directory,
                                       environment: ["FAKE_CLAUDE_DIR": directory.appendingPathComponent(".parrun/calls").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("VERIFY FAILED agent"), "\(outcome.stderr)")
        let second = read(directory, ".parrun/calls/agent.argv.2") ?? ""
        #expect(second.contains("--resume"), "the retry continues the session: \(second)")
        #expect(read(directory, "agent.txt") == "fixed\n" && read(directory, "seen") != nil, "both attempts' files landed")
    }

    @Test(.timeLimit(.minutes(4)))
    func twoParrunsOnOneWorktreeRunLandOneAtATime() throws {
        let manifest = (1...12).map { "t\($0):\n    sleep 0.\($0 % 4); echo t\($0) > f\($0).txt\n" }.joined()
        let directory = try repository(manifest)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LaunchedParrun(["-q", "-j3", "--worktree"], in: directory)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/worktrees").path) { usleep(20_000) }
        let second = try CLITests.run(["-q", "-j3", "--worktree"], in: directory)
        #expect(first.wait() == 0, "\(first.stderr)")
        #expect(second.status == 0, "\(second.stderr)")
        for index in 1...12 { #expect(read(directory, "f\(index).txt") == "t\(index)\n") }
        let subjects = try git(directory, "log", "--format=%s", "main").split(separator: "\n")
        #expect(subjects.count == 13, "each ticket landed once: \(subjects)")
        try git(directory, "fsck", "--no-progress")
    }

    @Test func aKeptBranchWithoutWorkIsNotLandedAsTheTicketsWork() throws {
        // As a rerun after a conflict leaves it when parrun dies before the rerun's start is recorded.
        let directory = try repository("")
        defer { try? FileManager.default.removeItem(at: directory) }
        let isolation = try WorktreeIsolation.prepare(
            manifestDirectory: directory.path, stateDirectory: directory.appendingPathComponent(".parrun").path,
            runID: "r1", into: nil, base: nil, mergeMode: .rebase)
        let worktree = try isolation.create("t")
        #expect(isolation.adopt("t", fromRun: "r1") == .gone, "the branch is the integration tip: nothing of the ticket's")
        try Data("work\n".utf8).write(to: URL(fileURLWithPath: worktree).appendingPathComponent("t.txt"))
        #expect(isolation.adopt("t", fromRun: "r1") == .adopted, "uncommitted work is work")
    }

    @Test func mergeAndSquashRemoveTheBranchesOfLandedTickets() throws {
        for mode in ["merge", "squash"] {
            let directory = try repository("a:\n    echo a > a.txt\n")
            defer { try? FileManager.default.removeItem(at: directory) }
            let outcome = try CLITests.run(["-q", "--worktree", "--merge", mode], in: directory)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(try git(directory, "branch", "--list", "parrun/*").isEmpty, "--merge \(mode) left a branch")
        }
    }

    @Test(.timeLimit(.minutes(4)))
    func aParrunJoiningAWorktreeRunMustUseWorktreesToo() throws {
        let directory = try repository("slow:\n    sleep 2; echo s > s.txt\nquick:\n    echo q > q.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try LaunchedParrun(["-q", "-j1", "--worktree"], in: directory)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(".parrun/worktrees/slow").path) { usleep(20_000) }
        let plain = try CLITests.run(["-q", "-j1"], in: directory)
        #expect(plain.status == 2, "\(plain.stderr)")
        #expect(plain.stderr.contains("runs its tickets in git worktrees; join it with --worktree"), "\(plain.stderr)")
        let elsewhere = try CLITests.run(["-q", "-j1", "--worktree", "--into", "other"], in: directory)
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("lands its work on 'main'; join it with --into main"), "\(elsewhere.stderr)")
        #expect(!(try git(directory, "branch", "--list", "other")).contains("other"), "nothing was created for it")
        #expect(first.wait() == 0, "\(first.stderr)")
        #expect(read(directory, "s.txt") == "s\n" && read(directory, "q.txt") == "q\n", "the run's own parrun did all the work")
        #expect(try git(directory, "status", "--porcelain").isEmpty, "nothing was left uncommitted in the checkout")
    }

    @Test(.timeLimit(.minutes(4)))
    func aKeptWorktreeMidRebaseIsNotLandedAndADeletedOneIsTakenFromItsBranch() throws {
        let directory = try repository("x:\n    echo from x > shared.txt\ny:\n    sleep 0.3; echo from y > shared.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "-j2", "-k", "--worktree"], in: directory).status == 1)
        let worktree = directory.appendingPathComponent(".parrun/worktrees/y")
        // The user starts resolving, and stops half-way.
        let rebase = CommandRunner.run(["git", "rebase", "main"], in: worktree.path)
        #expect(!rebase.succeeded, "the rebase stops at the conflict: \(rebase.output)")
        let halfway = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(halfway.status == 1, "\(halfway.stderr)")
        #expect(halfway.stderr.contains("y's worktree has a rebase under way"), "\(halfway.stderr)")
        #expect(read(directory, "shared.txt") == "from x\n", "no conflict markers landed")
        // They finish it, and delete the worktree by hand: the fix is on the branch.
        try Data("from x and y\n".utf8).write(to: worktree.appendingPathComponent("shared.txt"))
        try git(worktree, "add", "shared.txt")
        try git(worktree, "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.editor=true", "rebase", "--continue")
        try FileManager.default.removeItem(at: worktree)
        let landed = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(landed.status == 0, "\(landed.stderr)")
        #expect(landed.stderr.contains("landing y from the branch it kept"), "\(landed.stderr)")
        #expect(try git(directory, "show", "main:shared.txt").contains("from x and y"), "the fix on the branch landed")
    }

    @Test(.timeLimit(.minutes(4)))
    func aResumedRunLandsOnItsBranchAndLeavesAnotherCheckedOutBranchAlone() throws {
        let directory = try repository("a:\n    echo a > a.txt\nb:\n    test -f ../../../fixed; echo b > b.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try CLITests.run(["-q", "-k", "--worktree"], in: directory).status == 1)
        try git(directory, "checkout", "-q", "-b", "feat")
        // A ticket's own branch is never where work lands.
        let own = try CLITests.run(["-q", "--worktree", "--into", "parrun/r0/b"], in: directory)
        #expect(own.status == 2 && own.stderr.contains("is one of parrun's ticket branches"), "\(own.stderr)")
        _ = FileManager.default.createFile(atPath: directory.appendingPathComponent("fixed").path, contents: nil)
        let resumed = try CLITests.run(["-q", "--resume", "--worktree"], in: directory)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try git(directory, "show", "main:b.txt") == "b\n", "b landed where the run lands")
        #expect(read(directory, "b.txt") == nil, "feat, checked out now, was left alone")
    }

    @Test(.timeLimit(.minutes(4)))
    func landingLeavesTheCheckoutAloneOnceTheUserSwitchedBranches() throws {
        let directory = try repository("a:\n    touch ../../../a-started; sleep 1; echo a > a.txt\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try LaunchedParrun(["-q", "--worktree"], in: directory)
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("a-started").path) { usleep(20_000) }
        try git(directory, "checkout", "-q", "-b", "feat")
        #expect(run.wait() == 0, "\(run.stderr)")
        #expect(try git(directory, "show", "main:a.txt") == "a\n")
        #expect(read(directory, "a.txt") == nil, "feat's files were not touched")
        #expect(try git(directory, "status", "--porcelain", "--untracked-files=no").isEmpty, "nothing staged on feat")
        #expect(!run.stderr.contains("read-tree"), "no catch-up command for a branch that is not checked out: \(run.stderr)")
    }
}

private let gitAvailable = ["/usr/bin/git", "/usr/local/bin/git"].contains { FileManager.default.isExecutableFile(atPath: $0) }
