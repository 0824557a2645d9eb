import Foundation
import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// A key parrun does not know in its own manifests is most likely a typo:
/// a warning with the nearest known key (an error with `--strict`), while
/// other tools' stores keep their keys silently.
@Suite struct UnknownKeyTests {
    /// Every diagnostic as "line:col: severity: message".
    private func problems(_ text: String, strict: Bool = false, promptTemplate: String? = nil) -> [String] {
        let source = SourceFile(name: "m", text: text)
        let checked = ValidatedManifest(source, promptTemplate: promptTemplate.map { ("t.md", $0) }, strict: strict)
        let map = SourceMap(source)
        return checked.diagnostics.sorted.map { diagnostic in
            "\(diagnostic.span.map { "\(map.lineColumn(of: $0.offset))" } ?? "-"): \(diagnostic.severity.rawValue): \(diagnostic.message)"
        }
    }

    @Test func aMisspeltDependencyKeyWarnsAndSuggestsDependsOn() {
        let found = problems(#"{"tickets": [{"id": "a", "deps": ["b"]}, {"id": "b"}]}"#)
        #expect(found == [#"1:26: warning: unknown key "deps" in ticket a: did you mean "dependsOn"?"#])
    }

    @Test func aMisspeltTimeoutSuggestsTimeout() {
        let found = problems(#"{"tickets": [{"id": "a", "timout": "5s"}]}"#)
        #expect(found == [#"1:26: warning: unknown key "timout" in ticket a: did you mean "timeout"?"#])
    }

    @Test func aKeyNothingIsCloseToHasNoSuggestion() {
        #expect(problems(#"{"tickets": [{"id": "a", "zzzzzzzz": 1}]}"#) == [#"1:26: warning: unknown key "zzzzzzzz" in ticket a"#])
    }

    @Test func theTopLevelAndDefaultsAreCheckedToo() {
        let found = problems(#"{"job": 2, "defaults": {"retires": 1}, "tickets": [{"id": "a"}], "defualts": {}}"#)
        #expect(found == [
            #"1:2: warning: unknown key "job" in the manifest's top level: did you mean "jobs"?"#,
            #"1:25: warning: unknown key "retires" in defaults: did you mean "retries"?"#,
            #"1:66: warning: unknown key "defualts" in the manifest's top level: did you mean "defaults"?"#,
        ])
    }

    @Test func strictMakesUnknownKeysErrorsAndNothingRuns() {
        let source = #"{"tickets": [{"id": "a", "deps": ["b"]}, {"id": "b"}]}"#
        #expect(problems(source, strict: true) == [#"1:26: error: unknown key "deps" in ticket a: did you mean "dependsOn"?"#])
        #expect(ValidatedManifest(SourceFile(name: "m", text: source), strict: true).graph == nil)
        #expect(problems(lines("jobz = 2", "a:"), strict: true) == ["1:1: error: unknown setting `jobz`"])
    }

    @Test func theCommandWarnsAndWithStrictExits2NamingTheFileLineAndColumn() throws {
        let manifest = "{\"tickets\": [\n  {\"id\": \"a\", \"deps\": [\"b\"]},\n  {\"id\": \"b\"}\n]}\n"
        let dir = try CLITests.directory(["tickets.json": manifest])
        defer { try? FileManager.default.removeItem(at: dir) }
        let warned = try CLITests.run(["-n"], in: dir)
        #expect(warned.status == 0)
        #expect(warned.stderr.hasPrefix(#"tickets.json:2:15: warning: unknown key "deps" in ticket a: did you mean "dependsOn"?"#), "\(warned.stderr)")
        let strict = try CLITests.run(["-n", "--strict"], in: dir)
        #expect(strict.status == 2)
        #expect(strict.stderr.hasPrefix(#"tickets.json:2:15: error: unknown key "deps" in ticket a: did you mean "dependsOn"?"#), "\(strict.stderr)")
        #expect(strict.stdout.isEmpty)
    }

    @Test func textAttributesAreCheckedWithTheirOwnSpelling() {
        let found = problems(lines("a:", "    @timout 5s", "    @zzzzzzzz x", "    true"))
        #expect(found == [
            #"2:5: warning: unknown attribute "@timout" in ticket a: did you mean "@timeout"?"#,
            #"3:5: warning: unknown attribute "@zzzzzzzz" in ticket a"#,
        ])
        // The header gives the dependencies: @dependsOn is never suggested in the text format.
        #expect(problems(lines("a:", "    @deps b")) == [#"2:5: warning: unknown attribute "@deps" in ticket a"#])
    }

    @Test func fieldsATemplateNamesAreNotUnknown() {
        let json = #"{"defaults": {"run": "make {{component}}"}, "tickets": [{"id": "a", "component": "x"}]}"#
        #expect(problems(json).isEmpty)
        let text = lines("a:", "    @component x")
        #expect(problems(text, promptTemplate: "Build {{component}}").isEmpty)
        #expect(problems(text).count == 1)
    }

    @Test func theKeyLookupFindsEveryKeyAndNothingElse() {
        for key in TicketKey.allCases { #expect(TicketKey(name: key.rawValue) == key) }
        for other in ["", "i", "ID", "runs", "dependsOn ", "appendSystemPromptX", String(repeating: "a", count: 100)] {
            #expect(TicketKey(name: other) == nil, "\(other)")
        }
    }

    @Test func everyKeyTheDecoderReadsIsKnown() {
        // One member per TicketKey: none may be reported, whatever its value does.
        let members = TicketKey.allCases.filter { $0 != .id && $0 != .dependencies && $0 != .state && $0 != .prompt }
            .map { #""\#($0.rawValue)": null"# }
        let found = problems(#"{"tickets": [{"id": "a", "#
            + members.joined(separator: ", ") + "}]}")
        #expect(found.filter { $0.contains("unknown") }.isEmpty, "\(found)")
        let settings = SettingsDecoder.Setting.allCases.map { #""\#($0.rawValue)": null"# }
        #expect(problems("{" + settings.joined(separator: ", ") + #", "tickets": []}"#).filter { $0.contains("unknown") }.isEmpty)
    }

    @Test func otherToolsStoresKeepTheirKeysSilently() {
        let beads = #"""
            {"id": "bd-1", "title": "A", "status": "open", "issue_type": "task", "acceptance_criteria": "x", "labels": ["l"], "created_at": "2025-01-01"}
            {"id": "bd-2", "title": "B", "status": "open", "issue_type": "bug", "design": "y", "dependencies": [{"issue_id": "bd-2", "depends_on_id": "bd-1", "type": "blocks"}]}
            """#
        #expect(problems(beads, strict: true).isEmpty)
        let tasks = #"{"tasks": [{"id": "setup", "status": "completed", "details": "d", "testStrategy": "t", "subtasks": []}]}"#
        #expect(problems(tasks, strict: true).isEmpty)
        let index = #"{"version": 1, "tickets": [{"id": "T-1", "state": "COMPLETED", "priority": "P0", "type": "feature"}]}"#
        #expect(problems(index, strict: true).isEmpty)
    }

    @Test func theExamplesAndTheDocumentsManifestsUseOnlyKnownKeys() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let examples = root.appendingPathComponent("Examples")
        let names = try FileManager.default.contentsOfDirectory(atPath: examples.path)
            .filter { $0.hasSuffix(".json") || $0 == "Parrunfile" }
        #expect(names.count >= 3)
        var manifests = try names.map { ($0, try String(contentsOf: examples.appendingPathComponent($0), encoding: .utf8)) }
        // The JSON manifests of README.md, Grammar.md and docs/ (not their journal records).
        for document in try RepositoryDocuments.markdownFiles() {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            for (index, block) in text.components(separatedBy: "```json\n").dropFirst().enumerated() {
                let body = block.components(separatedBy: "```").first ?? ""
                guard body.contains(#""tickets""#) || body.contains(#""tasks""#) else { continue }
                manifests.append(("\(document) JSON block \(index + 1)", body))
            }
        }
        for (name, text) in manifests {
            let unknown = problems(text, strict: true).filter { $0.contains("unknown") }
            #expect(unknown.isEmpty, "\(name): \(unknown)")
        }
    }
}
