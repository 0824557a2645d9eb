import Foundation
import Testing
@testable import ParrunCore

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
}
