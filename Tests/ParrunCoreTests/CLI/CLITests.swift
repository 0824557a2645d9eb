import Foundation
import Testing

/// Runs the built `parrun` binary as a user would and checks output and exit codes.
@Suite struct CLITests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `parrun` executable next to the test bundle in the build folder.
    static let binary: URL = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("parrun")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        fatalError("parrun binary not found near \(testBinary.path); run `swift build` first")
    }()

    /// A fresh temporary directory holding `files`.
    static func directory(_ files: [String: String] = [:]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, content) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: file)
        }
        return url
    }

    static func run(_ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:]) throws -> Outcome {
        var env = Subprocess.environment(["PARRUN_JOBS": nil, "NO_COLOR": "1"])
        for (key, value) in environment { env[key] = value }
        let scratch = try Self.directory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var input = "/dev/null"
        if let stdin {
            input = scratch.appendingPathComponent("in").path
            try stdin.write(to: URL(fileURLWithPath: input))
        }
        let out = try OutputFile()
        let err = try OutputFile()
        let process = try Subprocess(binary.path, arguments, in: directory, environment: env, input: input, output: out.descriptor, error: err.descriptor)
        let status = process.wait()
        return Outcome(status: status, stdout: out.text, stderr: err.text)
    }

    static let valid = #"{"tickets": [{"id": "a", "run": "true"}, {"id": "b", "dependsOn": ["a"], "run": "true"}]}"#

    @Test func dryRunPrintsThePlanAndExitsZero() throws {
        let dir = try Self.directory(["tickets.json": Self.valid])
        let outcome = try Self.run(["-n"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("Plan for tickets.json: 2 of 2 tickets to run\n"))
        #expect(outcome.stdout.contains("critical path (2 tickets): a -> b\n"))
        #expect(outcome.stdout.hasSuffix("jobs 1 (default; use -j N or -j auto for more)\n"))
        #expect(outcome.stderr.isEmpty)
    }

    @Test func findsTicketsJsonThenParrunfileAndHonoursDashCAndDashF() throws {
        let dir = try Self.directory(["sub/Parrunfile": "x:\n    true\n", "sub/other.txt": "y:\n"])
        let viaC = try Self.run(["-C", "sub", "--summary"], in: dir)
        #expect(viaC.status == 0, "\(viaC.stderr)")
        #expect(viaC.stdout.hasPrefix("tickets 1 (1 to run, 0 done)"))
        let viaF = try Self.run(["-C", "sub", "-f", "other.txt", "-n"], in: dir)
        #expect(viaF.stdout.hasPrefix("Plan for other.txt: 1 of 1 ticket to run"))
        let badEnvironment = try Self.run(["-C", "sub", "-j2", "--summary"], in: dir, environment: ["PARRUN_JOBS": "many"])
        #expect(badEnvironment.status == 0, "-j wins over a PARRUN_JOBS it does not need: \(badEnvironment.stderr)")
        #expect(try Self.run(["-C", "sub", "--summary"], in: dir, environment: ["PARRUN_JOBS": "many"]).status == 2)
        let neverRan = try Self.run(["logs", "-C", "sub"], in: dir)
        #expect(neverRan.stderr.contains("Parrunfile has not run yet"), "\(neverRan.stderr)")
        let named = try Self.run(["logs", "x", "-C", "sub"], in: dir)
        #expect(named.status == 1 && named.stderr.contains("x has not run in the latest run"), "\(named.stderr)")
        let both = try Self.directory(["tickets.json": Self.valid, "Parrunfile": "z:\n"])
        #expect(try Self.run(["-n"], in: both).stdout.hasPrefix("Plan for tickets.json"))
    }

    @Test func readsTheManifestFromStandardInput() throws {
        let outcome = try Self.run(["--summary", "-"], stdin: Data("a:\nb: a\n".utf8))
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("tickets 2 (2 to run, 0 done)  edges 1  waves 2"))
    }

    @Test func jobsPrecedenceIsShownInThePlan() throws {
        let dir = try Self.directory(["tickets.json": #"{"jobs": 3, "tickets": [{"id": "a"}, {"id": "b"}]}"#])
        #expect(try Self.run(["--summary"], in: dir).stdout.contains("jobs 3 (manifest jobs = 3)"))
        #expect(try Self.run(["--summary"], in: dir, environment: ["PARRUN_JOBS": "5"]).stdout.contains("jobs 5 (PARRUN_JOBS=5)"))
        #expect(try Self.run(["--summary", "-j2"], in: dir, environment: ["PARRUN_JOBS": "5"]).stdout.contains("jobs 2 (-j 2)"))
        let auto = try Self.run(["--summary", "-j", "auto"], in: dir)
        #expect(auto.stdout.contains("jobs 1 (-j auto: ") || auto.stdout.contains("jobs 2 (-j auto: "), "\(auto.stdout)")
        let bad = try Self.run(["--summary"], in: dir, environment: ["PARRUN_JOBS": "lots"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("invalid PARRUN_JOBS='lots'"))
    }

    @Test func manifestErrorsExitTwoWithFileLineColumn() throws {
        let dir = try Self.directory(["tickets.json": "[\n  {\"id\": \"a\", \"dependsOn\": [\"b\"]}\n]\n"])
        let outcome = try Self.run(["-n"], in: dir)
        #expect(outcome.status == 2)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.hasPrefix("tickets.json:2:29: error: ticket 'a' depends on 'b', which is not a ticket in this manifest\n"))
        #expect(outcome.stderr.hasSuffix("parrun: 1 error in tickets.json; nothing was run\n"))
    }

    @Test func usageErrorsAreOneLinePlusAHintAndExitTwo() throws {
        for arguments in [["--dryrun"], ["-j"], ["-j", "x"], ["--graph", "png"], ["a", "b"]] {
            let outcome = try Self.run(arguments)
            #expect(outcome.status == 2, "\(arguments)")
            let lines = outcome.stderr.split(separator: "\n")
            #expect(lines.count == 2, "\(arguments): \(outcome.stderr)")
            #expect(lines.first?.hasPrefix("parrun: error: ") == true)
            #expect(lines.last == "Run 'parrun --help' for usage.")
        }
    }

    @Test func missingManifestAndUnreadableFilesExitTwo() throws {
        let empty = try Self.directory()
        let none = try Self.run(["-n"], in: empty)
        #expect(none.status == 2)
        #expect(none.stderr.contains("no manifest: none of tickets.json, Parrunfile, .beads/issues.jsonl"))
        let missing = try Self.run(["-n", "nope.json"], in: empty)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read manifest nope.json: No such file or directory"))
        let directory = try Self.run(["-n", "."], in: empty)
        #expect(directory.status == 2)
        #expect(directory.stderr.contains("Is a directory"))
        let badC = try Self.run(["-C", "/nonexistent/x", "-n"])
        #expect(badC.status == 2)
        #expect(badC.stderr.contains("cannot change to directory /nonexistent/x"))
    }

    @Test func helpAndVersion() throws {
        let help = try Self.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Usage: parrun [OPTIONS] [MANIFEST]"))
        #expect(help.stdout.contains("-j, --jobs N|auto"))
        for command in ["status", "logs", "show", "diff", "clean", "approve", "reject"] {
            let own = try Self.run([command, "--help"])
            #expect(own.status == 0 && own.stdout.hasPrefix("Usage: parrun \(command) "), "\(command): \(own.stdout)")
            #expect(!own.stdout.contains("-j, --jobs"), "only what \(command) takes")
        }
        let version = try Self.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("parrun "))
    }

    @Test func graphFormatsGoToStandardOutput() throws {
        let dir = try Self.directory(["tickets.json": Self.valid])
        let dot = try Self.run(["--graph", "dot"], in: dir)
        #expect(dot.status == 0)
        #expect(dot.stdout.contains("\"a\" -> \"b\" [color=red3, penwidth=2];"), "the critical path, drawn red")
        let json = try Self.run(["--graph=json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["criticalPath"] as? [String] == ["a", "b"])
        #expect(try Self.run(["--graph", "mermaid"], in: dir).stdout.hasPrefix("flowchart LR\n"))
    }

    @Test func withoutDryRunTheTicketsRun() throws {
        let dir = try Self.directory(["tickets.json": #"{"tickets": [{"id": "a", "run": "echo ran > a.txt; echo done"}]}"#])
        let outcome = try Self.run([], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("a.txt").path))
        #expect(outcome.stdout == "done\n")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(".parrun/logs/a.log").path))
    }

    /// No input may crash parrun: each gets exit status 2 and a located message.
    @Test(arguments: [
        ("binary", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }), "not valid UTF-8"),
        ("invalid UTF-8", Data([0x61, 0x3A, 0x20, 0xC3, 0x28, 0x0A]), "m:1:4: error: the manifest is not valid UTF-8 text"),
        ("NUL byte", Data("a:\n\0\n".utf8), "m:2:1: error: U+0000 cannot appear in a ticket id"),
        ("empty", Data(), "m:1:1: error: the manifest is empty"),
        ("whitespace", Data(" \n\t\n".utf8), "m:1:1: error: the manifest is empty"),
        ("deep arrays", Data(String(repeating: "[", count: 100_000).utf8), "nested more than"),
        ("deep objects", Data(String(repeating: "{\"a\":", count: 100_000).utf8), "nested more than"),
        ("1 MB line", Data(String(repeating: "a", count: 1_000_000).utf8), "expected `:` after the ticket id"),
        ("1 MB string", Data(("[\"" + String(repeating: "é", count: 500_000)).utf8), "this string is not closed"),
    ])
    func malformedInputNeverCrashes(name: String, content: Data, expected: String) throws {
        let dir = try Self.directory()
        try content.write(to: dir.appendingPathComponent("m"))
        let outcome = try Self.run(["-n", "m"], in: dir)
        #expect(outcome.status == 2, "\(name): \(outcome.stderr.prefix(500))")
        #expect(outcome.stderr.contains(expected), "\(name): \(outcome.stderr.prefix(500))")
        #expect(outcome.stderr.split(separator: "\n").allSatisfy { $0.count < 400 }, "\(name): no huge lines")
    }
}
