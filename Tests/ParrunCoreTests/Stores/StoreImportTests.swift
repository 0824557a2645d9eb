import Foundation
import Testing
@testable import ParrunCLI
@testable import ParrunModel
@testable import ParrunSupport

/// `import`: a store's tickets with a manifest's defaults and per-id overrides.
@Suite struct StoreImportTests {
    static let store = """
        {"id": "bd-1", "title": "First", "status": "open", "priority": 1, "issue_type": "task", "design": "d1"}
        {"id": "bd-2", "title": "Second", "status": "open", "priority": 2, "issue_type": "bug", "dependencies": [{"issue_id": "bd-2", "depends_on_id": "bd-1", "type": "blocks"}]}
        {"id": "bd-12", "title": "Twelfth", "status": "closed", "priority": 0, "issue_type": "task"}

        """

    /// The manifest read with `store` as its import.
    private func read(_ manifest: String, name: String = "parrun.json") -> ValidatedManifest {
        ValidatedManifest(SourceFile(name: name, text: manifest), importer: { path in
            path == ".beads/issues.jsonl" ? .bytes(name: path, Array(Self.store.utf8)) : .failed("no such file")
        })
    }

    /// Each diagnostic as `FILE:LINE:COLUMN: severity: message`, against the file it is in.
    private func problems(_ checked: ValidatedManifest, manifest: String) -> [String] {
        let rendered = ImportedStore.render(checked.diagnostics, manifest: checked.manifest, source: SourceFile(name: "parrun.json", text: manifest), useColor: false)
        return rendered.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") || $0.contains(": warning: ") }
    }

    @Test func defaultsFillInAndOverridesWinOverTheStore() throws {
        let manifest = """
            {"import": ".beads/issues.jsonl",
             "defaults": {"permissionMode": "acceptEdits", "verify": "swift test", "pool": "claude", "prompt": "Work on {{id}}: {{title}}", "priority": 9},
             "pools": {"claude": 2},
             "tickets": [{"id": "bd-12", "review": true, "status": "open"}, {"id": "bd-2", "prompt": "Just fix it", "priority": 0, "verify": "make check"}]}
            """
        let checked = read(manifest)
        #expect(problems(checked, manifest: manifest) == [])
        let graph = try #require(checked.graph)
        #expect(graph.tickets.map(\.id) == ["bd-1", "bd-2", "bd-12"])
        let (first, second, twelfth) = (graph.tickets[0], graph.tickets[1], graph.tickets[2])
        // Defaults fill in what the store lacks, never what it has (its priority).
        #expect(first.recipe == .prompt("Work on bd-1: First"))
        #expect(first.priority == 1 && first.pool == "claude" && first.verifyScript == "swift test")
        #expect(first.claudeOptions.permissionMode == "acceptEdits")
        #expect(!first.review)
        // An override wins over the store and the defaults alike.
        #expect(second.recipe == .prompt("Just fix it") && second.priority == 0 && second.verifyScript == "make check")
        #expect(second.dependencies.map(\.id) == ["bd-1"], "the store's links stay")
        #expect(twelfth.review && !twelfth.isDone, "the override reopens it: \(twelfth.status ?? "nil")")
        #expect(checked.manifest?.storeKind == .beads)
    }

    @Test func anOverrideOfAnIdTheStoreLacksIsAnErrorWithTheNearestIDs() {
        let manifest = """
            {"import": ".beads/issues.jsonl",
             "tickets": [{"id": "bd-13", "review": true}]}
            """
        let checked = read(manifest)
        #expect(checked.graph == nil)
        let rendered = ImportedStore.render(checked.diagnostics, manifest: checked.manifest, source: SourceFile(name: "parrun.json", text: manifest), useColor: false)
        #expect(rendered.hasPrefix("parrun.json:2:21: error: 'bd-13' is not a ticket of the imported store .beads/issues.jsonl\n"), "\(rendered)")
        #expect(rendered.contains("help: the nearest ids in the store: 'bd-1', 'bd-12'"), "\(rendered)")
    }

    @Test func theStoresOwnProblemsPointIntoTheStore() {
        let manifest = #"{"import": ".beads/issues.jsonl", "defaults": {"timeout": "soon"}, "tickets": [{"id": "bd-1", "retries": -1}]}"#
        var store = Self.store
        store += #"{"id": "bd-3", "status": "open", "issue_type": "task", "dependencies": [{"issue_id": "bd-3", "depends_on_id": "bd-99", "type": "blocks"}]}"# + "\n"
        let checked = ValidatedManifest(SourceFile(name: "parrun.json", text: manifest), importer: { .bytes(name: $0, Array(store.utf8)) })
        let lines = problems(checked, manifest: manifest)
        // The default's bad value once (not once per ticket), the override's at its place, the dangling link in the store.
        #expect(lines.filter { $0.hasPrefix("parrun.json:1:59: error: ") }.count == 1, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("parrun.json:1:106: error: ") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix(".beads/issues.jsonl:4:111: warning: 'bd-3' depends on 'bd-99'") }, "\(lines)")
        #expect(lines.count == 3, "\(lines)")
    }

    @Test func theTextFormatImportsWithStarDefaultsAndHeadersAsOverrides() throws {
        let manifest = """
            import = .beads/issues.jsonl
            pool claude = 1

            *:
                @pool claude
                @verify true
                > Work on {{id}}: {{title}}

            bd-2: bd-12
                @review
                @priority 0
            """
        let checked = read(manifest, name: "Parrunfile")
        #expect(checked.diagnostics.diagnostics.isEmpty, "\(checked.diagnostics.diagnostics)")
        let graph = try #require(checked.graph)
        #expect(graph.tickets.map(\.recipe) == [.prompt("Work on bd-1: First"), .prompt("Work on bd-2: Second"), .prompt("Work on bd-12: Twelfth")])
        #expect(graph.tickets.map(\.pool) == ["claude", "claude", "claude"])
        #expect(graph.tickets[1].review && graph.tickets[1].priority == 0)
        #expect(graph.tickets[1].dependencies.map(\.id) == ["bd-12"], "a header's dependencies replace the store's")

        let missing = read("import = .beads/issues.jsonl\n\nbd-7:\n    @review\n", name: "Parrunfile")
        #expect(missing.diagnostics.diagnostics.map(\.message) == ["'bd-7' is not a ticket of the imported store .beads/issues.jsonl"])
    }

    @Test func starDefaultsApplyToATextManifestsOwnTickets() throws {
        let graph = try validGraph("""
            a:
                echo a
            *:
                @timeout 5s
                @retries 2
            b:
                @retries 0
                echo b
            """)
        #expect(graph.tickets.map(\.timeoutSeconds) == [5, 5])
        #expect(graph.tickets.map(\.retries) == [2, 0])
    }

    @Test func anImportThatCannotBeReadIsAnErrorAtItsPath() {
        let manifest = #"{"import": "nowhere.jsonl"}"#
        let checked = read(manifest)
        #expect(checked.diagnostics.diagnostics.map(\.message) == ["cannot read the imported store nowhere.jsonl: no such file"])
        #expect(checked.diagnostics.diagnostics.first?.span == SourceSpan(offset: 11, length: 15))
    }

    @Test func theImportPathIsRelativeToTheManifestAndRunsFromTheCommandLine() throws {
        let directory = try CLITests.directory([
            "project/.beads/issues.jsonl": Self.store,
            "project/parrun.json": #"{"import": ".beads/issues.jsonl", "defaults": {"run": "echo ran {{id}} >> ran.txt"}, "tickets": [{"id": "bd-99"}]}"#,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = try CLITests.run(["-n", "project/parrun.json"], in: directory)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("project/parrun.json:1:105: error: 'bd-99' is not a ticket of the imported store .beads/issues.jsonl"), "\(bad.stderr)")
        try Data(#"{"import": ".beads/issues.jsonl", "defaults": {"run": "echo ran {{id}} >> ran.txt"}}"#.utf8)
            .write(to: directory.appendingPathComponent("project/parrun.json"))
        let run = try CLITests.run(["-q", "--no-write-back", "project/parrun.json"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let ran = try String(contentsOf: directory.appendingPathComponent("project/ran.txt"), encoding: .utf8)
        #expect(ran == "ran bd-1\nran bd-2\n")
    }
}
