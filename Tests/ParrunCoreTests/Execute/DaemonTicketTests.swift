import Foundation
import Testing

/// What a recipe leaves running in the background dies when its ticket ends,
/// unless the ticket sets `daemons`.
@Suite struct DaemonTicketTests {
    private func pid(_ directory: URL, _ name: String) throws -> Int32 {
        let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    private func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        let state = stat.split(separator: ")").last?.split(separator: " ").first
        return state != "Z" && state != "X"
    }

    @Test func aBackgroundProcessDiesWithItsTicketUnlessTheTicketKeepsDaemons() throws {
        let manifest = """
            plain:
                sleep 300 &
                echo $! > plain.pid
            server:
                @daemons
                sleep 301 > /dev/null 2>&1 &
                echo $! > server.pid

            """
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j2", "-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let plain = try pid(directory, "plain.pid")
        let server = try pid(directory, "server.pid")
        defer { kill(server, SIGKILL) }
        #expect(RunTests.isGone(plain), "the default: nothing outlives its ticket")
        usleep(300_000)
        #expect(isRunning(server), "daemons: the server outlives its ticket and the run")
        let environment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(server)/environ"))) ?? Data()
        #expect(!environment.split(separator: 0).contains { $0.starts(with: Array("PARRUN_SUPERVISOR=".utf8)) },
                "no guardian stops it if parrun dies later")
    }

    @Test func daemonsIsAFlagInBothFormats() {
        #expect(tickets("a:\n    @daemons\n    true\nb:\n    @daemons false\n    true\nc:\n    true\n").map(\.daemons) == [true, false, false])
        #expect(tickets(#"{"tickets": [{"id": "a", "daemons": true}, {"id": "b"}]}"#).map(\.daemons) == [true, false])
        #expect(check(#"{"tickets": [{"id": "a", "daemons": "yes"}]}"#).problems.contains { $0.contains("error") })
    }
}
