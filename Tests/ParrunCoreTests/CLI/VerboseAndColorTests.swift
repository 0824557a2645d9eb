import Foundation
import Testing
@testable import ParrunSupport

/// `--verbose` says each decision and spawned command on standard error;
/// `--color` decides colours, honouring NO_COLOR and TERM=dumb when auto.
@Suite struct VerboseAndColorTests {
    static let manifest = #"""
        {"tickets": [
          {"id": "a", "run": "echo out-a"},
          {"id": "b", "run": "test -e flag || { touch flag; exit 1; }", "retries": 1, "dependsOn": ["a"]},
          {"id": "slow", "run": "sleep 5", "timeout": "200ms"}
        ]}
        """#

    @Test func verboseSaysEachDecisionAndCommandOnStandardError() throws {
        let dir = try CLITests.directory(["tickets.json": Self.manifest])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLITests.run(["--verbose", "-k", "-j2", "--retry-delay", "0", "--grace", "100ms"], in: dir)
        #expect(run.status == 1, "slow times out")
        let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("parrun: verbose: ") }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("start a on worker"), "\(text)")
        #expect(text.contains("it depends on nothing"))
        #expect(text.contains("start b on worker") && text.contains("its dependencies succeeded (a)"))
        #expect(text.contains("spawn a recipe (attempt 1): echo out-a"), "a plain command runs directly: its words")
        #expect(text.contains("spawn b recipe (attempt 1): /bin/sh -ec 'test -e flag || { touch flag; exit 1; }'"), "a script: the shell and the quoted script")
        #expect(text.contains("b attempt 1 ended failed (exit 1)") && text.contains("it runs again"))
        #expect(text.contains("spawn b recipe (attempt 2)"))
        #expect(text.contains("stop slow: its timeout (200ms) expired; SIGTERM to its process group"), "\(text)")
        #expect(run.stdout.contains("out-a") && !run.stdout.contains("verbose"), "standard output keeps only the tickets' output")
        let quiet = try CLITests.run(["-q"], in: dir)
        #expect(!quiet.stderr.contains("verbose:"), "without --verbose, none of it")
    }

    @Test func verboseLeavesJSONOnStandardOutputPure() throws {
        let dir = try CLITests.directory(["tickets.json": #"{"tickets": [{"id": "a", "run": "true"}]}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLITests.run(["--json", "-v"], in: dir)
        #expect(run.status == 0)
        for line in run.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
        #expect(run.stderr.contains("parrun: verbose: start a"))
    }

    static let failing = #"{"tickets": [{"id": "x", "run": "exit 3"}]}"#
    static let escape = "\u{1B}["

    @Test func colorAlwaysNeverAndAuto() throws {
        let dir = try CLITests.directory(["tickets.json": Self.failing])
        defer { try? FileManager.default.removeItem(at: dir) }
        // The tests' output is a file, not a terminal: auto means no colour.
        let always = try CLITests.run(["-q", "--color", "always"], in: dir, environment: ["NO_COLOR": ""])
        #expect(always.status == 1 && always.stderr.contains(Self.escape), "always colours, even off a terminal")
        let alwaysOverNoColor = try CLITests.run(["-q", "--color=always"], in: dir, environment: ["NO_COLOR": "1"])
        #expect(alwaysOverNoColor.stderr.contains(Self.escape), "an explicit --color always wins over NO_COLOR")
        let never = try CLITests.run(["-q", "--color", "never"], in: dir, environment: ["NO_COLOR": ""])
        #expect(!never.stderr.contains(Self.escape))
        let auto = try CLITests.run(["-q"], in: dir, environment: ["NO_COLOR": ""])
        #expect(!auto.stderr.contains(Self.escape), "auto: not a terminal, no colour")
        let bad = try CLITests.run(["--color", "sometimes"], in: dir)
        #expect(bad.status == 2 && bad.stderr.contains("invalid value 'sometimes' for '--color': expected auto, always or never"))
    }

    @Test func colorAlwaysColoursManifestErrorsToo() throws {
        let dir = try CLITests.directory(["tickets.json": #"{"tickets": [{"id": "a", "dependsOn": ["nope"]}]}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CLITests.run(["-n", "--color", "always"], in: dir).stderr.contains(Self.escape))
        #expect(!(try CLITests.run(["-n"], in: dir).stderr.contains(Self.escape)))
    }

    @Test func autoHonoursNoColorAndDumbTerminals() {
        #expect(ColorChoice.auto.enabled(isTerminal: true, noColor: nil, term: "xterm-256color"))
        #expect(ColorChoice.auto.enabled(isTerminal: true, noColor: "", term: nil), "an empty NO_COLOR does not count (no-color.org)")
        #expect(!ColorChoice.auto.enabled(isTerminal: true, noColor: "1", term: "xterm"))
        #expect(!ColorChoice.auto.enabled(isTerminal: true, noColor: nil, term: "dumb"))
        #expect(!ColorChoice.auto.enabled(isTerminal: false, noColor: nil, term: "xterm"))
        #expect(ColorChoice.always.enabled(isTerminal: false, noColor: "1", term: "dumb"))
        #expect(!ColorChoice.never.enabled(isTerminal: true, noColor: nil, term: "xterm"))
    }
}
