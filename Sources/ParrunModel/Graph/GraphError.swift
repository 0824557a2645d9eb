import ParrunSupport

/// What can be wrong with the tickets as a graph, each case carrying where.
public enum GraphError: Error, DiagnosticConvertible, Equatable {
    case duplicateID(String, at: SourceSpan, first: SourceSpan)
    case unknownDependency(ticket: String, dependency: String, suggestion: String?, at: SourceSpan)
    case selfDependency(ticket: String, at: SourceSpan)
    /// `path` starts and ends with the same id; `edges[k]` is where `path[k]` depends on `path[k+1]`.
    case cycle(path: [String], edges: [SourceSpan])

    /// Notes beyond this many edges of a long cycle add nothing; the path line names them all.
    static let cycleNoteLimit = 8

    public var diagnostic: Diagnostic {
        switch self {
        case .duplicateID(let id, let span, let first):
            return Diagnostic(
                .error, "ticket id '\(id)' is used twice", at: span,
                help: "ids must be unique: rename one of the tickets",
                notes: [.init("'\(id)' is first defined here", at: first)])
        case .unknownDependency(let ticket, let dependency, let suggestion, let span):
            let help = suggestion.map { "did you mean '\($0.truncatedForMessage)'?" }
                ?? "add a ticket '\(dependency.truncatedForMessage)' or remove it from the dependencies"
            return Diagnostic(
                .error, "ticket '\(ticket)' depends on '\(dependency.truncatedForMessage)', which is not a ticket in this manifest",
                at: span, help: help)
        case .selfDependency(let ticket, let span):
            return Diagnostic(
                .error, "ticket '\(ticket)' depends on itself", at: span, help: "remove '\(ticket)' from its own dependencies")
        case .cycle(let path, let edges):
            var notes: [Diagnostic.Note] = []
            for (index, span) in edges.enumerated().dropFirst().prefix(Self.cycleNoteLimit - 1) {
                notes.append(.init("'\(path[index])' depends on '\(path[index + 1])' here", at: span))
            }
            if edges.count > Self.cycleNoteLimit {
                notes.append(.init("... and \(edges.count - Self.cycleNoteLimit) more dependencies on the cycle"))
            }
            return Diagnostic(
                .error, "dependency cycle: \(path.joined(separator: " -> "))", at: edges.first,
                help: "each ticket waits for the next, so none can start: remove one of these dependencies",
                notes: notes)
        }
    }
}

public enum GraphWarning: DiagnosticConvertible, Equatable {
    case duplicateDependency(ticket: String, dependency: String, at: SourceSpan, first: SourceSpan)

    public var diagnostic: Diagnostic {
        switch self {
        case .duplicateDependency(let ticket, let dependency, let span, let first):
            return Diagnostic(
                .warning, "ticket '\(ticket)' lists dependency '\(dependency)' twice", at: span,
                help: "remove the repeated id", notes: [.init("first listed here", at: first)])
        }
    }
}
