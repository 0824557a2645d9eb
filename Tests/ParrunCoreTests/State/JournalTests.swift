import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState
@testable import ParrunSupport

/// The journal's format, reading rules and writers, on bytes and temp files.
@Suite struct JournalTests {
    static let owner = ProcessIdentity(pid: 42, startTicks: 1234, host: "box")
    static let child = ProcessIdentity(pid: 43, startTicks: 1240, host: "box")

    static let records: [JournalRecord] = [
        .header,
        .run(.init(run: "r1", manifest: "/work/Parrun \"file\"", manifestHash: "00ff", jobs: 3, owner: owner, time: 1.5, resumes: nil, joined: false)),
        .run(.init(run: "r2", manifest: "/work/ü\\x\n", manifestHash: "00ff", jobs: 1, owner: owner, time: 2, resumes: "r1", joined: true, worktree: true, branch: "main")),
        .start(.init(run: "r1", id: "build.all", attempt: 1, recipe: "abc", process: child, owner: owner, worker: 2, time: 1_795_000_000.25)),
        .end(.init(run: "r1", id: "build.all", attempt: 1, status: "failed", exitCode: 2, signal: nil, seconds: 0.5, time: 3, retry: true, owner: owner)),
        .end(.init(run: "r1", id: "t-2", attempt: 2, status: "failed", exitCode: nil, signal: "SIGKILL", seconds: 12, time: 4, retry: false, owner: .none)),
        .runEnd(.init(run: "r1", status: "succeeded", owner: owner, time: 5)),
        .writeBack(.init(run: "r1", id: "build.all", event: "success", ok: false, detail: "bd \"close\" exited 1", time: 11)),
        .writeBack(.init(run: "r1", id: "agent", event: "start", ok: true, detail: nil, time: 11.5)),
        .hook(.init(run: "r1", id: "agent", event: "failure", detail: "exited 7", time: 12)),
        .hook(.init(run: "r1", id: nil, event: "end", detail: "timed out after 1s and was stopped", time: 12.5)),
        // Every other kind, and the optional members of start and end records.
        .start(.init(run: "r1", id: "agent", attempt: 2, recipe: "def", process: child, owner: owner, worker: 1, time: 6, session: "s-1")),
        .end(.init(
            run: "r1", id: "agent", attempt: 2, status: "failed", exitCode: 1, signal: nil, seconds: 61.25, time: 7, owner: owner,
            stats: AgentStats(turns: 3, durationMs: 2500, costUSD: 0.0123, inputTokens: 10, outputTokens: 20, cacheReadTokens: 300, cacheCreationTokens: 4),
            detail: "error_max_turns")),
        .session(.init(run: "r1", id: "agent", attempt: 2, session: "s-1", time: 6.5)),
        // A killed attempt's cost, estimated from the tokens it showed.
        .end(.init(
            run: "r1", id: "agent", attempt: 3, status: "timed-out", exitCode: nil, signal: "SIGTERM", seconds: 30, time: 7.25, owner: owner,
            stats: AgentStats(costUSD: 0.0002, inputTokens: 25, outputTokens: 1, estimated: true))),
        .verify(.init(run: "r1", id: "agent", attempt: 2, passed: false, exitCode: 1, time: 7.5)),
        .verify(.init(run: "r1", id: "build.all", attempt: 1, passed: true, exitCode: nil, time: 7.75)),
        .review(.init(run: "r1", id: "agent", approved: false, reason: "tests \"flaky\"", time: 8)),
        .review(.init(run: "r1", id: "agent", approved: true, reason: nil, time: 9)),
        .slurmJob(.init(run: "r1", id: "build.all", attempt: 1, job: "4711", time: 10)),
        .landing(.init(run: "r1", id: "build.all", branch: "main", base: "0a1b", landed: "2c3d", time: 10.5)),
        .files(.init(
            run: "r1", id: "build.all", recipe: "abc", stamp: "5e", time: 11.25,
            inputs: [.init(path: "src/a \"b\".c", hash: "00112233aabbccdd", size: 10, modified: 1_795_000_000_123_456_789, inode: 77), .init(path: "gone", hash: nil)],
            outputs: [.init(path: "out/a.o", hash: "ffeeddccbbaa9988", size: 3, modified: 5, inode: UInt64.max)],
            dependencies: [.init(id: "t-2", stamp: "aa"), .init(id: "agent", stamp: nil)])),
    ]

    /// Lines as parrun has written them since format version 1: they must
    /// still read, and today's writer must write them byte for byte.
    static let writtenLines = [
        #"{"v":1,"type":"journal","program":"parrun"}"#,
        #"{"v":1,"type":"write-back","run":"r1","id":"a","event":"failure","ok":false,"detail":"`bd comments` exited 1","time":5.75}"#,
        #"{"v":1,"type":"hook","run":"r1","id":null,"event":"end","detail":"exited 2","time":5.8}"#,
        #"{"v":1,"type":"run","run":"r1","manifest":"/work/Parrunfile","manifestHash":"00ff","jobs":3,"owner":{"pid":42,"start":1234,"host":"box"},"time":1.5,"resumes":null,"joined":false}"#,
        #"{"v":1,"type":"run","run":"r2","manifest":"/work/Parrunfile","manifestHash":"00ff","jobs":1,"owner":{"pid":42,"start":1234,"host":"box"},"time":2,"resumes":"r1","joined":true,"worktree":true,"branch":"main"}"#,
        #"{"v":1,"type":"start","run":"r1","id":"a","attempt":1,"recipe":"abc","process":{"pid":43,"start":1240,"host":"box"},"owner":{"pid":42,"start":1234,"host":"box"},"worker":2,"time":3.25,"session":"s-1"}"#,
        #"{"v":1,"type":"session","run":"r1","id":"a","attempt":1,"session":"s-1","time":3.5}"#,
        #"{"v":1,"type":"slurm-job","run":"r1","id":"a","attempt":1,"job":"4711","time":3.75}"#,
        #"{"v":1,"type":"verify","run":"r1","id":"a","attempt":1,"passed":false,"exitCode":1,"time":4}"#,
        #"{"v":1,"type":"end","run":"r1","id":"a","attempt":1,"status":"failed","exitCode":null,"signal":"SIGKILL","seconds":0.5,"time":4.5,"retry":true,"owner":{"pid":42,"start":1234,"host":"box"},"stats":{"turns":3,"durationMs":2500,"costUsd":0.25,"inputTokens":10,"outputTokens":20,"cacheReadTokens":300,"cacheCreationTokens":4},"detail":"error_max_turns"}"#,
        #"{"v":1,"type":"review","run":"r1","id":"a","approved":false,"reason":"not yet","time":5}"#,
        #"{"v":1,"type":"landing","run":"r1","id":"a","branch":"main","base":"0a1b","landed":"2c3d","time":5.5}"#,
        #"{"v":1,"type":"files","run":"r1","id":"a","recipe":"abc","stamp":"5e","time":5.75,"inputs":[["src/a.c","00112233aabbccdd",10,1795000000123456789,77],["gone",null,0,0,0]],"outputs":[["out/a.o","ffeeddccbbaa9988",3,5,18446744073709551615]],"dependencies":[["b","aa"],["c",null]]}"#,
        #"{"v":1,"type":"run-end","run":"r1","status":"failed","owner":{"pid":42,"start":1234,"host":"box"},"time":6}"#,
    ]

    private func parse(_ text: String) throws(JournalError) -> JournalContents {
        try JournalReader.parse(Array(text.utf8), path: "j")
    }

    @Test func everyRecordKindSurvivesARoundTrip() throws {
        let text = Self.records.map(\.line).joined()
        let contents = try parse(text)
        #expect(contents.records == Self.records)
        #expect(contents.tornLastLine == nil)
        #expect(contents.completeLength == text.utf8.count)
    }

    @Test func theRoundTripCoversEveryKindOfRecord() {
        #expect(Set(Self.records.map(\.kind)) == Set(JournalRecord.Kind.allCases), "add a record of the new kind to `records`")
    }

    @Test func linesWrittenByEarlierVersionsReadAndAreWrittenTheSame() throws {
        let text = Self.writtenLines.map { $0 + "\n" }.joined()
        let contents = try parse(text)
        #expect(contents.records.count == Self.writtenLines.count)
        #expect(Set(contents.records.map(\.kind)) == Set(JournalRecord.Kind.allCases))
        #expect(contents.records.map(\.line).joined() == text)
    }

    /// The fast decoder and the full JSON parser agree on every line the writer makes.
    @Test func theFastDecoderAgreesWithTheFullParser() throws {
        for record in Self.records {
            let line = Array(record.line.utf8.dropLast())
            let full = try line.withUnsafeBufferPointer { try JSONParser.parse($0) }
            let slow = try JournalReader.decode(full, line: 1, path: "j")
            var cache = JournalLineDecoder.Cache()
            let fast = line.withUnsafeBufferPointer { JournalLineDecoder.decode($0, cache: &cache) }
            #expect(slow == record)
            switch record {
            case .start, .end, .landing: #expect(fast == record, "ticket records take the fast path")
            default: #expect(fast == nil, "run records are left to the full parser")
            }
        }
    }

    @Test(arguments: [
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":01,"status":"failed","exitCode":null,"signal":null,"seconds":0,"time":1,"retry":false}"#,
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":1,"status":"failed","exitCode":null,"signal":null,"seconds":0,"time":1,"retry":false,}"#,
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":1,"status":"failed","exitCode":null,"signal":null,"seconds":0,"time":1,"retry":fals}"#,
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":1,"status":"failed","exitCode":null,"signal":null,"seconds":0,"time":1.,"retry":false}"#,
        #"{"v":1,"type":"start","run":"r","id":"a"}"#,
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":true,"status":"failed","seconds":0,"time":1}"#,
        #"{"v":1,"type":"end","run":"r","id":"a","attempt":1,"status":"failed","seconds":0,"time":1} x"#,
        "not json at all",
    ])
    func aDamagedLineInTheMiddleIsAnError(line: String) throws {
        let text = JournalRecord.header.line + line + "\n" + Self.records[1].line
        #expect(throws: JournalError.corrupt(line: 2, path: "j")) { try parse(text) }
    }

    @Test func aTornLastLineIsIgnoredAndReported() throws {
        let whole = Self.records[0].line + Self.records[3].line
        for torn in [#"{"v":1,"type":"end","run":"r1","id":"bu"#, String(Self.records[4].line.dropLast())] {
            let contents = try parse(whole + torn)
            #expect(contents.records == [Self.records[0], Self.records[3]], "a line without its line break is not trusted")
            #expect(contents.tornLastLine == 3)
            #expect(contents.completeLength == whole.utf8.count)
        }
    }

    @Test func anotherVersionIsRefusedAndUnknownTypesAreSkipped() throws {
        #expect(throws: JournalError.unknownVersion(2, line: 2, path: "j")) {
            try parse(JournalRecord.header.line + #"{"v":2,"type":"end"}"# + "\n")
        }
        let contents = try parse(JournalRecord.header.line + "\n" + #"{"v":1,"type":"approval","id":"a"}"# + "\n")
        #expect(contents.records == [.header])
        let message = JournalError.unknownVersion(2, line: 2, path: ".parrun/journal.jsonl").message
        #expect(message.hasPrefix(".parrun/journal.jsonl:2: journal format version 2"))
        #expect(message.contains("move the state directory aside"))
    }

    private func temporaryDirectory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func theWriterAppendsAfterOneHeaderAndTheFollowerSeesOnlyOthers() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let mine = try JournalWriter(directory: directory)
        let follower = JournalFollower(path: mine.path, offset: 0, skipping: Self.owner)
        mine.append(Self.records[3])
        #expect(mine.isDirty)
        mine.sync()
        #expect(!mine.isDirty)
        let theirs = try JournalWriter(directory: directory)
        theirs.append(Self.records[5])
        // Only the other process's record; the header comes once.
        #expect(follower.newRecords(ownBytesWritten: mine.bytesWritten) == [.header, Self.records[5]])
        mine.append(Self.records[4])
        #expect(follower.newRecords(ownBytesWritten: mine.bytesWritten).isEmpty, "its own end is passed over")
        // Half a line is held back until the rest arrives.
        let line = Self.records[5].line
        let handle = try #require(FileHandle(forWritingAtPath: mine.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8.prefix(20)))
        #expect(follower.newRecords(ownBytesWritten: mine.bytesWritten).isEmpty)
        try handle.write(contentsOf: Data(line.utf8.dropFirst(20)))
        try handle.close()
        #expect(follower.newRecords(ownBytesWritten: mine.bytesWritten) == [Self.records[5]])
        let all = try JournalReader.read(mine.path).records
        #expect(all == [.header, Self.records[3], Self.records[5], Self.records[4], Self.records[5]])
    }

    @Test func compactionKeepsOnlyTheLatestChainOfOtherManifests() {
        func run(_ id: String, _ manifest: String, resumes: String? = nil) -> JournalRecord {
            .run(.init(run: id, manifest: manifest, manifestHash: "", jobs: 1, owner: Self.owner, time: 0, resumes: resumes, joined: false))
        }
        func end(_ run: String) -> JournalRecord {
            .end(.init(run: run, id: "a", attempt: 1, status: "succeeded", exitCode: 0, signal: nil, seconds: 0, time: 0))
        }
        let records: [JournalRecord] = [
            .header, run("o1", "/other"), end("o1"), run("m1", "/mine"), end("m1"),
            run("o2", "/other"), end("o2"), run("o3", "/other", resumes: "o2"), end("o3"),
        ]
        let kept = JournalCompaction.kept(records, droppingManifest: "/mine")
        #expect(kept == [.header, run("o2", "/other"), end("o2"), run("o3", "/other", resumes: "o2"), end("o3")])
        #expect(JournalCompaction.kept(kept ?? [], droppingManifest: "/mine") == nil, "nothing more to drop")
    }

    @Test func aClaimHeldByOneOpenFileIsRefusedToAnother() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Claims(stateDirectory: directory, manifest: "/m")
        let second = try Claims(stateDirectory: directory, manifest: "/m")
        #expect(first.claim("a"))
        #expect(first.claim("a"), "claiming again (a retry) keeps it")
        #expect(!second.claim("a"))
        #expect(second.isHeldElsewhere("a"))
        #expect(!first.isHeldElsewhere("a"), "its own lock is not another's")
        #expect(second.claim("b"), "claims on other tickets are independent")
        first.release("a")
        #expect(!second.isHeldElsewhere("a"))
        #expect(second.claim("a"))
        #expect(Claims.offset(of: "a", manifest: "/m") != Claims.offset(of: "b", manifest: "/m"))
        #expect(Claims.offset(of: "a", manifest: "/m") >= 0)
        let otherManifest = try Claims(stateDirectory: directory, manifest: "/other")
        #expect(otherManifest.claim("a") && !otherManifest.isHeldElsewhere("a"), "another manifest's ticket 'a' is another ticket")
    }

    @Test func stableHashIsFNV1a() {
        // FNV-1a 64 of "a" is af63dc4c8601ec8c; a part adds the separator byte 0xFF.
        #expect(StableHash.hex(bytes: Array("a".utf8)) == "af63dc4c8601ec8c")
        #expect(StableHash.hex(["a"]) == StableHash.hex(bytes: Array("a".utf8) + [0xFF]))
        #expect(StableHash.hex(["ab", "c"]) != StableHash.hex(["a", "bc"]))
        // Always 16 digits: a value with leading zero digits keeps them (FNV-1a 64 of "t39200").
        #expect(StableHash.hex(bytes: Array("t39200".utf8)) == "003dae4f81f4f413")
    }

    /// A recipe's hash must not change between releases (a changed one reruns the
    /// ticket on `--resume`): the parts, in their order, as journals already hold them.
    @Test func aRecipeHashIsTheStableHashOfItsPartsInTheirOrder() {
        var ticket = Ticket(id: "a", idSpan: SourceSpan(offset: 0), recipe: .shell("make"), workingDirectory: "sub",
                            environment: [EnvironmentVariable(name: "K", value: "v")])
        let shell = ["/bin/sh", "-c"], claude = ["claude", "-p"], codex = ["codex", "exec"]
        #expect(RecipeHash.of(ticket, shell: shell, claude: claude, codex: codex)
            == StableHash.hex(["shell", "/bin/sh", "-c", "make", "sub", "K", "v"]))
        ticket.recipe = .prompt("p")
        #expect(RecipeHash.of(ticket, shell: shell, claude: claude, codex: codex)
            == StableHash.hex(["prompt", "claude", "-p", "p", "sub", "K", "v"]))
        ticket.agent = .codex
        #expect(RecipeHash.of(ticket, shell: shell, claude: claude, codex: codex)
            == StableHash.hex(["prompt", "agent", "codex", "codex", "exec", "p", "sub", "K", "v"]))
        ticket.recipe = .none
        ticket.workingDirectory = nil
        ticket.environment = []
        #expect(RecipeHash.of(ticket, shell: shell, claude: claude, codex: codex) == StableHash.hex(["none", ""]))
        // FNV-1a 64 of "none", 0xFF, 0xFF, computed apart from this code.
        #expect(StableHash.hex(["none", ""]) == "6238166e9bbb6d29")
    }
}
