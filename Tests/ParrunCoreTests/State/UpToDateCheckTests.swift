import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// A file system in memory: paths to contents and stat facts; counts hashes.
final class FakeFiles: FileObserving {
    struct File {
        var content: String
        var modified: Int64
        var inode: UInt64
    }

    var files: [String: File] = [:]
    var directories: Set<String> = []
    var danglingLinks: Set<String> = []
    var unreadable: Set<String> = []
    private(set) var hashes = 0
    private var nextInode: UInt64 = 1

    func write(_ path: String, _ content: String, modified: Int64 = 1_000_000_000_000) {
        let inode = files[path]?.inode ?? { nextInode += 1; return nextInode }()
        files[path] = File(content: content, modified: modified, inode: inode)
    }

    func status(_ path: String) throws(SystemError) -> FileStatus? {
        if directories.contains(path) { return FileStatus(kind: .directory, size: 0, modified: 0, inode: 1) }
        if danglingLinks.contains(path) { return FileStatus(kind: .danglingLink, size: 0, modified: 0, inode: 1) }
        guard let file = files[path] else { return nil }
        return FileStatus(kind: .regular, size: file.content.utf8.count, modified: file.modified, inode: file.inode)
    }

    func hash(_ path: String) throws(SystemError) -> (hash: String, status: FileStatus) {
        if unreadable.contains(path) { throw SystemError(call: "open", path: path, code: 13) }
        guard let file = files[path], let status = try status(path) else { throw SystemError(call: "open", path: path, code: 2) }
        hashes += 1
        return (ContentHash.hex(Array(file.content.utf8)), status)
    }

    func entries(_ path: String) -> [(name: String, isDirectory: Bool)]? {
        let prefix = path == "." ? "" : path + "/"
        var names: [String: Bool] = [:]
        for file in files.keys where file.hasPrefix(prefix) {
            let rest = file.dropFirst(prefix.count)
            let parts = rest.split(separator: "/", maxSplits: 1)
            names[String(parts[0])] = parts.count > 1
        }
        return names.isEmpty ? nil : names.map { ($0.key, $0.value) }
    }
}

/// The up-to-date decision on a fake file system, from journal records: no
/// process, no disk. A fresh run's check, then "the run" is simulated by
/// writing the records a successful run writes.
@Suite struct UpToDateCheckTests {
    /// gen -> compile -> link, and doc alone; all/group waits for link and doc.
    static let manifest = lines(
        "gen:", "    @inputs gen.in", "    @outputs src/gen.h", "    true",
        "compile: gen", "    @inputs src/*.c, src/gen.h", "    @outputs obj/a.o", "    true",
        "link: compile", "    @inputs obj/a.o", "    @outputs bin/app", "    true",
        "doc:", "    @inputs docs/", "    @outputs out/doc.html", "    true",
        "all: link doc")

    /// Wall time of the checks: files were written long before (1,000 s after 1970).
    static let later = 100_000.0

    let files = FakeFiles()
    let graph: TicketGraph

    init() throws {
        graph = try validGraph(Self.manifest)
        files.write("gen.in", "g")
        files.write("src/a.c", "int a;")
        files.write("src/b.c", "int b;")
        files.write("src/gen.h", "#define G")
        files.write("obj/a.o", "A")
        files.write("bin/app", "APP")
        files.write("docs/intro.md", "# hi")
        files.write("docs/deep/more.md", "more")
        files.write("out/doc.html", "<p>")
    }

    func recipes(_ changed: String? = nil) -> [String] { graph.tickets.map { "r-" + $0.id + ($0.id == changed ? "2" : "") } }

    /// Records of a run in which every ticket succeeded (run "r1" of manifest "m"), hashed at `time`.
    func successfulRun(time: Double = later - 10) -> [JournalRecord] {
        let snapshotter = FileSnapshotter(files: files, base: ".")
        let recorder = TicketFileRecorder(graph: graph, recipeHashes: recipes(), runID: "r1", snapshotter: snapshotter, stamps: graph.tickets.map { _ in nil })
        _ = snapshotter
        var records: [JournalRecord] = [.run(.init(run: "r1", manifest: "m", manifestHash: "", jobs: 1, owner: .none, time: 0, resumes: nil, joined: false))]
        for ticket in graph.topologicalOrder {
            recorder.willStart(ticket)
            records.append(.end(.init(run: "r1", id: graph.tickets[ticket].id, attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 0, time: 1)))
            if case .files(var record)? = recorder.succeeded(ticket, attempt: 1) {
                record.time = time
                records.append(.files(record))
            }
        }
        return records
    }

    func check(_ records: [JournalRecord], recipes: [String]? = nil, manifest: String = "m") -> (reasons: [String: String], hashes: Int, check: UpToDateCheck) {
        var snapshotter = FileSnapshotter(files: files, base: ".")
        let before = files.hashes
        let check = UpToDateCheck(
            graph: graph, runs: graph.tickets.map { _ in true }, recipeHashes: recipes ?? self.recipes(),
            past: .init(records: records, manifest: manifest), snapshotter: &snapshotter, run: "r2", now: Self.later)
        var reasons: [String: String] = [:]
        for (index, ticket) in graph.tickets.enumerated() {
            #expect(check.upToDate[index] == (check.reasons[index] == nil))
            if let reason = check.reasons[index] { reasons[ticket.id] = reason.description }
        }
        return (reasons, files.hashes - before, check)
    }

    @Test func nothingChangedMeansEverythingIsUpToDateWithoutReadingAFile() {
        let result = check(successfulRun())
        #expect(result.reasons == [:])
        #expect(result.hashes == 0, "old files with unchanged stat facts are not read again")
        #expect(result.check.warnings.isEmpty)
        #expect(result.check.records.count == 4, "the four tickets with files are carried forward; the group has none")
    }

    @Test func aChangedInputRerunsItsTicketAndEveryDependent() {
        let records = successfulRun()
        files.write("src/b.c", "int c;", modified: 2_000_000_000_000)
        #expect(check(records).reasons == [
            "compile": "input src/b.c changed", "link": "dependency compile reruns", "all": "dependency link reruns",
        ])
    }

    @Test func aContentChangeKeepingSizeTimeAndInodeIsSeenWhenTheFileWasYoungWhenHashed() {
        // Hashed within the trust margin of its modification: the same stat facts prove nothing.
        let young = Int64((Self.later - 10 - 0.5) * 1e9)
        files.write("gen.in", "g", modified: young)
        let records = successfulRun()
        files.write("gen.in", "h", modified: young)
        #expect(check(records).reasons["gen"] == "input gen.in changed")
    }

    @Test func anOldFileWithTheSameStatFactsIsTrustedAsMakeWould() {
        let records = successfulRun()
        files.write("gen.in", "h")  // same size, modification time and inode, hashed long after
        #expect(check(records).reasons["gen"] == nil)
    }

    @Test func aRenewedHashIsTrustedOnlyOnceTheFileIsOldEnough() {
        let young = Int64((Self.later - 1) * 1e9)
        files.write("gen.in", "g", modified: young)
        let first = check(successfulRun(time: Self.later - 1.5))
        #expect(first.reasons["gen"] == nil)
        #expect(first.hashes >= 1, "a file modified within the margin of its hash is hashed again")
    }

    @Test func aMissingOrStrangeOutputRerunsItsTicket() {
        let records = successfulRun()
        files.files["bin/app"] = nil
        #expect(check(records).reasons["link"] == "output bin/app missing")
        files.directories.insert("bin/app")
        #expect(check(records).reasons["link"] == "output bin/app is a directory, not a file")
        files.directories.remove("bin/app")
        files.danglingLinks.insert("bin/app")
        #expect(check(records).reasons["link"] == "output bin/app is a symbolic link to nothing")
        #expect(check(records).reasons["all"] == "dependency link reruns")
    }

    @Test func anOutputChangedByHandRerunsItsTicket() {
        let records = successfulRun()
        files.write("out/doc.html", "<b>", modified: 3_000_000_000_000)
        #expect(check(records).reasons["doc"] == "output out/doc.html changed")
    }

    @Test func anUnreadableInputRerunsWithAWarning() {
        let records = successfulRun()
        files.write("src/a.c", "int z;", modified: 2_000_000_000_000)
        files.unreadable.insert("src/a.c")
        let result = check(records)
        #expect(result.reasons["compile"] == "input src/a.c unreadable (Permission denied)")
        #expect(result.check.warnings.contains { $0.contains("src/a.c") && $0.contains("cannot be read") })
    }

    @Test func filesAddedToOrRemovedFromAGlobRerun() {
        let records = successfulRun()
        files.write("src/c.c", "int c;")
        #expect(check(records).reasons["compile"] == "input src/c.c added")
        files.files["src/c.c"] = nil
        files.files["docs/deep/more.md"] = nil
        #expect(check(records).reasons["doc"] == "input docs/deep/more.md removed")
    }

    @Test func aGlobMatchingNothingIsAWarningNotAnError() throws {
        let graph = try validGraph(lines("t:", "    @inputs none/*.x", "    @outputs o", "    true"))
        files.write("o", "o")
        var snapshotter = FileSnapshotter(files: files, base: ".")
        let check = UpToDateCheck(graph: graph, runs: [true], recipeHashes: ["r"], past: .init(), snapshotter: &snapshotter, run: "r", now: Self.later)
        #expect(check.reasons == [.noEarlierSuccess], "with no earlier success nothing is hashed, so nothing to warn of")
        let entry = JournalRecord.FileEntry(path: "o", hash: ContentHash.hex(Array("o".utf8)), size: 1, modified: 1_000_000_000_000, inode: files.files["o"]!.inode)
        let record = JournalRecord.FilesRecord(run: "r1", id: "t", recipe: "r", stamp: "s", time: 50_000, inputs: [], outputs: [entry], dependencies: [])
        let again = UpToDateCheck(graph: graph, runs: [true], recipeHashes: ["r"], past: .init(files: ["t": record], lastStatus: ["t": "succeeded"]), snapshotter: &snapshotter, run: "r", now: Self.later)
        #expect(again.upToDate == [true])
        #expect(again.warnings == ["parrun: warning: input pattern 'none/*.x' of ticket t matches no file"])
    }

    @Test func theRecipeTheLastAttemptAndTheHistoryDecide() {
        let records = successfulRun()
        #expect(check(records, recipes: recipes("link")).reasons["link"] == "recipe changed")
        let failed = records + [.end(.init(run: "r1", id: "doc", attempt: 2, status: "failed", exitCode: 1, signal: nil, seconds: 0, time: 9))]
        #expect(check(failed).reasons["doc"] == "last attempt failed")
        #expect(check([]).reasons["gen"] == "no earlier success")
        #expect(check(records, manifest: "other").reasons["gen"] == "no earlier success", "another manifest's records say nothing")
        // A journal from before files records: a success, and no hashes.
        let old = records.filter { if case .files = $0 { false } else { true } }
        #expect(check(old).reasons["gen"] == "no file hashes recorded (its last success predates them)")
    }

    @Test func aDependencyThatSucceededSinceRerunsItsDependents() {
        var records = successfulRun()
        // compile ran again alone after its input changed (its dependents then failed, or were not run).
        files.write("src/b.c", "int c;", modified: 2_000_000_000_000)
        let first = check(records)
        let recorder = TicketFileRecorder(graph: graph, recipeHashes: recipes(), runID: "r1", snapshotter: FileSnapshotter(files: files, base: "."), stamps: first.check.stamps)
        let compile = graph.indexByID["compile"]!
        recorder.willStart(compile)
        records.append(.end(.init(run: "r1", id: "compile", attempt: 2, status: "succeeded", exitCode: 0, signal: nil, seconds: 0, time: 3)))
        records.append(recorder.succeeded(compile, attempt: 2)!)
        #expect(check(records).reasons == ["link": "dependency compile changed", "all": "dependency link reruns"])
    }

    @Test func theRecordsOfUpToDateTicketsCarryTheSameStamps() {
        let records = successfulRun()
        let result = check(records)
        let earlier = Dictionary(uniqueKeysWithValues: records.compactMap { if case .files(let r) = $0 { (r.id, r.stamp) } else { nil } })
        for (_, record) in result.check.records { #expect(record.stamp == earlier[record.id]) }
        let carried = TicketFileRecorder.carriedForward(result.check, run: "r9")
        #expect(carried.count == 4)
        #expect(carried.allSatisfy { if case .files(let r) = $0 { r.run == "r9" && r.time == Self.later } else { false } })
        // The next check from the carried records alone finds everything up to date again.
        let next = [JournalRecord.run(.init(run: "r9", manifest: "m", manifestHash: "", jobs: 1, owner: .none, time: 0, resumes: nil, joined: false))] + carried
        #expect(check(next).reasons == [:])
    }

    @Test func xxh64MatchesItsReferenceVectorsInAnyChunking() {
        #expect(ContentHash.hex([]) == "ef46db3751d8e999")
        #expect(ContentHash.hex(Array("a".utf8)) == "d24ec4f1a98c6e5b")
        #expect(ContentHash.hex(Array("abc".utf8)) == "44bc2cf5ad770999")
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = ContentHash.hex(bytes)
        for chunk in [1, 7, 31, 32, 33, 100] {
            var hash = ContentHash()
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + chunk, bytes.count)
                bytes[offset..<end].withUnsafeBytes { hash.add($0) }
                offset = end
            }
            #expect(hash.hex == whole, "chunks of \(chunk)")
        }
    }
}
