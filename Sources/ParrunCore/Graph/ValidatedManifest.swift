/// A manifest read and checked as a graph, with every problem of both stages:
/// what the command, the tests and the fuzzer all start from.
public struct ValidatedManifest: Sendable {
    /// Nil when the text could not be read at all.
    public let manifest: Manifest?
    /// Nil when there is any error.
    public let graph: TicketGraph?
    public let diagnostics: DiagnosticList

    public init(_ source: SourceFile) {
        let read = ManifestReader.read(source)
        var diagnostics = read.diagnostics
        var graph: TicketGraph?
        if let manifest = read.manifest {
            for ticket in manifest.tickets { ClaudeOptions.check(ticket, diagnostics: &diagnostics) }
            let built = TicketGraph.build(from: manifest)
            diagnostics.append(contentsOf: built.diagnostics)
            graph = built.graph
        }
        self.manifest = read.manifest
        self.graph = diagnostics.hasErrors ? nil : graph
        self.diagnostics = diagnostics
    }
}
