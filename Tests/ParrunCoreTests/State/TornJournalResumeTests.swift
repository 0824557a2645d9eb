import Foundation
import Testing
@testable import ParrunPlatform
@testable import ParrunState

/// Real parrun processes killed with SIGKILL mid-run, their journal then cut
/// at a random byte of its last line (a crash mid-write): every `--resume`
/// cuts the torn record off, says so, and goes on; none redoes a ticket
/// whose success was recorded, and the last one finishes the chain.
@Suite struct TornJournalResumeTests {
    @Test(.timeLimit(.minutes(4)))
    func fiveCrashesWithTornTailsInARowAllResumeCleanly() throws {
        let directory = try CLITests.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let count = 60
        let work = try ChainProject.make(in: directory, count: count, extra: " && sleep 0.03")
        let journal = work.path + "/.parrun/" + JournalWriter.fileName
        let ranFile = directory.appendingPathComponent("ran.txt").path
        var random = SystemRandomNumberGenerator()

        for cycle in 0..<5 {
            let recorded = try Self.succeeded(journal)
            let ranBefore = Self.lines(ranFile).count
            let parrun = try LaunchedParrun(cycle == 0 ? ["-q"] : ["-q", "--resume"], in: work)
            let deadline = Date().addingTimeInterval(30)
            while parrun.process.isRunning, Date() < deadline, try Self.succeeded(journal).count < recorded.count + 3 {
                usleep(10_000)
            }
            kill(parrun.pid, SIGKILL)
            parrun.wait()
            if cycle > 0 {
                #expect(parrun.stderr.contains("parrun: note: the journal's last record was cut short by a crash ("), "cycle \(cycle): \(parrun.stderr)")
                #expect(!parrun.stderr.contains("damaged"), "cycle \(cycle): \(parrun.stderr)")
            }
            let rerun = Set(Self.lines(ranFile).dropFirst(ranBefore))
            #expect(rerun.isDisjoint(with: recorded), "cycle \(cycle) redid \(rerun.intersection(recorded))")
            #expect(try Self.succeeded(journal).count >= recorded.count + 3, "cycle \(cycle) made progress")
            try Self.tearLastLine(journal, using: &random)
        }

        let recorded = try Self.succeeded(journal)
        let ranBefore = Self.lines(ranFile).count
        let last = try CLITests.run(["-q", "--resume"], in: work)
        #expect(last.status == 0, "\(last.stderr)")
        #expect(last.stderr.contains("was cut short by a crash"), "\(last.stderr)")
        let ran = Self.lines(ranFile)
        #expect(Set(ran.dropFirst(ranBefore)).isDisjoint(with: recorded))
        #expect(Set(ran) == Set((0..<count).map { "t\($0)" }), "every ticket ran")
        #expect(try JournalReader.read(journal).tornLastLine == nil)
    }

    /// The tickets the journal records as succeeded (a torn last line is not a record).
    static func succeeded(_ journal: String) throws -> Set<String> {
        Set(try JournalReader.read(journal).records.compactMap { record -> String? in
            if case .end(let end) = record, end.status == "succeeded" { return end.id }
            return nil
        })
    }

    static func lines(_ path: String) -> [String] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Cuts the journal inside its last line, as a crash mid-write would
    /// (unless the kill already left it torn).
    static func tearLastLine(_ journal: String, using random: inout SystemRandomNumberGenerator) throws {
        let bytes = try FileSystem.readFile(journal)
        guard bytes.last == UInt8(ascii: "\n") else { return }
        let start = bytes.dropLast().lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let cut = Int.random(in: (start + 1)..<(bytes.count), using: &random)
        #expect(truncate(journal, off_t(cut)) == 0)
    }
}
