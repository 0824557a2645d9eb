import Foundation
import Testing

/// Control characters in every user field (ids in a store, titles, paths and
/// manifest names, dependency names in errors, options, recipe output) reach
/// the terminal escaped through the built binary, and the log keeps them raw.
@Suite struct SafeMessagesTests {
    /// ESC, BEL, NUL, CR, a C1 control (CSI): any of them raw would let text rewrite the terminal.
    private func holdsRawControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{7}" || $0 == "\u{0}" || $0 == "\r" || $0 == "\u{9B}" }
    }

    @Test func prefixedOutputIsEscapedAndTheLogKeepsTheBytes() throws {
        let manifest = """
            a:
                printf 'col\\tred \\033[31mon\\033[0m\\rback\\a\\n'
                printf 'nul \\000 and csi \\302\\233 and bad \\377 byte\\n'
            b:
                printf 'broken \\033]0;title\\007\\n'; exit 3

            """
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j2", "-q", "-k"], in: directory)
        #expect(outcome.status == 1, "\(outcome.stderr)")
        #expect(!holdsRawControl(outcome.stdout), "\(outcome.stdout)")
        #expect(!holdsRawControl(outcome.stderr), "\(outcome.stderr)")
        #expect(outcome.stdout.contains("[a] col\tred \\e[31mon\\e[0m\\rback\\x07\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("[a] nul \\0 and csi \\u009b and bad \u{FFFD} byte\n"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("[b] broken \\e]0;title\\x07\n"), "\(outcome.stdout)")
        #expect(outcome.stderr.contains("      | broken \\e]0;title\\x07\n"), "the summary's log lines: \(outcome.stderr)")

        let log = try Data(contentsOf: directory.appendingPathComponent(".parrun/logs/a.log"))
        #expect(Array(log) == Array("col\tred \u{1B}[31mon\u{1B}[0m\rback\u{7}\n".utf8) + Array("nul ".utf8) + [0] + Array(" and csi ".utf8) + [0xC2, 0x9B] + Array(" and bad ".utf8) + [0xFF] + Array(" byte\n".utf8))
    }

    @Test func withoutPrefixOrStatusLineOutputPassesThroughAsWritten() throws {
        let directory = try CLITests.directory(["Parrunfile": "a:\n    printf '\\033[31mred\\033[0m\\n'\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j1", "-q"], in: directory)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == "\u{1B}[31mred\u{1B}[0m\n")
    }

    @Test func pathsAndNamesInThePlanStatusAndLogsAreEscaped() throws {
        let folder = "sub\u{1B}]0;x\u{7}"
        let manifest = "a:\n    @title Title \u{1B}[5mblink\n    echo out; exit 1\n"
        let directory = try CLITests.directory([folder + "/Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let shownFolder = "sub\\e]0;x\\x07"

        let plan = try CLITests.run(["-n", folder + "/Parrunfile"], in: directory)
        #expect(!holdsRawControl(plan.stdout + plan.stderr), "\(plan.stdout)")
        #expect(plan.stdout.hasPrefix("Plan for \(shownFolder)/Parrunfile: 1 of 1 ticket to run"), "\(plan.stdout)")
        #expect(plan.stdout.contains("# Title \\e[5mblink"), "\(plan.stdout)")

        let run = try CLITests.run(["-q", folder + "/Parrunfile"], in: directory)
        #expect(run.status == 1)
        #expect(!holdsRawControl(run.stderr), "\(run.stderr)")
        #expect(run.stderr.contains("FAIL a exit 1 (log: \(shownFolder)/.parrun/logs/a.log)"), "\(run.stderr)")

        let status = try CLITests.run(["status", folder + "/Parrunfile"], in: directory)
        #expect(!holdsRawControl(status.stdout + status.stderr), "\(status.stdout)")
        #expect(status.stdout.contains("of \(shownFolder)/Parrunfile: not finished"), "\(status.stdout)")
        #expect(status.stdout.contains("log: \(shownFolder)/.parrun/logs/a.log"), "\(status.stdout)")

        let logs = try CLITests.run(["logs", "-f", folder + "/Parrunfile"], in: directory)
        #expect(logs.stderr == "parrun: a failed (exit 1): \(shownFolder)/.parrun/logs/a.log\n", "\(logs.stderr)")
        #expect(logs.stdout == "out\n")
    }

    @Test func errorsQuoteDependencyNamesManifestNamesAndOptionsEscaped() throws {
        let name = "t\u{1B}[31m.json"
        let text = #"{"tickets": [{"id": "a"}, {"id": "b", "dependsOn": ["\u001b[2Jgone"]}]}"#
        let directory = try CLITests.directory([name: text])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run([name], in: directory)
        #expect(outcome.status == 2)
        #expect(!holdsRawControl(outcome.stderr), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("t\\e[31m.json:1:"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("depends on '\\e[2Jgone'"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("errors in t\\e[31m.json; nothing was run") || outcome.stderr.contains("error in t\\e[31m.json; nothing was run"), "\(outcome.stderr)")

        let badID = try CLITests.directory(["tickets.json": #"{"tickets": [{"id": "\u001b]0;x\u0007", "run": "true"}]}"#])
        defer { try? FileManager.default.removeItem(at: badID) }
        let id = try CLITests.run([], in: badID)
        #expect(id.status == 2)
        #expect(!holdsRawControl(id.stderr), "\(id.stderr)")
        #expect(id.stderr.contains("'\\e]0;x\\x07' is not a valid ticket id"), "\(id.stderr)")

        let option = try CLITests.run(["--jobz\u{1B}[2J"], in: directory)
        #expect(option.status == 2)
        #expect(option.stderr.hasPrefix("parrun: error: unknown option '--jobz\\e[2J'"), "\(option.stderr)")

        let missing = try CLITests.run(["missing\u{7}.json"], in: directory)
        #expect(missing.status == 2)
        #expect(!holdsRawControl(missing.stderr), "\(missing.stderr)")
        #expect(missing.stderr.contains("missing\\x07.json"), "\(missing.stderr)")
    }
}
