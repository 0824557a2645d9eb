/// A recipe template from `defaults.run`, `defaults.prompt` or
/// `--prompt-template`: `{{name}}` stands for a ticket's `id`, `title`,
/// `description`, `deps`, `priority`, or any field it has. In a shell template
/// every value is shell-quoted, so a title such as `$(rm -rf ~)` stays text.
public enum Template {
    public enum Kind: Sendable {
        case shell, prompt
    }

    /// A placeholder the ticket has no value for.
    public struct Problem: Error, Equatable, Sendable {
        public var name: String
        /// The template's line (1-based) where it stands.
        public var line: Int
        public var reason: String
    }

    static let builtIns = ["id", "title", "description", "deps", "priority"]

    /// The template with every `{{name}}` replaced; text that only looks like a
    /// placeholder (`{{ }}`, `{{a b}}`) is left as it is. A field in
    /// `emptyWhenMissing` that the ticket lacks is empty text; any other
    /// missing field is a problem (most likely a misspelt name).
    public static func render(_ template: String, for ticket: Ticket, as kind: Kind, emptyWhenMissing: Set<String> = []) -> Result<String, Problem> {
        var out = ""
        var rest = Substring(template)
        var line = 1
        while let open = rest.firstRange(of: "{{") {
            let before = rest[..<open.lowerBound]
            line += before.reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
            out += before
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstRange(of: "}}"),
                case let name = String(afterOpen[..<close.lowerBound]).trimmingSpaces,
                !name.isEmpty, name.utf8.allSatisfy(isNameByte)
            else {
                out += "{{"
                rest = afterOpen
                continue
            }
            switch value(of: name, in: ticket, as: kind, emptyWhenMissing: emptyWhenMissing) {
            case .text(let text): out += text
            case .problem(let reason): return .failure(Problem(name: name, line: line, reason: reason))
            }
            rest = afterOpen[close.upperBound...]
        }
        return .success(out + rest)
    }

    /// The names `render` would look up in `template`, found by the same rule.
    static func placeholderNames(in template: String) -> Set<String> {
        var names = Set<String>()
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{") {
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstRange(of: "}}") else { break }
            let name = String(afterOpen[..<close.lowerBound]).trimmingSpaces
            if !name.isEmpty && name.utf8.allSatisfy(isNameByte) {
                names.insert(name)
                rest = afterOpen[close.upperBound...]
            } else {
                rest = afterOpen
            }
        }
        return names
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        TicketID.isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private enum Lookup {
        case text(String)
        case problem(String)
    }

    private static func value(of name: String, in ticket: Ticket, as kind: Kind, emptyWhenMissing: Set<String>) -> Lookup {
        func quote(_ text: String) -> String { kind == .shell ? shellQuoted(text) : text }
        switch name {
        case "id": return .text(quote(ticket.id))
        case "title": return .text(quote(ticket.title ?? ""))
        case "description": return .text(quote(ticket.description ?? ""))
        case "priority": return .text(quote(String(ticket.priority)))
        case "deps":
            let ids = ticket.dependencies.map(\.id)
            return .text(kind == .shell ? ids.map { shellQuoted($0) }.joined(separator: " ") : ids.joined(separator: ", "))
        default:
            guard let field = ticket.field(name) else {
                if emptyWhenMissing.contains(name) { return .text(quote("")) }
                return .problem("ticket '\(ticket.id)' has no field `\(name)` (every ticket has \(builtIns.joined(separator: ", ")))")
            }
            if let text = field.scalarText { return .text(quote(text)) }
            if let items = field.arrayValue, case let texts = items.compactMap(\.scalarText), texts.count == items.count {
                return .text(kind == .shell ? texts.map { shellQuoted($0) }.joined(separator: " ") : texts.joined(separator: ", "))
            }
            if case .null = field.kind { return .text(quote("")) }
            return .problem("field `\(name)` of ticket '\(ticket.id)' is \(field.typeDescription); a template takes text, numbers and lists of them")
        }
    }

    /// `text` as it can be typed: quoted only when the shell would change it.
    public static func shellQuotedIfNeeded(_ text: String) -> String {
        let plain = !text.isEmpty && text.utf8.allSatisfy { byte in
            TicketID.isAlphanumeric(byte) || "-_./=:,+@%".utf8.contains(byte)
        }
        return plain ? text : shellQuoted(text)
    }

    /// One shell word that means exactly `text`.
    public static func shellQuoted(_ text: String) -> String {
        "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }
}
