import Testing
@testable import ParrunCore

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
