import Foundation
import Testing
@testable import ParrunState

/// A real run whose state directory is deleted under it: parrun notices (at
/// the next sync, at most a second later, or when the run ends) and stops
/// with exit 5, naming the directory, instead of recording into nothing.
@Suite struct StateDirectoryRunTests {
    @Test(.timeLimit(.minutes(4)))
    func aDeletedStateDirectoryStopsTheRunWithExit5() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var manifest = ""
        for index in 0..<30 {
            manifest += "t\(index):" + (index > 0 ? " t\(index - 1)" : "") + "\n    sleep 0.2\n"
        }
        try Data(manifest.utf8).write(to: directory.appendingPathComponent("Parrunfile"))
        let state = directory.appendingPathComponent("state").path
        let parrun = try LaunchedParrun(["-q", "--state-dir", state], in: directory)
        let journal = state + "/" + JournalWriter.fileName
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ((try? JournalReader.read(journal))?.records.count ?? 0) < 5 { usleep(20_000) }
        try FileManager.default.removeItem(atPath: state)
        let status = parrun.wait()
        #expect(status == 5, "\(parrun.stderr)")
        #expect(parrun.stderr.contains("the state directory \(state) was removed or replaced during the run"), "\(parrun.stderr)")
        #expect(!FileManager.default.fileExists(atPath: journal), "nothing made the journal again")
    }
}
