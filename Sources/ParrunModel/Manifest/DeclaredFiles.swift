import ParrunSupport

/// A ticket's `inputs` (files and glob patterns) and `outputs` (files), paths
/// relative to the manifest's directory: what makes it up to date, as a make
/// rule's prerequisites and targets (docs/up-to-date.md).
public struct DeclaredFiles: Sendable, Equatable {
    /// As written: plain paths and `PathGlob` patterns.
    public var inputs: [String] = []
    /// Plain paths of files the recipe writes.
    public var outputs: [String] = []

    public init(inputs: [String] = [], outputs: [String] = []) {
        self.inputs = inputs
        self.outputs = outputs
    }

    /// Whether `path` is a pattern rather than one file.
    public static func isPattern(_ path: String) -> Bool {
        path.contains { $0 == "*" || $0 == "?" || $0 == "[" } || path.hasSuffix("/")
    }

    /// Reads `inputs` or `outputs` (a list of strings, or one comma-separated
    /// string), checking each path once, here, so that no later stage meets a bad one.
    static func read(_ reader: FieldReader, outputs: Bool, _ diagnostics: inout DiagnosticList) -> [String]? {
        guard let paths = reader.commaList() else {
            reader.wrongType("a list of paths (or one string, comma-separated)", nil, &diagnostics)
            return nil
        }
        var valid: [String] = []
        for path in paths {
            if let problem = problem(path, isOutput: outputs) {
                diagnostics.add(DeclaredFilesError(field: reader.member.key, ticket: reader.ticket, path: path, problem: problem, at: reader.member.value.span))
            } else {
                valid.append(path)
            }
        }
        return valid
    }

    static func problem(_ path: String, isOutput: Bool) -> DeclaredFilesError.Problem? {
        if path.utf8.contains(0) { return .nul }
        if path.trimmingSpaces.isEmpty { return .empty }
        if isOutput && path.hasSuffix("/") { return .outputDirectory }
        if isOutput && isPattern(path) { return .outputPattern }
        return nil
    }

    /// A path given as both an input and an output: the recipe would change
    /// what decides whether it must run, so it would never be up to date.
    static func overlap(_ files: DeclaredFiles) -> String? {
        let inputs = Set(files.inputs.map(normalized))
        return files.outputs.first { inputs.contains(normalized($0)) }
    }

    /// `./a//b` and `a/b` name the same file.
    public static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}

/// A bad `inputs` or `outputs` value, found when the manifest is read.
struct DeclaredFilesError: DiagnosticConvertible {
    enum Problem: Sendable, Equatable {
        case nul, empty, outputDirectory, outputPattern
        case bothInputAndOutput
        /// Another ticket (this id) declares the same output.
        case outputOfAnother(String)
    }

    let field: String
    let ticket: String?
    let path: String
    let problem: Problem
    let at: SourceSpan

    var diagnostic: Diagnostic {
        let subject = ticket.map { "`\(field)` of ticket '\($0)'" } ?? "`\(field)`"
        let shown = "'\(path.truncatedForMessage)'"
        switch problem {
        case .nul:
            return Diagnostic(.error, "\(subject) has a path with a NUL character", at: at, help: "remove the NUL character from the path")
        case .empty:
            return Diagnostic(.error, "\(subject) has an empty path", at: at, help: "give each path relative to the manifest's directory, e.g. src/main.c")
        case .outputDirectory:
            return Diagnostic(
                .error, "\(subject) names a directory, \(shown); outputs are files", at: at,
                help: "name the files the recipe writes in that directory (e.g. out/app), or leave the directory out")
        case .outputPattern:
            return Diagnostic(
                .error, "\(subject) has the pattern \(shown); outputs are files, not patterns", at: at,
                help: "name each file the recipe writes; patterns (*, ?, [...]) are for inputs")
        case .bothInputAndOutput:
            return Diagnostic(
                .error, "\(subject) names \(shown), which is an input of the same ticket too", at: at,
                help: "a recipe that rewrites its own input is never up to date; write the result to another file")
        case .outputOfAnother(let other):
            return Diagnostic(
                .error, "\(subject) names \(shown), an output of ticket '\(other)' too", at: at,
                help: "one ticket writes each file (as one rule in make); let the other depend on it and read it as an input")
        }
    }
}

extension DeclaredFiles {
    /// Two tickets writing the same file would each find the other's output
    /// changed, and neither would ever be up to date: an error at the second.
    static func checkOutputsAreDistinct(_ tickets: [Ticket], diagnostics: inout DiagnosticList) {
        var writer: [String: String] = [:]
        for ticket in tickets {
            for output in ticket.files?.outputs ?? [] {
                let path = normalized(output)
                if let other = writer[path], other != ticket.id {
                    diagnostics.add(DeclaredFilesError(field: "outputs", ticket: ticket.id, path: output, problem: .outputOfAnother(other), at: ticket.idSpan))
                } else {
                    writer[path] = ticket.id
                }
            }
        }
    }

    /// Sets the ticket's `inputs` or `outputs`; once both are known, a path in
    /// both is an error pointing at the second one read.
    static func apply(_ reader: FieldReader, _ isOutput: Bool, to ticket: inout Ticket, _ diagnostics: inout DiagnosticList) {
        guard let paths = read(reader, outputs: isOutput, &diagnostics) else { return }
        var files = ticket.files ?? DeclaredFiles()
        if isOutput { files.outputs = paths } else { files.inputs = paths }
        ticket.files = files
        if let path = overlap(files) {
            diagnostics.add(DeclaredFilesError(field: reader.member.key, ticket: ticket.id, path: path, problem: .bothInputAndOutput, at: reader.member.value.span))
        }
    }
}
