import Foundation
import Testing
@testable import ParrunCore
import ParrunModel

/// The log file's life: opened on the first byte, closed once.
@Suite struct LogFileTests {
    private func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private func write(_ log: LogFile, _ text: String) {
        text.utf8.withContiguousStorageIfAvailable { log.write(UnsafeRawBufferPointer($0)) }
    }

    private func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func aSilentFirstAttemptEmptiesAnOldLogOnceAndNotAgainOnASecondClose() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.log"
        try "an earlier run\n".write(toFile: path, atomically: true, encoding: .utf8)
        let log = LogFile(id: "a", directory: directory, attempt: 1)
        _ = log.close()
        #expect(contents(path) == "")
        try "written since\n".write(toFile: path, atomically: true, encoding: .utf8)
        _ = log.close()
        #expect(contents(path) == "written since\n", "closed once: the second close leaves the file alone")
    }

    @Test func nothingIsWrittenAfterClose() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = LogFile(id: "a", directory: directory, attempt: 2)
        write(log, "out\n")
        _ = log.close()
        write(log, "late\n")
        #expect(contents(directory + "/a.log") == "--- parrun: attempt 2 ---\nout\n")
    }

    @Test func aVerifyGatesOutputFollowsItsHeadingAfterTheRecipes() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "recipe output\n".write(toFile: directory + "/v.log", atomically: true, encoding: .utf8)
        let log = LogFile(id: "v", directory: directory, attempt: 1, heading: "--- parrun: verify ---")
        write(log, "checked\n")
        _ = log.close()
        #expect(contents(directory + "/v.log") == "recipe output\n--- parrun: verify ---\nchecked\n")
    }

    @Test func aSilentTicketDoesNotEmptyTheFileALinkAtItsLogPointsTo() throws {
        let directory = try directory()
        let outside = try self.directory()
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: outside)
        }
        try "precious\n".write(toFile: outside + "/target", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/a.log", withDestinationPath: outside + "/target")
        let log = LogFile(id: "a", directory: directory, attempt: 1)
        let warning = log.close()
        #expect(warning == "cannot write the log \(directory)/a.log: refusing to follow the symbolic link at \(directory)/a.log; its output is shown but not kept")
        #expect(log.close() == nil, "said once")
        #expect(contents(outside + "/target") == "precious\n")
    }

    @Test func aLogThatCannotBeOpenedIsTriedOnceAndSaidOnClose() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = directory + "/no-such-dir"
        let log = LogFile(id: "a", directory: missing, attempt: 1)
        write(log, "one\n")
        write(log, "two\n")
        #expect(log.close() == "cannot write the log \(missing)/a.log: \(missing): No such file or directory; its output is shown but not kept")
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func aLongIdsLogGetsItsHashedName() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = String(repeating: "q", count: 300)
        let log = LogFile(id: id, directory: directory, attempt: 1)
        write(log, "out\n")
        #expect(log.close() == nil)
        #expect(contents(directory + "/" + LogFileName.name(id)) == "out\n")
    }
}
