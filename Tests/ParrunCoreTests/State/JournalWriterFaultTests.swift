import Foundation
import Testing
@testable import ParrunModel
@testable import ParrunPlatform
@testable import ParrunState

/// JournalWriter against real faults: a full file system, a planted symbolic
/// link, a state directory deleted or replaced, a torn tail left by a crash.
@Suite struct JournalWriterFaultTests {
    static func record(_ index: Int) -> JournalRecord {
        .end(.init(run: "r1", id: "ticket-\(index)", attempt: 1, status: "succeeded", exitCode: 0, signal: nil,
                   seconds: 0.25, time: Double(index), owner: JournalTests.owner))
    }

    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "parrun-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test(.enabled(if: SmallFileSystem.canMount, SmallFileSystem.whyNot))
    func aFullDiskFailsTheAppendAndLeavesNoHalfRecord() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = try SmallFileSystem(at: directory + "/state", bytes: 64 * 1024)
        defer { disk.unmount() }
        try disk.fill(leaving: 4 * 1024)
        let writer = try JournalWriter(directory: disk.path)
        var appended = 0
        while appended < 10_000, writer.append(Self.record(appended)) { appended += 1 }
        let failure = try #require(writer.failure)
        #expect(failure.description == "cannot write \(writer.path): No space left on device")
        #expect(appended > 0 && appended < 10_000)
        // Sticky: nothing more goes in, even once there is room again.
        disk.emptyFiller()
        let size = FileSystem.size(writer.path)
        #expect(!writer.append(Self.record(0)))
        #expect(!writer.sync())
        #expect(FileSystem.size(writer.path) == size)
        // What is there is whole records, every one appended before the failure.
        let contents = try JournalReader.read(writer.path)
        #expect(contents.tornLastLine == nil)
        #expect(contents.records.count == appended + 1)
    }

    @Test func heldRecordsReachTheFileOnlyAtFlushOrSyncAllInOneWrite() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try JournalWriter(directory: directory)
        let empty = FileSystem.size(writer.path)
        writer.beginHolding()
        #expect(writer.append(Self.record(1)) && writer.append(Self.record(2)))
        #expect(FileSystem.size(writer.path) == empty, "held, not yet written")
        #expect(writer.bytesWritten == 0, "a follower counts only what is in the file")
        #expect(writer.flush())
        #expect(try JournalReader.read(writer.path).records.count == 3)
        #expect(writer.bytesWritten == FileSystem.size(writer.path)! - empty!)
        // sync writes what is held before it makes the file durable.
        writer.append(Self.record(3))
        #expect(writer.sync())
        #expect(try JournalReader.read(writer.path).records.count == 4)
        // After holding ends, an append is written at once.
        writer.append(Self.record(4))
        #expect(writer.endHolding())
        writer.append(Self.record(5))
        #expect(try JournalReader.read(writer.path).records.count == 6)
    }

    @Test(.enabled(if: SmallFileSystem.canMount, SmallFileSystem.whyNot))
    func aFlushThatMeetsAFullDiskLeavesOnlyWholeRecordsWrittenBefore() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = try SmallFileSystem(at: directory + "/state", bytes: 64 * 1024)
        defer { disk.unmount() }
        let writer = try JournalWriter(directory: disk.path)
        writer.append(Self.record(0))
        try disk.fill(leaving: 2 * 1024)
        writer.beginHolding()
        // Far more than fits: the one write of them all fails part-way.
        for index in 1...200 { #expect(writer.append(Self.record(index))) }
        #expect(!writer.flush())
        #expect(writer.failure?.description == "cannot write \(writer.path): No space left on device")
        // The part of the batch that went in was taken back: the file ends in the last whole record before it.
        let contents = try JournalReader.read(writer.path)
        #expect(contents.tornLastLine == nil)
        #expect(contents.records.count == 2)
        // Sticky, as for a single append.
        disk.emptyFiller()
        #expect(!writer.append(Self.record(201)))
        #expect(!writer.flush() && !writer.sync())
        #expect(try JournalReader.read(writer.path).records.count == 2)
    }

    @Test func aSymbolicLinkAtTheJournalIsRefusedNotFollowed() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/elsewhere"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: directory + "/" + JournalWriter.fileName, withDestinationPath: target)
        #expect {
            _ = try JournalWriter(directory: directory)
        } throws: { error in
            (error as? SystemError)?.description.contains("symbolic link") == true
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
    }

    @Test func aDeletedStateDirectoryIsNoticedAtTheNextSync() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let writer = try JournalWriter(directory: state, watchInterval: 0)
        #expect(writer.append(Self.record(1)) && writer.sync())
        try FileManager.default.removeItem(atPath: state)
        // The open descriptor still takes writes: only the check can tell they are lost.
        #expect(writer.append(Self.record(2)))
        #expect(!writer.sync())
        #expect(writer.failure?.description == "the state directory \(state) was removed or replaced during the run")
    }

    @Test func aReplacedStateDirectoryOrJournalIsNoticed() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = directory + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let moved = try JournalWriter(directory: state, watchInterval: 0)
        try FileManager.default.moveItem(atPath: state, toPath: directory + "/aside")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(!moved.sync())
        #expect(moved.failure?.description.contains("was removed or replaced") == true)

        let replaced = try JournalWriter(directory: state, watchInterval: 0)
        #expect(replaced.sync())
        try Data(JournalRecord.header.line.utf8).write(to: URL(fileURLWithPath: replaced.path), options: .atomic)
        #expect(!replaced.sync())
        #expect(replaced.failure != nil)
    }

    @Test func theStateDirectoryIsCheckedAtMostOncePerInterval() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = try JournalWriter(directory: directory, watchInterval: 3600)
        try FileManager.default.removeItem(atPath: directory)
        #expect(writer.sync(), "not checked again within the interval")
    }

    @Test func aTornTailIsCutOffWhenOpening() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + JournalWriter.fileName
        let whole = JournalRecord.header.line + Self.record(1).line
        let torn = String(Self.record(2).line.prefix(37))
        try Data((whole + torn).utf8).write(to: URL(fileURLWithPath: path))
        let writer = try JournalWriter(directory: directory)
        #expect(writer.repairedTornTail == torn.utf8.count)
        #expect(writer.append(Self.record(3)) && writer.sync())
        let contents = try JournalReader.read(path)
        #expect(contents.tornLastLine == nil)
        #expect(contents.records == [.header, Self.record(1), Self.record(3)])
    }

    @Test func aJournalThatIsOneTornLineGetsAFreshHeader() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/" + JournalWriter.fileName
        try Data(JournalRecord.header.line.dropLast(5).utf8).write(to: URL(fileURLWithPath: path))
        let writer = try JournalWriter(directory: directory)
        #expect(writer.repairedTornTail == JournalRecord.header.line.utf8.count - 5)
        #expect(try JournalReader.read(path).records == [.header])
    }

    @Test func aCleanJournalIsLeftAsItIs() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try JournalWriter(directory: directory)
        let writer = try JournalWriter(directory: directory)
        #expect(writer.repairedTornTail == nil)
        #expect(try JournalReader.read(writer.path).records == [.header])
    }
}
