import ParrunSupport

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

    /// `promptTemplate`: a prompt template (file name and text) for every ticket
    /// without a recipe. Only tickets that will run must fill it in: a done or
    /// held-back one that cannot is left without a recipe, silently. A field
    /// some tickets have is empty text for those without it (stores leave empty
    /// fields out), as is a field the store's tool is known to leave out; a
    /// field no ticket has is an error.
    /// `strict`: unknown keys are errors (`--strict`).
    /// `importer`: reads the store an `import` names (`ManifestReader`).
    public init(_ source: SourceFile, promptTemplate: (name: String, text: String)? = nil, strict: Bool = false, importer: ((String) -> ImportedFile)? = nil) {
        let templateFields = promptTemplate.map { Template.placeholderNames(in: $0.text) } ?? []
        var read = ManifestReader.read(source, strict: strict, templateFields: templateFields, importer: importer)
        var diagnostics = read.diagnostics
        var graph: TicketGraph?
        var templateErrors: [String] = []
        if let manifest = read.manifest {
            let built = TicketGraph.build(from: manifest)
            diagnostics.append(contentsOf: built.diagnostics)
            graph = built.graph
        }
        if let template = promptTemplate, var manifest = read.manifest {
            // Without a graph (it has errors) the tickets held back by their own status are still known.
            let runs = graph.map(Plan.freshRunMask) ?? manifest.tickets.map { !$0.isDone && $0.hold == nil }
            var present = manifest.optionalFields
            for ticket in manifest.tickets { for field in ticket.fields { present.insert(field.key) } }
            for index in manifest.tickets.indices where manifest.tickets[index].recipe == .none && !manifest.tickets[index].isGroup {
                switch Template.render(template.text, for: manifest.tickets[index], as: .prompt, emptyWhenMissing: present) {
                case .success(let prompt):
                    manifest.tickets[index].recipe = .prompt(prompt)
                    graph?.setRecipe(.prompt(prompt), of: index)
                case .failure(let problem):
                    if runs[index] { templateErrors.append("\(template.name):\(problem.line): `{{\(problem.name)}}`: \(problem.reason)") }
                }
            }
            read.manifest = manifest
        }
        self.manifest = read.manifest
        self.graph = diagnostics.hasErrors || !templateErrors.isEmpty ? nil : graph
        self.diagnostics = diagnostics
        self.templateErrors = templateErrors
    }
}
