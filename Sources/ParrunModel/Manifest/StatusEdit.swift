import ParrunSupport

/// Write-back to a task file or a ticket index: the bytes of the file with one
/// ticket's status changed and nothing else. Only the bytes of the status
/// value are replaced (JSONParser's spans say where they are), so every other
/// byte (spacing, key order, fields parrun does not know) is kept; a ticket
/// without a status gets one right after its `id`.
public enum StatusEdit {
    public enum Failure: Error, Equatable, Sendable {
        /// The file no longer parses (someone is editing it, or it was replaced).
        case unreadable(String)
        /// No ticket has the id any more.
        case noTicket(String)

        public var message: String {
            switch self {
            case .unreadable(let reason): "the store no longer reads as JSON (\(reason))"
            case .noTicket(let id): "the store no longer has a ticket '\(id)'"
            }
        }
    }

    public static func apply(_ bytes: [UInt8], id: String, status: String, kind: StoreKind) -> Result<[UInt8], Failure> {
        switch apply(bytes, edits: [(id, status)], kind: kind) {
        case .failure(let failure): return .failure(failure)
        case .success(let (edited, failures)): return failures[id].map { .failure($0) } ?? .success(edited)
        }
    }

    /// Several tickets' statuses set in one pass over the file (a later edit
    /// of the same id wins); the ones that could not be made, by id.
    public static func apply(_ bytes: [UInt8], edits: [(id: String, status: String)], kind: StoreKind) -> Result<([UInt8], [String: Failure]), Failure> {
        let document: JSONValue
        do throws(ManifestError) {
            document = try bytes.withUnsafeBufferPointer { (input) throws(ManifestError) -> JSONValue in
                let start = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
                return try JSONParser.parse(input, from: start)
            }
        } catch {
            return .failure(.unreadable(error.diagnostic.message))
        }
        var wanted: [String: String] = [:]
        for edit in edits { wanted[edit.id] = edit.status }
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var failures: [String: Failure] = [:]
        var found = Set<String>()
        for ticket in tickets(of: document) {
            guard case .object(let members) = ticket.kind, let idMember = members.first(where: { $0.key == "id" }),
                let id = idMember.value.stringValue, let status = wanted[id], found.insert(id).inserted
            else { continue }
            let quoted = Array(JSONText.quoted(status).utf8)
            if let member = members.last(where: { $0.key == "status" || $0.key == "state" }) {
                switch member.value.kind {
                case .array, .object:
                    failures[id] = .unreadable("the status of '\(id)' is not a word")
                default:
                    let span = member.value.span
                    replacements.append((span.offset..<(span.offset + span.length), quoted))
                }
            } else {
                let end = idMember.value.span.offset + idMember.value.span.length
                replacements.append((end..<end, Array(", \(JSONText.quoted(kind.statusKey)): ".utf8) + quoted))
            }
        }
        for id in wanted.keys where !found.contains(id) { failures[id] = .noTicket(id) }
        var edited = bytes
        // From the end, so earlier offsets stay valid.
        for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            edited.replaceSubrange(replacement.range, with: replacement.bytes)
        }
        return .success((edited, failures))
    }

    /// The ticket objects of a task file (`tasks`), a ticket index (`tickets`) or a bare array.
    private static func tickets(of document: JSONValue) -> [JSONValue] {
        switch document.kind {
        case .array(let elements): return elements
        case .object(let members):
            let list = members.first { $0.key == DocumentKey.tasks.rawValue || $0.key == DocumentKey.tickets.rawValue }
            return list?.value.arrayValue ?? []
        default: return []
        }
    }
}
