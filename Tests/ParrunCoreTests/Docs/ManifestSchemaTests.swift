import Foundation
import Testing
@testable import ParrunCLI
@testable import ParrunModel
@testable import ParrunSupport

/// docs/tickets.schema.json: what `parrun schema` prints, covering every key
/// the decoder reads, and every JSON manifest in the repository valid under it.
@Suite struct ManifestSchemaTests {
    static func schema() throws -> JSONSchemaCheck {
        JSONSchemaCheck(root: try JSONSchemaCheck.parse(ManifestSchema.text))
    }

    @Test func theFileInDocsIsWhatParrunSchemaPrints() throws {
        let printed = try CLITests.run(["schema"])
        #expect(printed.status == 0)
        #expect(printed.stdout == ManifestSchema.text)
        let stored = try RepositoryDocuments.text("docs/tickets.schema.json")
        #expect(stored == ManifestSchema.text, "docs/tickets.schema.json is stale: regenerate it with `swift run parrun schema > docs/tickets.schema.json`")
    }

    @Test func theValidatorKnowsEveryKeywordTheSchemaUses() throws {
        #expect(try Self.schema().unknownKeywords().isEmpty)
    }

    @Test func everyKeyTheDecoderKnowsIsInTheSchema() throws {
        let root = try JSONSchemaCheck.parse(ManifestSchema.text)
        func keys(_ path: [String]) -> Set<String> {
            var node = root
            for name in path {
                guard case .object(let members) = node.kind, let next = members.first(where: { $0.key == name }) else { return [] }
                node = next.value
            }
            guard case .object(let members) = node.kind else { return [] }
            return Set(members.map(\.key))
        }
        // A ticket is its own `id` and, by `$ref`, every key `defaults` may give.
        let defaults = keys(["$defs", "defaults", "properties"])
        let ticket = keys(["$defs", "ticket", "properties"]).union(defaults)
        guard case .array(let forms) = (try JSONSchemaCheck.parse(ManifestSchema.text)).kind.anyOfMembers else {
            Issue.record("the schema's top level is not anyOf")
            return
        }
        let top = forms.first.map { form -> Set<String> in
            guard case .object(let members) = form.kind, let properties = members.first(where: { $0.key == "properties" }),
                  case .object(let list) = properties.value.kind else { return [] }
            return Set(list.map(\.key))
        } ?? []
        let missingTicket = TicketKey.allCases.map(\.rawValue).filter { !ticket.contains($0) }
        #expect(missingTicket.isEmpty, "ticket keys missing from the schema: \(missingTicket)")
        let missingDefaults = TicketKey.allCases.map(\.rawValue).filter { $0 != "id" && !defaults.contains($0) }
        #expect(missingDefaults.isEmpty, "keys missing from the schema's defaults: \(missingDefaults)")
        let topLevel = SettingsDecoder.Setting.allCases.map(\.rawValue) + DocumentKey.allCases.map(\.rawValue)
        let missingTop = topLevel.filter { !top.contains($0) }
        #expect(missingTop.isEmpty, "top-level keys missing from the schema: \(missingTop)")
    }

    /// The repository's JSON manifests: Examples/ and the manifests in the
    /// documents' JSON blocks (not graph output, not fragments with `...`).
    static func manifests() throws -> [(name: String, text: String)] {
        let examples = RepositoryDocuments.root.appendingPathComponent("Examples")
        var found: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".json") {
            let text = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
            if isManifest(text) { found.append(("Examples/" + name, text)) }
        }
        let fixtures = RepositoryDocuments.root.appendingPathComponent("Tests/ParrunCoreTests/Fixtures")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() where name.hasSuffix(".json") {
            let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            if isManifest(text) { found.append(("Fixtures/" + name, text)) }
        }
        for document in try RepositoryDocuments.markdownFiles() {
            let text = try RepositoryDocuments.text(document)
            for (index, block) in text.components(separatedBy: "```json\n").dropFirst().enumerated() {
                let body = block.components(separatedBy: "```").first ?? ""
                if isManifest(body) { found.append(("\(document) JSON block \(index + 1)", body)) }
            }
        }
        return found
    }

    /// An object with a ticket list (or a bare array of tickets) that parses: a manifest.
    static func isManifest(_ text: String) -> Bool {
        guard let value = try? JSONSchemaCheck.parse(text) else { return false }
        switch value.kind {
        case .object(let members):
            return members.contains { $0.key == "tickets" || $0.key == "tasks" } && !members.contains { $0.key == "schema" }
        case .array(let items):
            return !items.isEmpty && items.allSatisfy { if case .object(let m) = $0.kind { return m.contains { $0.key == "id" } } else { return false } }
        default:
            return false
        }
    }

    @Test func everyJSONManifestInTheRepositoryIsValid() throws {
        let schema = try Self.schema()
        let manifests = try Self.manifests()
        #expect(manifests.count >= 8, "found only \(manifests.map(\.name))")
        #expect(manifests.contains { $0.name == "Examples/tickets.json" } && manifests.contains { $0.name == "Examples/agents.json" })
        for manifest in manifests {
            let problems = schema.problems(try JSONSchemaCheck.parse(manifest.text))
            #expect(problems.isEmpty, "\(manifest.name): \(problems)")
        }
    }

    @Test func wrongManifestsAreRejected() throws {
        let schema = try Self.schema()
        let cases: [(String, String)] = [
            (#"{"jobs": 2}"#, "no ticket list"),
            (#"{"tickets": [{"title": "no id"}]}"#, "missing id"),
            (#"{"tickets": [{"id": "a b"}]}"#, "an id with a space"),
            (#"{"tickets": [{"id": "a", "retries": -1}]}"#, "negative retries"),
            (#"{"tickets": [{"id": "a", "review": 3}]}"#, "review not a flag"),
            (#"{"tickets": [{"id": "a", "env": {"1X": "v"}}]}"#, "a variable name"),
            (#"{"isolate": "container", "tickets": []}"#, "isolate"),
            (#"{"jobs": "many", "tickets": []}"#, "jobs"),
            (#"{"prices": {"m": {"input": 1}}, "tickets": []}"#, "a price without output"),
            (#"{"tickets": [{"id": "a", "agent": "gemini"}]}"#, "an unknown agent"),
            (#"{"defaults": {"retries": -1}, "tickets": []}"#, "negative retries as a default"),
            (#"{"import": 5}"#, "an import that is no path"),
            (#"{"on": {"start": 5}, "tickets": []}"#, "a hook that is no script"),
        ]
        for (text, what) in cases {
            #expect(!schema.problems(try JSONSchemaCheck.parse(text)).isEmpty, "\(what) passed: \(text)")
        }
    }

    @Test func theDecoderAcceptsDollarSchemaSilently() {
        let text = #"{"$schema": "docs/tickets.schema.json", "tickets": [{"id": "a", "run": "true"}]}"#
        let result = ManifestReader.read(SourceFile(name: "m", text: text), strict: true)
        #expect(result.diagnostics.diagnostics.isEmpty, "\(result.diagnostics.diagnostics.map(\.message))")
        #expect(result.manifest?.tickets.map(\.id) == ["a"])
    }
}

private extension JSONValue.Kind {
    /// The top level's `anyOf` array.
    var anyOfMembers: JSONValue.Kind {
        guard case .object(let members) = self, let anyOf = members.first(where: { $0.key == "anyOf" }) else { return .null }
        return anyOf.value.kind
    }
}
