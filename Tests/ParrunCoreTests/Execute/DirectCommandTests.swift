import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport
@testable import ParrunPlatform

@Suite struct DirectCommandTests {
    private let shell = RunOptions.defaultShell

    @Test(arguments: [
        ("true", ["true"]), ("echo hello world", ["echo", "hello", "world"]),
        ("  make -j4 all  ", ["make", "-j4", "all"]), ("dd if=a of=b", ["dd", "if=a", "of=b"]),
        ("./build.sh --mode=fast", ["./build.sh", "--mode=fast"]),
    ])
    func plainCommandsRunWithoutAShell(script: String, words: [String]) {
        #expect(DirectCommand.words(of: script, shell: shell) == words)
    }

    @Test(arguments: [
        "echo $HOME", "echo 'quoted'", "ls *.txt", "a && b", "a; b", "a | b", "a > out", "echo ~",
        "FOO=1 make", "cd sub", "exit 3", "export X", "pwd", "echo a\\b", "echo one\necho two", "", "   ",
        "if", "echo `date`", "echo \"x\"", "sleep 1 &",
    ])
    func anythingTheShellWouldInterpretKeepsTheShell(script: String) {
        #expect(DirectCommand.words(of: script, shell: shell) == nil)
    }

    @Test func aCustomShellIsAlwaysUsed() {
        #expect(DirectCommand.words(of: "true", shell: ["/bin/bash", "-ec"]) == nil)
    }
}

/// Finding a command on PATH once per run, as execvp would.
@Suite struct ExecutableLookupTests {
    @Test func findsTheFirstExecutableOnPathAndLeavesOddCasesToTheSpawn() throws {
        let directory = try CLITests.directory(["one/tool": "#!/bin/sh\n", "two/tool": "#!/bin/sh\n", "two/plain": "data"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let one = directory.appendingPathComponent("one").path
        let two = directory.appendingPathComponent("two").path
        chmod(two + "/tool", 0o755)
        let lookup = ExecutableLookup(path: one + ":" + two)
        #expect(lookup.resolve("tool") == two + "/tool", "one/tool is not executable")
        #expect(lookup.resolve("plain") == nil)
        #expect(lookup.resolve("missing") == nil)
        #expect(lookup.resolve("./tool") == nil, "a name with a slash is not searched")
        #expect(ExecutableLookup(path: "bin:" + two).resolve("tool") == nil, "a relative entry depends on the ticket's directory")
        #expect(ExecutableLookup(path: nil).resolve("tool") == nil)
    }
}
