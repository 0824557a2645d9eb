import Foundation
import Testing
@testable import ParrunPlatform

/// parrun started with standard input, output and error closed (`<&- >&- 2>&-`):
/// nothing of parrun's own may take their numbers, or what it prints would go
/// into it (a signalfd took number 1 before parrun reserved them).
@Suite struct ClosedStandardDescriptorsTests {
    @Test func closedStandardDescriptorsBecomeDevNullAndTheRunGoesOnWhole() throws {
        let directory = try CLITests.directory([
            // $PPID is parrun: what its 0, 1 and 2 are. `cat` would wait for ever on an input left open.
            "Parrunfile": "a:\n    readlink /proc/$PPID/fd/0 /proc/$PPID/fd/1 /proc/$PPID/fd/2; cat\nb:\n    echo second\n",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = try Subprocess("/bin/sh", ["-c", "exec <&- >&- 2>&-; exec \"$0\" \"$@\"", CLITests.binary.path, "-q", "-j2"],
                                     in: directory, environment: Subprocess.environment(["PARRUN_JOBS": nil, "NO_COLOR": "1"]),
                                     output: 2, error: 2)
        #expect(process.wait() == 0)
        let log = try String(contentsOf: directory.appendingPathComponent(".parrun/logs/a.log"), encoding: .utf8)
        #expect(log == "/dev/null\n/dev/null\n/dev/null\n")
        let journal = try String(contentsOf: directory.appendingPathComponent(".parrun/journal.jsonl"), encoding: .utf8)
        let foreign = journal.split(separator: "\n").filter { !$0.hasPrefix("{") }
        #expect(foreign.isEmpty, "nothing but records in the journal: \(foreign)")
        #expect(journal.components(separatedBy: #""type":"end""#).count == 3, "both tickets ended: \(journal)")
    }
}
