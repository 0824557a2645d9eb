import Foundation
import Testing
@testable import ParrunPlatform

/// A recipe run without the shell finds its program on the ticket's own
/// `env` PATH, where `/bin/sh` would have found it, not on parrun's.
@Suite struct TicketPathTests {
    private func makeExecutable(_ url: URL) throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    @Test func aDirectRecipeFindsItsProgramOnTheTicketsPath() throws {
        let tool = "#!/bin/sh\necho \"fake-tool ran with $1\"\n"
        let directory = try CLITests.directory(["bin/parrun-fake-tool": tool, "sub/tools/parrun-fake-tool": tool])
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeExecutable(directory.appendingPathComponent("bin/parrun-fake-tool"))
        try makeExecutable(directory.appendingPathComponent("sub/tools/parrun-fake-tool"))
        let bin = directory.appendingPathComponent("bin").path
        let manifest = """
            absolute:
                @env PATH=\(bin):/usr/bin:/bin
                parrun-fake-tool one
            relative:
                @cwd sub
                @env PATH=tools:/usr/bin:/bin
                parrun-fake-tool two

            """
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        // parrun's own PATH does not hold the tool: only the tickets' PATHs do.
        let outcome = try CLITests.run(["-q", "-j1"], in: directory, environment: ["PATH": "/usr/bin:/bin"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "fake-tool ran with one\nfake-tool ran with two\n", "\(outcome.stdout)")
    }

    @Test func aProgramMissingFromTheTicketsPathFailsAsInTheShell() throws {
        let directory = try CLITests.directory(["bin/not-executable": "#!/bin/sh\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let bin = directory.appendingPathComponent("bin").path
        // `ls` is on parrun's PATH, not on the ticket's: the shell would say "not found" too.
        let manifest = """
            missing:
                @env PATH=\(bin)
                ls
            denied:
                @env PATH=\(bin)
                not-executable

            """
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let outcome = try CLITests.run(["-q", "-j1", "-k"], in: directory)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("FAIL missing exit 127"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("FAIL denied exit 126"), "\(outcome.stderr)")
        #expect(outcome.stdout.contains("parrun: ls: not found"), "\(outcome.stdout)")
    }

    @Test func searchingATicketsPathLooksInOrderAndResolvesRelativeEntries() throws {
        let directory = try CLITests.directory(["a/tool": "#!/bin/sh\n", "b/tool": "#!/bin/sh\n", "c/plain": "data"])
        defer { try? FileManager.default.removeItem(at: directory) }
        try makeExecutable(directory.appendingPathComponent("a/tool"))
        try makeExecutable(directory.appendingPathComponent("b/tool"))
        let root = directory.path
        #expect(ExecutableLookup.search("tool", path: "\(root)/b:\(root)/a", directory: nil) == "\(root)/b/tool")
        #expect(ExecutableLookup.search("tool", path: "missing:a", directory: root) == "\(root)/a/tool")
        #expect(ExecutableLookup.search("plain", path: "\(root)/a:\(root)/c", directory: nil) == "\(root)/c/plain", "not executable: the spawn says EACCES")
        #expect(ExecutableLookup.search("none", path: "\(root)/a:\(root)/b", directory: nil) == "\(root)/a/none", "nothing: the spawn says ENOENT")
        #expect(ExecutableLookup.search("./tool", path: "\(root)/a", directory: nil) == nil)
    }
}
