import Testing
@testable import ParrunCore
@testable import ParrunModel
@testable import ParrunSupport

/// Reads `text` as a manifest named `name`.
func readManifest(_ text: String, name: String = "m") -> ManifestReader.Result {
    ManifestReader.read(SourceFile(name: name, text: text))
}

/// Reads and builds the graph; returns the tickets (if the graph is valid) and
/// every diagnostic as "line:col: severity: message", in file order.
func check(_ text: String) -> (graph: TicketGraph?, problems: [String]) {
    let source = SourceFile(name: "m", text: text)
    let checked = ValidatedManifest(source)
    let map = SourceMap(source)
    let problems = checked.diagnostics.sorted.map { diagnostic in
        let place = diagnostic.span.map { "\(map.lineColumn(of: $0.offset))" } ?? "-"
        return "\(place): \(diagnostic.severity.rawValue): \(diagnostic.message)"
    }
    return (checked.graph, problems)
}

/// The manifest's tickets, failing the test if it has any error.
func tickets(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [Ticket] {
    let result = readManifest(text)
    #expect(!result.diagnostics.hasErrors, "unexpected errors: \(result.diagnostics.diagnostics.map(\.message))", sourceLocation: sourceLocation)
    return result.manifest?.tickets ?? []
}

/// The graph of a manifest that must be valid.
func validGraph(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TicketGraph {
    let (graph, problems) = check(text)
    #expect(problems.filter { $0.contains("error:") }.isEmpty, "\(problems)", sourceLocation: sourceLocation)
    return try #require(graph, sourceLocation: sourceLocation)
}

/// A text manifest from lines, so tests can show indentation plainly.
func lines(_ lines: String...) -> String {
    lines.joined(separator: "\n") + "\n"
}
