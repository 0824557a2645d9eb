import Foundation
import Testing

/// What parrun's own environment passes on to a recipe: not the settings of
/// parrun itself (`PARRUN_JOBS`, ...), which a parrun inside the ticket would
/// take as its own, unless the ticket's `env` sets them.
@Suite struct RecipeEnvironmentTests {
    static let settings = ["PARRUN_JOBS": "3", "PARRUN_CLAUDE": "my-claude", "PARRUN_HELPER_TIMEOUT": "9", "PARRUN_NO_PIDFD": "1"]

    @Test func parrunsSettingsStayWithItAndTheTicketsVariablesArrive() throws {
        let manifest = """
            plain:
                env | grep '^PARRUN_' | sort
            own:
                @env PARRUN_JOBS=2
                @env PARRUN_TICKET_ID=spoofed
                env | grep '^PARRUN_JOBS=\\|^PARRUN_TICKET_ID='

            """
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j1", "-q", "--prefix", "id"], in: directory, environment: Self.settings)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init)
        let plain = lines.filter { $0.hasPrefix("[plain] ") }.map { $0.dropFirst(8) }
        let names = Set(plain.compactMap { $0.split(separator: "=").first.map(String.init) })
        #expect(names.isDisjoint(with: Self.settings.keys), "\(lines)")
        #expect(names.isSuperset(of: ["PARRUN_ATTEMPT", "PARRUN_RUN_ID", "PARRUN_SUPERVISOR", "PARRUN_TICKET_ID", "PARRUN_TICKET_TITLE", "PARRUN_WORKER"]), "\(lines)")
        #expect(lines.contains("[own] PARRUN_JOBS=2"), "a ticket's env may set a setting: \(lines)")
        #expect(lines.contains("[own] PARRUN_TICKET_ID=own"), "but not what parrun tells the ticket: \(lines)")
    }

    /// A ticket's `env` replaces an inherited variable: the recipe sees it once,
    /// with the ticket's value; a ticket without `env` sees the inherited one.
    /// (The spawn looks names up only for tickets that have an `env`.)
    @Test func aTicketsEnvReplacesAnInheritedVariableOnce() throws {
        let manifest = """
            own:
                @env GREETING=own
                env | grep '^GREETING='
            inherits:
                env | grep '^GREETING='

            """
        let directory = try CLITests.directory(["Parrunfile": manifest])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j1", "-q", "--prefix", "id"], in: directory, environment: ["GREETING": "inherited"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").map(String.init).filter { $0.contains("GREETING=") }.sorted()
        #expect(lines == ["[inherits] GREETING=inherited", "[own] GREETING=own"], "\(lines)")
    }

    @Test func aNestedParrunStartsFromItsOwnDefaults() throws {
        let manifest = """
            outer:
                \(CLITests.binary.path) -n --summary inner/Parrunfile
            told:
                @env PARRUN_JOBS=2
                \(CLITests.binary.path) -n --summary inner/Parrunfile

            """
        let directory = try CLITests.directory(["Parrunfile": manifest, "inner/Parrunfile": "x:\n    true\ny:\n    true\n"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try CLITests.run(["-j4", "-q", "--prefix", "none"], in: directory, environment: ["PARRUN_JOBS": "3"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let jobs = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("jobs ") }.sorted()
        #expect(jobs.count == 2 && jobs[0].hasPrefix("jobs 1 (default") && jobs[1] == "jobs 2 (PARRUN_JOBS=2)", "\(outcome.stdout)")
    }
}
