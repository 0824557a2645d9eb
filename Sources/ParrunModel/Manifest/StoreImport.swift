import ParrunSupport

/// `import`: a manifest that takes its tickets from another tool's store
/// (`.beads/issues.jsonl`, a task file, a ticket index) and gives them parrun
/// settings without editing the store: `defaults` every store ticket inherits
/// unless it sets the key itself, and per-id overrides (the manifest's
/// `tickets`, or the text format's ticket headers) that win over the store's
/// own values. The store stays the owner of its tickets: an override may only
/// name an id the store has.
public struct StoreImport: Sendable {
    /// As written, relative to the manifest's directory.
    public var path: String
    public var pathSpan: SourceSpan
    /// Ticket keys every store ticket inherits.
    var defaults: [JSONMember]
    /// Per-id members that replace the store's (the `id` member left out).
    var overrides: [Override] { didSet { indexOverrides() } }

    struct Override: Sendable {
        var id: String
        var idSpan: SourceSpan
        var members: [JSONMember]
    }

    init(path: String, pathSpan: SourceSpan, defaults: [JSONMember] = [], overrides: [Override] = []) {
        self.path = path
        self.pathSpan = pathSpan
        self.defaults = defaults
        self.overrides = overrides
        indexOverrides()
    }

    private mutating func indexOverrides() {
        byID = [:]
        for (index, override) in overrides.enumerated() where byID[override.id] == nil { byID[override.id] = index }
    }

    private var byID: [String: Int] = [:]

    /// A store ticket's members with its override applied: the store's id
    /// first, then the override's members, then the store's members whose key
    /// (or key group: `run`/`prompt`, `status`/`state`, `dependsOn`/`dependencies`)
    /// the override does not set.
    func applied(to members: [JSONMember]) -> [JSONMember] {
        guard !byID.isEmpty, let idMember = members.first(where: { $0.key == "id" }), let id = idMember.value.stringValue,
            let index = byID[id]
        else { return members }
        let own = overrides[index].members
        let replaced = Set(own.map { Self.group(of: $0.key) })
        return [idMember] + own + members.filter { $0.key != "id" && !replaced.contains(Self.group(of: $0.key)) }
    }

    /// Whether the override of `id` gives it a recipe of its own.
    func setsRecipe(of id: String) -> Bool {
        guard let index = byID[id] else { return false }
        return overrides[index].members.contains { Self.group(of: $0.key) == "run" }
    }

    /// The name standing for a key's group, so `state` replaces `status`.
    static func group(of key: String) -> String {
        switch key {
        case "dependsOn", "dependencies": "dependsOn"
        case "status", "state": "status"
        case "run", "prompt": "run"
        default: key
        }
    }

    /// An override naming an id the store lacks is an error, with the nearest ids.
    func checkOverrides(against tickets: [Ticket], diagnostics: inout DiagnosticList) {
        let ids = Set(tickets.map(\.id))
        for override in overrides where !ids.contains(override.id) {
            diagnostics.add(StoreImportError.unknownOverride(override.id, store: path, nearest: Self.nearest(override.id, among: tickets.map(\.id)), at: override.idSpan))
        }
    }

    /// Up to three ids close to `id` by edit distance, closest first.
    static func nearest(_ id: String, among ids: [String]) -> [String] {
        var left = ids
        var found: [String] = []
        while found.count < 3, let next = SpellingSuggestion.closest(to: id, among: left) {
            found.append(next)
            left.removeAll { $0 == next }
        }
        return found
    }
}

/// What the command gives the reader for an `import`: the store's bytes, or why it could not read them.
public enum ImportedFile: Sendable {
    case bytes(name: String, [UInt8])
    case failed(String)
}

/// Problems of an `import` and its overrides.
enum StoreImportError: DiagnosticConvertible, Equatable {
    case unknownOverride(String, store: String, nearest: [String], at: SourceSpan)
    case cannotRead(String, reason: String, at: SourceSpan)
    case notAStore(String, at: SourceSpan)
    case nestedImport(String, at: SourceSpan)
    case wrongType(String, expected: String, at: SourceSpan)

    var diagnostic: Diagnostic {
        switch self {
        case .unknownOverride(let id, let store, let nearest, let span):
            let help = nearest.isEmpty
                ? "an override may only name a ticket of the imported store; remove it, or fix the id"
                : "the nearest ids in the store: \(nearest.map { "'\($0)'" }.joined(separator: ", "))"
            return Diagnostic(.error, "'\(id.truncatedForMessage)' is not a ticket of the imported store \(store.truncatedForMessage)", at: span, help: help)
        case .cannotRead(let path, let reason, let span):
            return Diagnostic(.error, "cannot read the imported store \(path.truncatedForMessage): \(reason)", at: span, help: "the path is relative to the manifest's directory")
        case .notAStore(let path, let span):
            return Diagnostic(.error, "\(path.truncatedForMessage) is not a JSON ticket store", at: span, help: "import a beads store (.beads/issues.jsonl), a task file or a ticket index")
        case .nestedImport(let path, let span):
            return Diagnostic(.error, "the imported file \(path.truncatedForMessage) imports another file itself", at: span, help: "import the store directly")
        case .wrongType(let field, let expected, let span):
            return Diagnostic(.error, "`\(field)` must be \(expected)", at: span)
        }
    }
}
