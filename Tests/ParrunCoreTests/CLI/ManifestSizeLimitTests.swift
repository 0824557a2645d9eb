import Foundation
import Testing

@testable import ParrunCLI

/// `--max-manifest-size`: parrun refuses a manifest or store above the limit
/// (64 MB by default) with exit 2, without reading it whole.
@Suite struct ManifestSizeLimitTests {
    static let refusal = "the manifest is larger than"

    /// Runs `sh -c script` in `directory`, killing it if it outlives `seconds`:
    /// a read that never stops fails the test instead of hanging it.
    static func shell(_ script: String, in directory: URL, seconds: Double = 20) throws -> (status: Int32, stderr: String, timedOut: Bool) {
        let errors = try OutputFile()
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { close(null) }
        let process = try Subprocess(
            "/bin/sh", ["-c", script], in: directory,
            environment: Subprocess.environment(["PARRUN": CLITests.binary.path, "NO_COLOR": "1"]), output: null, error: errors.descriptor)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let timedOut = process.isRunning
        // The shell leads a process group of its own: everything it started goes too.
        if timedOut { kill(-process.pid, SIGKILL) }
        let status = process.wait()
        return (status, errors.text, timedOut)
    }

    @Test func sizesTakeBytesOrBinarySuffixes() {
        #expect(ManifestSizeLimit.bytes(parsing: "1500") == 1500)
        #expect(ManifestSizeLimit.bytes(parsing: "1K") == 1024)
        #expect(ManifestSizeLimit.bytes(parsing: "64m") == 64 << 20)
        #expect(ManifestSizeLimit.bytes(parsing: "2GB") == 2 << 30)
        for invalid in ["", "0", "-1", "K", "1.5M", "1T", "12 M", "99999999999999999999G"] {
            #expect(ManifestSizeLimit.bytes(parsing: invalid) == nil, "\(invalid)")
        }
        #expect(ManifestSizeLimit.describe(ManifestSizeLimit.defaultBytes) == "64 MB")
        #expect(ManifestSizeLimit.describe(1024) == "1 KB")
        #expect(ManifestSizeLimit.describe(1500) == "1500 bytes")
    }

    @Test func theOptionIsParsedAndABadSizeIsAUsageError() throws {
        #expect(try CommandLineParser.parse(["--max-manifest-size", "1K"]).maxManifestSize == 1024)
        #expect(try CommandLineParser.parse(["--max-manifest-size=3M"]).maxManifestSize == 3 << 20)
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["--max-manifest-size", "lots"]) }
        let outcome = try CLITests.run(["--max-manifest-size", "lots", "-n"])
        #expect(outcome.status == 2 && outcome.stderr.contains("'--max-manifest-size'"), "\(outcome.stderr)")
    }

    @Test func aOneMegabyteManifestLoads() throws {
        let title = String(repeating: "x", count: 90)
        let tickets = (0..<10_000).map { #"{"id": "t\#($0)", "title": "\#(title)"}"# }
        let text = #"{"tickets": ["# + tickets.joined(separator: ",\n") + "]}\n"
        #expect(text.utf8.count > 1 << 20)
        let dir = try CLITests.directory(["tickets.json": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try CLITests.run(["--summary"], in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.hasPrefix("tickets 10000 "), "\(outcome.stdout)")
    }

    /// A sparse file: 70 MB long, but no disk space and no time to write.
    @Test func aFileAboveTheDefaultLimitIsRefusedAtOnce() throws {
        let dir = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("huge.json")
        _ = FileManager.default.createFile(atPath: file.path, contents: Data("{".utf8))
        let handle = try FileHandle(forWritingTo: file)
        try handle.truncate(atOffset: 70 << 20)
        try handle.close()
        let started = Date()
        let outcome = try CLITests.run(["-n", "huge.json"], in: dir)
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("huge.json: the manifest is larger than 64 MB (the limit); raise it with --max-manifest-size SIZE"), "\(outcome.stderr)")
    }

    @Test func devZeroIsRefused() throws {
        let started = Date()
        let outcome = try CLITests.run(["-n", "/dev/zero"])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("/dev/zero: \(Self.refusal) 64 MB"), "\(outcome.stderr)")
    }

    @Test func anEndlessPipeIsRefused() throws {
        let dir = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try Self.shell(#"yes 'a:' | "$PARRUN" -n -"#, in: dir)
        #expect(!outcome.timedOut, "parrun kept reading an endless pipe")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("<stdin>: \(Self.refusal) 64 MB"), "\(outcome.stderr)")
    }

    @Test func theFlagSetsTheLimitForFilesPipesAndStandardInput() throws {
        let text = (0..<500).map { "t\($0):" }.joined(separator: "\n") + "\n"
        #expect(text.utf8.count > 2048 && text.utf8.count < 4096)
        let dir = try CLITests.directory(["Parrunfile": text])
        defer { try? FileManager.default.removeItem(at: dir) }
        let small = try CLITests.run(["--summary", "--max-manifest-size", "1K"], in: dir)
        #expect(small.status == 2 && small.stderr.contains("Parrunfile: \(Self.refusal) 1 KB (the limit)"), "\(small.stderr)")
        #expect(try CLITests.run(["--summary", "--max-manifest-size", "4K"], in: dir).status == 0)
        let stdin = try CLITests.run(["--summary", "--max-manifest-size", "1K", "-"], stdin: Data(text.utf8))
        #expect(stdin.status == 2 && stdin.stderr.contains("<stdin>: \(Self.refusal) 1 KB"), "\(stdin.stderr)")
        let piped = try Self.shell(#"cat Parrunfile | "$PARRUN" --summary --max-manifest-size 1K -"#, in: dir)
        #expect(piped.status == 2 && piped.stderr.contains(Self.refusal), "\(piped.stderr)")
        #expect(try Self.shell(#"cat Parrunfile | "$PARRUN" --summary --max-manifest-size 4K -"#, in: dir).status == 0)
    }

    @Test func aStoreAboveTheLimitIsRefusedToo() throws {
        let lines = (0..<40).map { #"{"id": "bd-\#($0)", "title": "issue \#($0)", "status": "open", "issue_type": "task"}"# }
        let dir = try CLITests.directory([".beads/issues.jsonl": lines.joined(separator: "\n") + "\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let outcome = try CLITests.run(["--summary", "--max-manifest-size", "1K"], in: dir)
        #expect(outcome.status == 2 && outcome.stderr.contains(".beads/issues.jsonl: \(Self.refusal) 1 KB"), "\(outcome.stderr)")
        #expect(try CLITests.run(["--summary"], in: dir).status == 0)
    }
}
