import Foundation
import Testing
@testable import ParrunPlatform

/// `FileSystem.writeAtomically` writes through a temporary of a predictable
/// name (`NAME.tmp.PID`): a link planted there must not be followed.
@Suite struct AtomicWriteTests {
    private func directory() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parrun-atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    @Test func aLinkPlantedAtTheTemporaryIsReplacedNotFollowed() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = directory + "/precious"
        try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/durations.tmp.\(getpid())", withDestinationPath: target)

        try FileSystem.writeAtomically(directory + "/durations", "new\n")

        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n", "the link's target is untouched")
        #expect(try String(contentsOfFile: directory + "/durations", encoding: .utf8) == "new\n")
        #expect(!FileManager.default.fileExists(atPath: directory + "/durations.tmp.\(getpid())"), "no temporary left")
    }

    @Test func aStaleTemporaryOfThisPidIsReplaced() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "stale and longer\n".write(toFile: directory + "/f.tmp.\(getpid())", atomically: false, encoding: .utf8)
        try FileSystem.writeAtomically(directory + "/f", "x\n", durable: true)
        #expect(try String(contentsOfFile: directory + "/f", encoding: .utf8) == "x\n")
    }

    @Test func aMissingDirectoryIsAnErrorNamingThePath() throws {
        let directory = try directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: SystemError.self) { try FileSystem.writeAtomically(directory + "/gone/f", "x\n") }
    }
}
