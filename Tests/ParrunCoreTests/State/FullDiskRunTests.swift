import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunPlatform
@testable import ParrunState

/// A real full file system under the state directory (a small tmpfs): the run
/// stops with exit 5 and says why, starts no dependent whose dependency's end
/// was not recorded, and `--resume` finishes once there is room, redoing
/// nothing whose success was recorded.
@Suite(.enabled(if: SmallFileSystem.canMount, SmallFileSystem.whyNot))
struct FullDiskRunTests {
    @Test(.timeLimit(.minutes(4)))
    func aFullDiskStopsTheRunAndResumeFinishesIt() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state")
        let disk = try SmallFileSystem(at: state.path, bytes: 256 * 1024)
        defer { disk.unmount() }
        let count = 120
        let work = try ChainProject.make(in: directory, count: count)
        // Room for a few dozen records, then ENOSPC.
        try disk.fill(leaving: 12 * 1024)
        let full = try CLITests.run(["-q", "--state-dir", state.path], in: work)
        #expect(full.status == 5, "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device"), "the system's reason: \(full.stderr)")
        #expect(full.stderr.contains(state.path), "the path: \(full.stderr)")
        let ranFirst = try String(contentsOf: directory.appendingPathComponent("ran.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(ranFirst.count < count, "the run stopped early")
        let recorded = try JournalReader.read(state.path + "/" + JournalWriter.fileName).records.compactMap { record -> String? in
            if case .end(let end) = record, end.status == "succeeded" { return end.id }
            return nil
        }
        // A ticket starts only once its dependency's end is durable: at most one ran past the last record.
        #expect(ranFirst.count <= recorded.count + 1, "ran \(ranFirst.count), recorded \(recorded.count)")

        disk.emptyFiller()
        let resumed = try CLITests.run(["-q", "--resume", "--state-dir", state.path], in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ranAll = try String(contentsOf: directory.appendingPathComponent("ran.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        let rerun = Array(ranAll.dropFirst(ranFirst.count))
        #expect(Set(ranAll) == Set((0..<count).map { "t\($0)" }), "every ticket ran")
        #expect(Set(rerun).isDisjoint(with: recorded), "nothing recorded as succeeded ran again: \(Set(rerun).intersection(recorded))")
    }
}

/// The same fault without root: a file-size limit (RLIMIT_FSIZE, SIGXFSZ
/// ignored, set in the shell that execs parrun) makes the journal's writes
/// fail with EFBIG once it reaches the limit, as a full disk would.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/sh"), "needs /bin/sh to set the limit"))
struct FileSizeLimitRunTests {
    @Test(.timeLimit(.minutes(4)))
    func aFileSizeLimitStopsTheRunAndResumeFinishesIt() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 120
        let work = try ChainProject.make(in: directory, count: count)
        let state = directory.appendingPathComponent("state").path
        // 24 blocks (of 512 or 1024 bytes, as the shell counts): room for a dozen tickets or more, not 120.
        let limited = try FileSizeLimit.run(["-q", "--state-dir", state], blocks: 24, in: work)
        #expect(limited.status == 5, "\(limited.stderr)")
        #expect(limited.stderr.contains("cannot write \(state)/\(JournalWriter.fileName): File too large"), "\(limited.stderr)")
        let ranFirst = try String(contentsOf: directory.appendingPathComponent("ran.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(ranFirst.count < count, "the run stopped early")
        let contents = try JournalReader.read(state + "/" + JournalWriter.fileName)
        #expect(contents.tornLastLine == nil, "the short write was taken back")
        let recorded = contents.records.compactMap { record -> String? in
            if case .end(let end) = record, end.status == "succeeded" { return end.id }
            return nil
        }
        #expect(ranFirst.count <= recorded.count + 1, "ran \(ranFirst.count), recorded \(recorded.count)")

        let resumed = try CLITests.run(["-q", "--resume", "--state-dir", state], in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ranAll = try String(contentsOf: directory.appendingPathComponent("ran.txt"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(Set(ranAll) == Set((0..<count).map { "t\($0)" }), "every ticket ran")
        #expect(Set(ranAll.dropFirst(ranFirst.count)).isDisjoint(with: recorded), "nothing recorded as succeeded ran again")
    }
}

/// `parrun approve` on a full disk: its record cannot be written, so it
/// exits 5 with the reason instead of reporting a decision it did not keep.
@Suite(.enabled(if: SmallFileSystem.canMount, SmallFileSystem.whyNot))
struct FullDiskReviewTests {
    @Test func approveOnAFullDiskExits5() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let state = directory.appendingPathComponent("state").path
        let disk = try SmallFileSystem(at: state, bytes: 64 * 1024)
        defer { disk.unmount() }
        let manifest = try #require(FileSystem.absolutePath(directory.appendingPathComponent("Parrunfile").path))
        let owner = ProcessIdentity(pid: 1, startTicks: 1, host: "box")
        let writer = try JournalWriter(directory: state)
        writer.append(.run(.init(run: "r1", manifest: manifest, manifestHash: "00", jobs: 1, owner: owner, time: 1, resumes: nil, joined: false)))
        writer.append(.end(.init(run: "r1", id: "a", attempt: 1, status: "awaiting-review", exitCode: 0, signal: nil, seconds: 1, time: 2, owner: owner)))
        writer.append(.runEnd(.init(run: "r1", status: "succeeded", owner: owner, time: 3)))
        #expect(writer.sync())
        try disk.fill(leaving: 0)
        // The journal's last page still has room: fill it with the shortest record
        // (a header line, which readers skip), so not even a review record fits.
        var padding = 0
        while padding < 1000, writer.append(.header) { padding += 1 }
        #expect(writer.failure != nil)
        let approved = try CLITests.run(["approve", "a", "--state-dir", state], in: directory)
        #expect(approved.status == 5, "\(approved.stderr)")
        #expect(approved.stderr.contains("No space left on device"), "\(approved.stderr)")
    }
}
