import Foundation
import Testing

#if canImport(Glibc)
import Glibc
import ParrunModel
#endif

/// No log is lost silently, and nothing outside the state directory is
/// touched: real runs of the real binary against real files and links.
@Suite struct FileSafetyTests {
    private func path(_ directory: URL, _ name: String) -> String { directory.appendingPathComponent(name).path }

    private func count(_ text: String, in haystack: String) -> Int {
        haystack.components(separatedBy: text).count - 1
    }

    /// A file outside the project, and the directory holding it, removed afterwards.
    private func outsideFile(_ content: String) throws -> (file: String, directory: URL) {
        let directory = try CLITests.directory(["target.txt": content])
        return (directory.appendingPathComponent("target.txt").path, directory)
    }

    @Test func aTicketWithAThreeHundredByteIdIsLoggedAndLogsShowsIt() throws {
        let id = String(repeating: "long", count: 75)
        let directory = try CLITests.directory(["Parrunfile": "\(id):\n    echo from the long one\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("from the long one"), "\(run.stdout)")
        #expect(!run.stderr.contains("warning"), "\(run.stderr)")
        let logs = try CLITests.run(["logs", id], in: directory)
        #expect(logs.status == 0, "\(logs.stderr)")
        #expect(logs.stdout == "from the long one\n", "\(logs.stdout) \(logs.stderr)")

        // The journal records the name, so `logs` finds it even were the naming to change.
        let stem = LogFileName.stem(id)
        let journal = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
        #expect(journal.contains("\"log\":\"\(stem)\""), "\(journal)")
        let logsDirectory = directory.appendingPathComponent(".parrun/logs")
        try FileManager.default.moveItem(at: logsDirectory.appendingPathComponent(stem + ".log"), to: logsDirectory.appendingPathComponent("renamed.log"))
        try Data(journal.replacingOccurrences(of: "\"log\":\"\(stem)\"", with: "\"log\":\"renamed\"").utf8)
            .write(to: directory.appendingPathComponent(".parrun/journal.jsonl"))
        #expect(try CLITests.run(["logs", id], in: directory).stdout == "from the long one\n", "found through the journal")
    }

    /// Logs that cannot be written (a read-only logs directory; as root, who
    /// ignores modes, a file where the directory should be): the run succeeds,
    /// with one warning per ticket however many attempts and lines, and
    /// `logs` says why there is nothing.
    @Test func anUnwritableLogsDirectoryWarnsOncePerTicket() throws {
        let manifest = "a:\n    echo 1; echo 2; echo 3\nb:\n    @retries 2\n    echo try $PARRUN_ATTEMPT; [ $PARRUN_ATTEMPT -ge 3 ]\n"
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer {
            chmod(path(directory, ".parrun/logs"), 0o755)
            try? FileManager.default.removeItem(at: directory)
        }
        if getuid() == 0 {
            try FileManager.default.createDirectory(atPath: path(directory, ".parrun"), withIntermediateDirectories: true)
            try Data("not a directory\n".utf8).write(to: directory.appendingPathComponent(".parrun/logs"))
        } else {
            try FileManager.default.createDirectory(atPath: path(directory, ".parrun/logs"), withIntermediateDirectories: true)
            #expect(chmod(path(directory, ".parrun/logs"), 0o555) == 0)
        }
        let run = try CLITests.run(["-q", "--retry-delay", "0"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("3\n") && run.stdout.contains("try 3"), "the output is still shown: \(run.stdout)")
        #expect(count("cannot write the log .parrun/logs/a.log", in: run.stderr) == 1, "\(run.stderr)")
        #expect(count("cannot write the log .parrun/logs/b.log", in: run.stderr) == 1, "once, not per attempt: \(run.stderr)")
        #expect(count("cannot write the log", in: run.stderr) == 2, "\(run.stderr)")
        let logs = try CLITests.run(["logs", "a"], in: directory)
        #expect(logs.stderr.contains("a ran, but its log could not be written"), "\(logs.stderr)")
    }

    @Test func aLinkPlantedAtALogIsRefusedAndItsTargetIsUnchanged() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    echo overwritten?\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try outsideFile("precious\n")
        defer { try? FileManager.default.removeItem(at: outside.directory) }
        try FileManager.default.createDirectory(atPath: path(directory, ".parrun/logs"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path(directory, ".parrun/logs/a.log"), withDestinationPath: outside.file)

        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("refusing to follow the symbolic link at .parrun/logs/a.log"), "\(run.stderr)")
        #expect(try String(contentsOfFile: outside.file, encoding: .utf8) == "precious\n")

        // Nor is it read through: logs shows nothing of the target, and says why.
        let logs = try CLITests.run(["logs", "a"], in: directory)
        #expect(!logs.stdout.contains("precious"), "\(logs.stdout)")
        #expect(logs.stderr.contains("is a symbolic link"), "\(logs.stderr)")
    }

    @Test func aLinkPlantedAtTheLogsDirectoryIsRefused() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    echo somewhere else?\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createDirectory(atPath: path(directory, ".parrun"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path(directory, ".parrun/logs"), withDestinationPath: outside.path)

        let run = try CLITests.run(["-q"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("refusing to follow the symbolic link at .parrun/logs;"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == [])
    }

    @Test func aLinkPlantedAtTheClaimsFileIsRefused() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    echo ran > ran.txt\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try outsideFile("precious\n")
        defer { try? FileManager.default.removeItem(at: outside.directory) }
        let missing = outside.directory.appendingPathComponent("created-by-parrun?").path
        try FileManager.default.createDirectory(atPath: path(directory, ".parrun"), withIntermediateDirectories: true)
        for (name, target) in [("claims", missing), ("lock", outside.file)] {
            try? FileManager.default.removeItem(atPath: path(directory, ".parrun/" + name))
            try FileManager.default.createSymbolicLink(atPath: path(directory, ".parrun/" + name), withDestinationPath: target)
            let run = try CLITests.run(["-q"], in: directory)
            #expect(run.status == 2, "\(name): \(run.stderr)")
            #expect(run.stderr.contains("refusing to follow the symbolic link at .parrun/\(name)"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path(directory, "ran.txt")), "nothing ran")
            try FileManager.default.removeItem(atPath: path(directory, ".parrun/" + name))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(try String(contentsOfFile: outside.file, encoding: .utf8) == "precious\n")
    }

    @Test func cleanRemovesOnlyWhatParrunMadeAndNeverFollowsALink() throws {
        let long = String(repeating: "z", count: 300)
        let directory = try CLITests.directory(["Parrunfile": "a:\n    echo a\n\(long):\n    echo z\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outside = try CLITests.directory(["keep.log": "outside\n", "inner/deep.log": "deep\n"])
        defer { try? FileManager.default.removeItem(at: outside) }
        #expect(try CLITests.run(["-q"], in: directory).status == 0)
        let logs = path(directory, ".parrun/logs")
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: logs + "/notes.txt"))
        try FileManager.default.createSymbolicLink(atPath: logs + "/x", withDestinationPath: outside.path)
        // Named like a log: the link goes, what it points to stays.
        try FileManager.default.createSymbolicLink(atPath: logs + "/b.log", withDestinationPath: outside.appendingPathComponent("keep.log").path)

        let clean = try CLITests.run(["clean"], in: directory)
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(clean.stderr.contains("left 2 files parrun did not create in .parrun/logs: notes.txt, x"), "\(clean.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: logs)) == ["notes.txt", "x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: path(directory, ".parrun")) == ["logs"])
        #expect(try String(contentsOf: outside.appendingPathComponent("keep.log"), encoding: .utf8) == "outside\n")
        #expect(try String(contentsOf: outside.appendingPathComponent("inner/deep.log"), encoding: .utf8) == "deep\n")
    }
}
