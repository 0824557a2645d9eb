import ParrunSupport

/// What to do with a key parrun does not know in a manifest.
public enum UnknownKeyPolicy: Sendable, Equatable {
    /// Another tool's store: its keys are its own (and usable in templates).
    case ignore
    case warn
    /// `--strict`: a misspelt key is an error, so nothing runs with it silently dropped.
    case refuse
}

/// A key that is neither read by parrun nor named by a template: most likely
/// a typo (`deps`, `timout`) whose value would otherwise be dropped silently.
struct UnknownKey: DiagnosticConvertible, Equatable {
    enum Place: Equatable {
        case ticket(String)
        /// A text-format attribute (`@timout`).
        case attribute(ticket: String)
        case topLevel
        case defaults
    }

    let key: String
    let place: Place
    let suggestion: String?
    let span: SourceSpan
    let isError: Bool

    var diagnostic: Diagnostic {
        let quote = { (name: String) in self.place.isAttribute ? "\"@\(name)\"" : "\"\(name)\"" }
        let owner = switch place {
        case .ticket(let id), .attribute(let id): "ticket \(id.truncatedForMessage)"
        case .topLevel: "the manifest's top level"
        case .defaults: "defaults"
        }
        let message = "unknown \(place.isAttribute ? "attribute" : "key") \(quote(key.truncatedForMessage)) in \(owner)"
            + (suggestion.map { ": did you mean \(quote($0))?" } ?? "")
        let help = isError
            ? "fix the spelling, or remove it; without --strict it is only a warning"
            : "parrun ignores it unless a template names it ({{\(key.truncatedForMessage)}}); --strict makes this an error"
        return Diagnostic(isError ? .error : .warning, message, at: span, help: help)
    }

    /// Reports `member` as unknown at `place`, suggesting the closest of `names`
    /// (skipped once the list is full: that search is the costly part).
    static func report(
        _ member: JSONMember, at place: Place, among names: [String], otherNames: [String: String] = [:],
        policy: UnknownKeyPolicy, diagnostics: inout DiagnosticList
    ) {
        guard policy != .ignore else { return }
        let isError = policy == .refuse
        let full = isError ? diagnostics.isErrorListFull : diagnostics.isWarningListFull
        let suggestion = full ? nil : self.suggestion(for: member.key, among: names, otherNames: otherNames)
        diagnostics.add(UnknownKey(key: member.key, place: place, suggestion: suggestion, span: member.keySpan, isError: isError))
    }

    /// The known name closest to `key` by edit distance, or the one another tool's spelling stands for.
    static func suggestion(for key: String, among names: [String], otherNames: [String: String] = [:]) -> String? {
        SpellingSuggestion.closest(to: key, among: names) ?? otherNames[key].flatMap { names.contains($0) ? $0 : nil }
    }
}

extension UnknownKey.Place {
    var isAttribute: Bool { if case .attribute = self { true } else { false } }
}
