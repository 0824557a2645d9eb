import ParrunSupport

/// Reads a JSON manifest's `import` (a path) and its `tickets` as overrides:
/// `{"import": ".beads/issues.jsonl", "defaults": {...}, "tickets": [{"id": "bd-12", "review": true}]}`.
enum StoreImportReader {
    /// Each override is checked here as a ticket of its own (types, unknown
    /// keys) against the manifest's text; whether its id is in the store is
    /// known once the store is read (`StoreImport.checkOverrides`).
    static func read(_ member: JSONMember, overrides list: JSONMember?, decoder: TicketDecoder, diagnostics: inout DiagnosticList) -> StoreImport? {
        guard let path = member.value.stringValue, !path.isEmpty else {
            diagnostics.add(StoreImportError.wrongType("import", expected: "the path of a ticket store, relative to the manifest", at: member.value.span))
            return nil
        }
        var overrides: [StoreImport.Override] = []
        if let list {
            guard let elements = list.value.arrayValue else {
                diagnostics.add(ManifestError.wrongType(field: list.key, ticket: nil, expected: "an array of overrides ({\"id\": ..., keys to set})", found: list.value.typeDescription, at: list.value.span))
                return StoreImport(path: path, pathSpan: member.value.span, defaults: decoder.defaults)
            }
            overrides = read(elements, field: list.key, decoder: decoder, diagnostics: &diagnostics)
        }
        return StoreImport(path: path, pathSpan: member.value.span, defaults: decoder.defaults, overrides: overrides)
    }

    /// Overrides from ticket members (the JSON `tickets`, the text format's headers).
    static func overrides(_ tickets: [(members: [JSONMember], span: SourceSpan)], decoder: TicketDecoder, diagnostics: inout DiagnosticList) -> [StoreImport.Override] {
        // Without defaults: a default template names store fields an override does not have.
        let checker = TicketDecoder(defaults: [], unknownKeys: decoder.unknownKeys, templateFields: decoder.templateFields, isTextFormat: decoder.isTextFormat)
        var seen: [String: SourceSpan] = [:]
        var overrides: [StoreImport.Override] = []
        for (members, span) in tickets {
            guard checker.decode(members, at: span, diagnostics: &diagnostics) != nil,
                let idMember = members.first(where: { $0.key == "id" }), let id = idMember.value.stringValue
            else { continue }
            if let first = seen[id] {
                diagnostics.add(GraphError.duplicateID(id, at: idMember.value.span, first: first))
                continue
            }
            seen[id] = idMember.value.span
            overrides.append(StoreImport.Override(id: id, idSpan: idMember.value.span, members: members.filter { $0.key != "id" }))
        }
        return overrides
    }

    private static func read(_ elements: [JSONValue], field: String, decoder: TicketDecoder, diagnostics: inout DiagnosticList) -> [StoreImport.Override] {
        var tickets: [(members: [JSONMember], span: SourceSpan)] = []
        for element in elements {
            guard case .object(let members) = element.kind else {
                diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "a list of override objects", found: element.typeDescription, at: element.span))
                continue
            }
            tickets.append((members, element.span))
        }
        return overrides(tickets, decoder: decoder, diagnostics: &diagnostics)
    }
}
