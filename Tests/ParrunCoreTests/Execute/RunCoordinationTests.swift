import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunState

/// Claims of a run shared with other parruns, against a real claims file.
@Suite struct RunCoordinationTests {
    /// A ticket's claim is let go only once the journal has its end: until
    /// then another parrun must find it held, not free and unfinished.
    @Test func aReleasedClaimStaysHeldUntilTheRecordsAreWritten() throws {
        let directory = NSTemporaryDirectory() + "parrun-coordination-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let graph = try validGraph(lines("a:", "    true", "b:", "    true"))
        let journal = directory + "/" + JournalWriter.fileName
        try Data().write(to: URL(fileURLWithPath: journal))
        let mine = RunCoordination(
            claims: try Claims(stateDirectory: directory, manifest: "/m"), journalPath: journal, journalOffset: 0,
            run: "r1", owner: JournalTests.owner, graph: graph, openAttempts: [:], ownBytesWritten: { 0 })
        let other = try Claims(stateDirectory: directory, manifest: "/m")

        guard case .run = mine.claim(0, id: "a") else { Issue.record("a was free"); return }
        mine.release(0, id: "a")
        #expect(!other.claim("a"), "released, but its end may not be in the file yet")
        mine.releaseRecorded()
        #expect(other.claim("a"), "free once the records are written")
        other.release("a")

        // Claimed again before the lock went (a rerun in the same turn): it stays this process's.
        guard case .run = mine.claim(1, id: "b") else { Issue.record("b was free"); return }
        mine.release(1, id: "b")
        guard case .run = mine.claim(1, id: "b") else { Issue.record("b is still this process's"); return }
        mine.releaseRecorded()
        #expect(!other.claim("b"), "the second claim kept the lock")
    }
}
