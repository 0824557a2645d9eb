import Foundation
import Glibc
import Testing
@testable import ParrunPlatform
import ParrunSupport

/// parrun's own vfork-style spawn (`parrun_spawn`): what the child gets, and
/// each way it can fail before the program runs.
@Suite struct ProcessSpawnerTests {
    /// Runs `arguments` with standard output and error in a file; (exit status, output).
    private func run(_ arguments: [String], directory: String? = nil, input: String = "/dev/null",
                     configure: (inout SpawnRequest) -> Void = { _ in }) throws -> (status: Int32, output: String) {
        let output = try OutputFile()
        var request = SpawnRequest(
            arguments: arguments, environment: PreparedEnvironment(ProcessInfo.processInfo.environment),
            extraEnvironment: [], directory: directory, inputPath: input, outputDescriptor: output.descriptor)
        configure(&request)
        let child = Subprocess(pid: try ProcessSpawner.spawn(request))
        return (child.wait(), output.text)
    }

    private func spawnError(_ arguments: [String], directory: String? = nil, input: String = "/dev/null") -> SystemError? {
        do {
            let pid = try ProcessSpawner.spawn(SpawnRequest(
                arguments: arguments, environment: PreparedEnvironment([:]), extraEnvironment: [],
                directory: directory, inputPath: input, outputDescriptor: 2))
            _ = Subprocess(pid: pid).wait()
            return nil
        } catch {
            return error
        }
    }

    @Test func theChildHasAnEmptyMaskDefaultSignalsAndAGroupOfItsOwn() throws {
        // A shell would reset its own mask and hide the mask it was given: grep reports its own.
        // What parrun has: SIGPIPE ignored (as parrun ignores it), and here SIGUSR2 blocked in this thread.
        _ = signal(SIGPIPE, SIG_IGN)
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGUSR2)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let result = Result { try run(["/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"]) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        let signals = try result.get().output
        #expect(signals.contains("SigBlk:\t0000000000000000"), "no signal stays blocked: \(signals)")
        // SIGPIPE (13), SIGINT (2), SIGTERM (15), SIGHUP (1), SIGQUIT (3) and SIGCHLD (17) are back to default.
        let ignored = signals.split(separator: "\n").first { $0.hasPrefix("SigIgn:") }.map { UInt64($0.dropFirst(8), radix: 16) ?? 0 } ?? 0
        for signal in [1, 2, 3, 13, 15, 17] {
            #expect(ignored & (1 << UInt64(signal - 1)) == 0, "signal \(signal) is not ignored: \(signals)")
        }
        // The process group (field 5 of /proc/PID/stat) is the shell's own pid.
        let (status, output) = try run(["/bin/sh", "-c", "set -- $(cut -d' ' -f5 /proc/$$/stat); echo group=$1 pid=$$"])
        #expect(status == 0, "\(output)")
        let words = output.split(separator: "\n").last.map { $0.split(separator: " ") } ?? []
        #expect(words.count == 2 && words[0].dropFirst(6) == words[1].dropFirst(4), "its own process group: \(output)")
    }

    @Test func theTicketsOwnVariablesReachTheChildAndWinOverTheBaseEnvironment() throws {
        for (name, value) in [("A", "x"), ("EMPTY", ""), ("", "nameless"), ("WORDS", "é and \"quotes\"")] {
            let entry = try #require(ProcessSpawner.cString(name, UInt8(ascii: "="), value))
            #expect(String(cString: entry) == name + "=" + value)
            free(entry)
        }
        let (status, output) = try run(["/bin/sh", "-c", "printf '%s|%s|%s' \"$PARRUN_X\" \"$HOME\" \"${EMPTY-unset}\""]) {
            $0.extraEnvironment = [EnvironmentVariable(name: "PARRUN_X", value: "é 1"), EnvironmentVariable(name: "HOME", value: "/elsewhere"), EnvironmentVariable(name: "EMPTY", value: "")]
        }
        #expect(status == 0)
        #expect(output == "é 1|/elsewhere|", "\(output)")
    }

    @Test func standardInputIsEmptyByDefaultAndAFileWhenNamed() throws {
        #expect(try run(["/bin/cat"]).output == "")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-spawn-input-\(UUID().uuidString)")
        try Data("from a file\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try run(["/bin/cat"], input: file.path).output == "from a file\n")
    }

    @Test func standardErrorGoesWhereItIsSentAndNothingElseIsInherited() throws {
        let errors = try OutputFile()
        let (status, output) = try run(["/bin/sh", "-c", "echo out; echo err >&2; ls /proc/self/fd"]) {
            $0.errorDescriptor = errors.descriptor
        }
        #expect(status == 0)
        #expect(errors.text == "err\n")
        // `ls` opens one descriptor of its own (the directory) beside 0, 1 and 2.
        let descriptors = output.split(separator: "\n").dropFirst().compactMap { Int($0) }
        #expect(descriptors.filter { $0 > 2 }.count <= 1, "no descriptor of the test process leaks: \(output)")
    }

    @Test func aProgramIsLookedUpOnPathAndANameWithASlashIsAPath() throws {
        #expect(try run(["echo", "looked up"]).output == "looked up\n")
        #expect(spawnError(["./definitely-not-here"])?.code == ENOENT)
    }

    @Test func aMissingProgramFailsTheSpawnWithNoSuchFileAndLeavesNoChild() throws {
        let error = spawnError(["no-such-program-\(UUID().uuidString)"])
        #expect(error?.code == ENOENT, "\(String(describing: error))")
        #expect(error?.call == ProcessSpawner.call)
    }

    @Test func aFileThatMayNotBeExecutedFailsWithPermissionDenied() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-spawn-plain-\(UUID().uuidString)")
        try Data("#!/bin/sh\necho hi\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(spawnError([file.path])?.code == EACCES)
    }

    @Test func aMissingDirectoryOrInputFailsTheSpawn() throws {
        #expect(spawnError(["/bin/true"], directory: "/nonexistent-\(UUID().uuidString)")?.code == ENOENT)
        #expect(spawnError(["/bin/true"], input: "/nonexistent-\(UUID().uuidString)")?.code == ENOENT)
    }

    @Test func theExitDescriptorPollsReadableWhenTheChildEnds() throws {
        let request = SpawnRequest(
            arguments: ["/bin/sh", "-c", "sleep 0.2"], environment: PreparedEnvironment([:]), extraEnvironment: [],
            directory: nil, outputDescriptor: 2)
        let (pid, descriptor) = try ProcessSpawner.spawnWatched(request)
        let child = Subprocess(pid: pid)
        let exit = try #require(descriptor, "this kernel makes pidfds (Linux 5.3+)")
        defer { close(exit) }
        var entry = pollfd(fd: exit, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 0) == 0, "not readable while the child runs")
        #expect(poll(&entry, 1, 5000) == 1, "readable once it ended")
        #expect(child.wait() == 0)
    }

    @Test func exitsSoonWaitsBrieflyForAnExitAndNoLonger() throws {
        let request = SpawnRequest(
            arguments: ["/bin/sh", "-c", "exec >/dev/null 2>&1; sleep 5"], environment: PreparedEnvironment([:]),
            extraEnvironment: [], directory: nil, outputDescriptor: 2)
        let sleeper = Subprocess(pid: try ProcessSpawner.spawn(request))
        let start = Clock.monotonic()
        #expect(!ProcessControl.exitsSoon(sleeper.pid, within: 0.00005), "a process that closed its output and runs on is not waited for")
        #expect(Clock.monotonic() - start < 0.05, "the wait is bounded")
        kill(sleeper.pid, SIGKILL)
        #expect(ProcessControl.exitsSoon(sleeper.pid, within: 5), "a process that is ending is seen to end")
        #expect(sleeper.wait() == 128 + SIGKILL)
    }
}
