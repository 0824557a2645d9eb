/// A manifest read and checked as a graph, with every problem of both stages:
/// what the command, the tests and the fuzzer all start from.
public struct ValidatedManifest: Sendable {
    /// Nil when the text could not be read at all.
    public let manifest: Manifest?
    /// Nil when there is any error.
    public let graph: TicketGraph?
    public let diagnostics: DiagnosticList
    /// Problems of `--prompt-template`, as "FILE:LINE: message" (the template is not the manifest).
    public let templateErrors: [String]

    /// `promptTemplate`: a prompt template (file name and text) for every ticket without a recipe.
    public init(_ source: SourceFile, promptTemplate: (name: String, text: String)? = nil) {
        var read = ManifestReader.read(source)
        var diagnostics = read.diagnostics
        var graph: TicketGraph?
        var templateErrors: [String] = []
        if let template = promptTemplate, var manifest = read.manifest {
            for index in manifest.tickets.indices where manifest.tickets[index].recipe == .none && !manifest.tickets[index].isGroup {
                switch Template.render(template.text, for: manifest.tickets[index], as: .prompt) {
                case .success(let prompt): manifest.tickets[index].recipe = .prompt(prompt)
                case .failure(let problem): templateErrors.append("\(template.name):\(problem.line): `{{\(problem.name)}}`: \(problem.reason)")
                }
            }
            read.manifest = manifest
        }
        if let manifest = read.manifest {
            for ticket in manifest.tickets {
                ClaudeOptions.check(ticket, diagnostics: &diagnostics)
                Exclusions.check(ticket, diagnostics: &diagnostics)
                Verify.check(ticket, diagnostics: &diagnostics)
            }
            let built = TicketGraph.build(from: manifest)
            diagnostics.append(contentsOf: built.diagnostics)
            graph = built.graph
        }
        self.manifest = read.manifest
        self.graph = diagnostics.hasErrors || !templateErrors.isEmpty ? nil : graph
        self.diagnostics = diagnostics
        self.templateErrors = templateErrors
    }
}
