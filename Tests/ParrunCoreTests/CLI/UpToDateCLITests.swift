import Foundation
import Glibc
import Testing

/// Up-to-date checks through the real binary, on a 20-ticket build graph of
/// shell recipes that copy inputs to outputs and log their id to `runs.log`.
@Suite struct UpToDateCLITests {
    /// Ticket id -> (dependencies, inputs as declared, files the recipe reads, output).
    struct Rule {
        var id: String
        var dependencies: [String] = []
        var inputs: [String]
        var reads: [String]
        var output: String?
    }

    static let rules: [Rule] = {
        var rules = [Rule(id: "config", inputs: ["config.in"], reads: ["config.in"], output: "build/config.h")]
        for i in 0..<10 {
            let extra = i == 0 ? ["build/config.h"] : []
            rules.append(Rule(id: "c\(i)", dependencies: i == 0 ? ["config"] : [], inputs: ["src/s\(i).c"] + extra, reads: ["src/s\(i).c"] + extra, output: "obj/s\(i).o"))
        }
        rules.append(Rule(id: "lib0", dependencies: (0..<5).map { "c\($0)" }, inputs: ["obj/s[0-4].o"], reads: (0..<5).map { "obj/s\($0).o" }, output: "lib/lib0.a"))
        rules.append(Rule(id: "lib1", dependencies: (5..<10).map { "c\($0)" }, inputs: ["obj/s[5-9].o"], reads: (5..<10).map { "obj/s\($0).o" }, output: "lib/lib1.a"))
        rules.append(Rule(id: "bin0", dependencies: ["lib0", "lib1"], inputs: ["lib/*.a"], reads: ["lib/lib0.a", "lib/lib1.a"], output: "bin/app0"))
        rules.append(Rule(id: "bin1", dependencies: ["lib1"], inputs: ["lib/lib1.a"], reads: ["lib/lib1.a"], output: "bin/app1"))
        rules.append(Rule(id: "t0", dependencies: ["bin0"], inputs: ["bin/app0"], reads: ["bin/app0"], output: "test/t0.ok"))
        rules.append(Rule(id: "t1", dependencies: ["bin1"], inputs: ["bin/app1"], reads: ["bin/app1"], output: "test/t1.ok"))
        rules.append(Rule(id: "doc", inputs: ["docs/"], reads: ["docs/intro.md", "docs/api/ref.md"], output: "out/doc.html"))
        rules.append(Rule(id: "pkg", dependencies: ["t0", "t1", "doc"], inputs: ["bin/app0", "bin/app1", "out/doc.html"], reads: ["bin/app0", "bin/app1", "out/doc.html"], output: "dist/pkg.tar"))
        rules.append(Rule(id: "all", dependencies: ["pkg"], inputs: [], reads: [], output: nil))
        return rules
    }()

    static var manifest: String {
        let tickets = rules.map { rule -> String in
            var members = ["\"id\": \"\(rule.id)\""]
            if !rule.dependencies.isEmpty { members.append("\"dependsOn\": [" + rule.dependencies.map { "\"\($0)\"" }.joined(separator: ", ") + "]") }
            if let output = rule.output {
                members.append("\"inputs\": [" + rule.inputs.map { "\"\($0)\"" }.joined(separator: ", ") + "]")
                members.append("\"outputs\": [\"\(output)\"]")
                let directory = (output as NSString).deletingLastPathComponent
                members.append("\"run\": \"mkdir -p \(directory) && cat \(rule.reads.joined(separator: " ")) > \(output) && echo \(rule.id) >> runs.log\"")
            }
            return "{" + members.joined(separator: ", ") + "}"
        }
        return "{\"tickets\": [\n" + tickets.joined(separator: ",\n") + "\n]}\n"
    }

    /// The ticket and everything that depends on it, directly or not: what make would rebuild.
    static func withDependents(_ id: String) -> Set<String> {
        var result: Set<String> = [id]
        var changed = true
        while changed {
            changed = false
            for rule in rules where !result.contains(rule.id) && rule.dependencies.contains(where: result.contains) {
                result.insert(rule.id)
                changed = true
            }
        }
        return result
    }

    /// Tickets with recipes: the ones that log themselves.
    static let logging = Set(rules.filter { $0.output != nil }.map(\.id))

    static func project() throws -> URL {
        var files = ["tickets.json": manifest, "config.in": "cfg\n", "docs/intro.md": "# intro\n", "docs/api/ref.md": "ref\n"]
        for i in 0..<10 { files["src/s\(i).c"] = "int s\(i);\n" }
        return try CLITests.directory(files)
    }

    /// Runs parrun; returns the outcome and the ids that ran (from `runs.log`, then emptied).
    static func run(_ arguments: [String] = [], in directory: URL) throws -> (CLITests.Outcome, Set<String>) {
        let outcome = try CLITests.run(["-j2"] + arguments, in: directory)
        let log = directory.appendingPathComponent("runs.log")
        let ran = Set(((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init))
        try? FileManager.default.removeItem(at: log)
        return (outcome, ran)
    }

    /// Rewrites a file in place (same inode), keeping its size, and gives it back its modification time.
    static func rewriteKeepingStat(_ url: URL, _ content: String) throws {
        let modified = try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as! Date
        let handle = try FileHandle(forWritingTo: url)
        try handle.write(contentsOf: Data(content.utf8))
        try handle.truncate(atOffset: UInt64(content.utf8.count))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: url.path)
    }

    @Test func theSecondRunRunsNothingAndAnEditedInputRerunsExactlyItsTicketAndItsDependents() throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (first, ranFirst) = try Self.run(in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(ranFirst == Self.logging)

        let (second, ranSecond) = try Self.run(in: dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(ranSecond.isEmpty)
        #expect(second.stderr.contains("up to date c3\n") && second.stderr.contains("up to date all\n"), "\(second.stderr)")
        #expect(second.stderr.contains("parrun: nothing to do: 20 tickets up to date\n"), "\(second.stderr)")

        try Data("int s3 = 1;\n".utf8).write(to: dir.appendingPathComponent("src/s3.c"))
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("  c3      input src/s3.c changed\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("  lib0    dependency c3 reruns\n"), "\(dry.stdout)")
        let (third, ranThird) = try Self.run(in: dir)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(ranThird == Self.withDependents("c3").intersection(Self.logging))
        #expect(ranThird == ["c3", "lib0", "bin0", "t0", "pkg"])

        let (fourth, ranFourth) = try Self.run(in: dir)
        #expect(fourth.status == 0 && ranFourth.isEmpty, "\(ranFourth)")
    }

    @Test func aDeletedOutputRerunsItsTicket() throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Self.run(in: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("obj/s7.o"))
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("  c7      output obj/s7.o missing\n"), "\(dry.stdout)")
        let (outcome, ran) = try Self.run(in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(ran == Self.withDependents("c7").intersection(Self.logging))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("obj/s7.o").path))
    }

    @Test func aContentChangeWithinTheSameSecondIsSeen() throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Dated a little ahead, so the hash is surely taken within the margin of the modification.
        let source = dir.appendingPathComponent("src/s5.c")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(1)], ofItemAtPath: source.path)
        _ = try Self.run(in: dir)
        let (quiet, none) = try Self.run(in: dir)
        #expect(quiet.status == 0 && none.isEmpty, "\(none)")
        // Same size, same inode, same modification time: only the content differs.
        try Self.rewriteKeepingStat(source, "int s9;\n")
        let (outcome, ran) = try Self.run(in: dir)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(ran == Self.withDependents("c5").intersection(Self.logging))
        #expect(ran.contains("c5") && ran.contains("lib1") && ran.contains("bin1"))
    }

    @Test func alwaysRunRunsEverythingAndDryRunSaysWhy() throws {
        let dir = try Self.project()
        defer { try? FileManager.default.removeItem(at: dir) }
        let never = try CLITests.run(["-n"], in: dir)
        #expect(never.stdout.contains("  config  no earlier success\n"), "\(never.stdout)")
        _ = try Self.run(in: dir)
        let (forced, ran) = try Self.run(["-B"], in: dir)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(ran == Self.logging)
        let (_, afterForced) = try Self.run(["--always-run"], in: dir)
        #expect(afterForced == Self.logging)
        // A changed recipe: the manifest's text changes for one ticket.
        let manifest = dir.appendingPathComponent("tickets.json")
        let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "echo doc >>", with: "echo doc  >>")
        try Data(text.utf8).write(to: manifest)
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("  doc     recipe changed\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("up to date (17): "), "\(dry.stdout)")
        let json = try CLITests.run(["--json"], in: dir)
        #expect(json.stdout.components(separatedBy: "\"event\": \"ticket-up-to-date\"").count - 1 == 17, "\(json.stdout)")
    }

    // MARK: failure paths

    static func single(_ ticket: String) throws -> URL {
        try CLITests.directory(["Parrunfile": ticket, "in.txt": "x\n"])
    }

    @Test func anOutputThatIsADirectoryOrADanglingLinkRerunsAndSaysSo() throws {
        let dir = try Self.single(lines(
            "d:", "    @inputs in.txt", "    @outputs out/d", "    mkdir -p out/d",
            "l:", "    @inputs in.txt", "    @outputs out/l", "    mkdir -p out && ln -sf nowhere out/l"))
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try CLITests.run([], in: dir)
        #expect(first.status == 0)
        #expect(first.stderr.contains("parrun: warning: d succeeded but its output out/d is a directory, not a file; it runs again next time\n"), "\(first.stderr)")
        #expect(first.stderr.contains("parrun: warning: l succeeded but its output out/l is a symbolic link to nothing; it runs again next time\n"), "\(first.stderr)")
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("  d  output out/d is a directory, not a file\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("  l  output out/l is a symbolic link to nothing\n"), "\(dry.stdout)")
    }

    @Test func anInputGlobMatchingNothingIsAWarning() throws {
        let dir = try Self.single(lines("g:", "    @inputs none/*.c, in.txt", "    @outputs out.txt", "    cp in.txt out.txt"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run([], in: dir).status == 0)
        let again = try CLITests.run([], in: dir)
        #expect(again.status == 0, "a warning, not an error")
        #expect(again.stderr.contains("parrun: warning: input pattern 'none/*.c' of ticket g matches no file\n"), "\(again.stderr)")
        #expect(again.stderr.contains("up to date g\n"), "\(again.stderr)")
    }

    @Test func anInputThatCannotBeReadRerunsAndSaysWhy() throws {
        let dir = try Self.single(lines("p:", "    @inputs pipe, in.txt", "    @outputs out.txt", "    cp in.txt out.txt"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run([], in: dir).status == 0)
        // A FIFO: reading it would block, so it is never opened.
        #expect(mkfifo(dir.appendingPathComponent("pipe").path, 0o600) == 0)
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("  p  input pipe added\n") || dry.stdout.contains("  p  input pipe unreadable (not a regular file)\n"), "\(dry.stdout)")
        #expect(try CLITests.run([], in: dir).status == 0)
        let third = try CLITests.run(["-n"], in: dir)
        #expect(third.stdout.contains("  p  input pipe unreadable (not a regular file)\n"), "\(third.stdout)")
        #expect(third.stderr.contains("input pipe of ticket p cannot be read"), "\(third.stderr)")
    }

    @Test func aJournalFromBeforeFileHashesRerunsTheTicketOnce() throws {
        let dir = try Self.single(lines("t:", "    cp in.txt out.txt"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run([], in: dir).status == 0)
        // The same recipe, now with files: its success has no hashes to compare with.
        try Data(lines("t:", "    @inputs in.txt", "    @outputs out.txt", "    cp in.txt out.txt").utf8).write(to: dir.appendingPathComponent("Parrunfile"))
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("  t  no file hashes recorded (its last success predates them)\n"), "\(dry.stdout)")
        #expect(try CLITests.run([], in: dir).status == 0)
        #expect(try CLITests.run(["-n"], in: dir).stdout.contains("up to date (1): t\n"))
    }

    @Test func aTicketFinishedByResumeIsUpToDateInTheNextFreshRun() throws {
        let dir = try Self.single(lines(
            "a:", "    @inputs in.txt", "    @outputs a.txt", "    cp in.txt a.txt",
            "b: a", "    @inputs a.txt", "    @outputs b.txt", "    test -f ok && cp a.txt b.txt"))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run([], in: dir).status == 1)
        try Data().write(to: dir.appendingPathComponent("ok"))
        #expect(try CLITests.run(["--resume"], in: dir).status == 0)
        let dry = try CLITests.run(["-n"], in: dir)
        #expect(dry.stdout.contains("up to date (2): a, b\n"), "\(dry.stdout)")
        // And the failed attempt alone was never taken for a success.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b.txt"))
        #expect(try CLITests.run(["-n"], in: dir).stdout.contains("  b  output b.txt missing\n"))
    }
}
