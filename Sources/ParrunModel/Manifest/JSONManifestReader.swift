import ParrunSupport

/// Interprets a parsed JSON document as a manifest: `{"tickets": [...], settings}`,
/// `{"tasks": [...]}`, or a bare array of tickets.
enum JSONManifestReader {
    /// `unknownKeys`: for a parrun manifest; a task file or ticket index (another
    /// tool's store) keeps its own keys silently. `templateFields`: fields a
    /// template names, which tickets may have.
    /// `imported`: the defaults and overrides of a manifest importing this file.
    static func read(_ document: JSONValue, unknownKeys: UnknownKeyPolicy, templateFields: Set<String>, imported: StoreImport? = nil, diagnostics: inout DiagnosticList) -> (ManifestSettings, [Ticket]) {
        var decoder = TicketDecoder(defaults: imported?.defaults ?? [], unknownKeys: unknownKeys, templateFields: templateFields)
        switch document.kind {
        case .array(let elements):
            return (ManifestSettings(), tickets(elements, field: "tickets", decoder: decoder, imported: imported, diagnostics: &diagnostics))
        case .object(let members):
            if isForeignStore(members) || imported != nil { decoder.unknownKeys = .ignore }
            return readObject(members, at: document.span, decoder: decoder, imported: imported, diagnostics: &diagnostics)
        default:
            diagnostics.add(ManifestError.notAManifest(found: document.typeDescription, at: document.span))
            return (ManifestSettings(), [])
        }
    }

    /// A task file (`tasks`) or a ticket index (`version`): written by another tool, with keys of its own.
    private static func isForeignStore(_ members: [JSONMember]) -> Bool {
        members.contains { $0.key == DocumentKey.tasks.rawValue || $0.key == DocumentKey.version.rawValue }
    }

    private static func readObject(_ members: [JSONMember], at span: SourceSpan, decoder: TicketDecoder, imported: StoreImport?, diagnostics: inout DiagnosticList) -> (ManifestSettings, [Ticket]) {
        var list: JSONMember?
        var defaultsMember: JSONMember?
        var importMember: JSONMember?
        var settingMembers: [JSONMember] = []
        for member in members {
            switch DocumentKey(rawValue: member.key) {
            case .tickets, .tasks:
                if let earlier = list {
                    diagnostics.add(ManifestError.conflictingKeys(earlier.key, member.key, at: member.keySpan, other: earlier.keySpan))
                } else {
                    list = member
                }
            case .defaults:
                defaultsMember = member
            case .schema:
                continue  // for editors only
            case .import:
                importMember = member
            case .version, nil:
                // Kept in `settings.extra` with every other key that is no setting.
                settingMembers.append(member)
            }
        }
        var decoder = decoder
        if let defaultsMember {
            // An importing manifest's defaults come first: the store's own fill in the rest.
            let ownDefaults = validDefaults(defaultsMember, diagnostics: &diagnostics)
            let importedKeys = Set(decoder.defaults.map { StoreImport.group(of: $0.key) })
            let defaults = decoder.defaults + ownDefaults.filter { !importedKeys.contains(StoreImport.group(of: $0.key)) }
            decoder = TicketDecoder(
                defaults: defaults, unknownKeys: decoder.unknownKeys,
                templateFields: decoder.templateFields.union(templateFields(of: defaults)))
            checkKeys(of: defaults, decoder: decoder, diagnostics: &diagnostics)
        }
        let settings = SettingsDecoder.decode(settingMembers, unknownSettings: .ignore, diagnostics: &diagnostics)
        if decoder.unknownKeys != .ignore {
            let names = DocumentKey.allCases.filter { $0 != .version && $0 != .schema }.map(\.rawValue) + SettingsDecoder.Setting.allCases.map(\.rawValue)
            for member in settings.extra {
                UnknownKey.report(member, at: .topLevel, among: names, policy: decoder.unknownKeys, diagnostics: &diagnostics)
            }
        }
        if let importMember {
            var settings = settings
            settings.storeImport = StoreImportReader.read(importMember, overrides: list, decoder: decoder, diagnostics: &diagnostics)
            return (settings, [])
        }
        guard let list else {
            diagnostics.add(ManifestError.missingTicketList(at: span))
            return (settings, [])
        }
        guard case .array(let elements) = list.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: list.key, ticket: nil, expected: "an array of tickets", found: list.value.typeDescription, at: list.value.span))
            return (settings, [])
        }
        return (settings, tickets(elements, field: list.key, decoder: decoder, imported: imported, diagnostics: &diagnostics))
    }

    private static func validDefaults(_ member: JSONMember, diagnostics: inout DiagnosticList) -> [JSONMember] {
        guard case .object(let members) = member.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: "defaults", ticket: nil, expected: "an object of ticket fields", found: member.value.typeDescription, at: member.value.span))
            return []
        }
        return members.filter { field in
            guard field.key == "id" else { return true }
            diagnostics.add(ManifestError.forbiddenDefault(field.key, at: field.keySpan))
            return false
        }
    }

    /// The fields the defaults' recipe template names: tickets carry them for it.
    private static func templateFields(of defaults: [JSONMember]) -> Set<String> {
        var names = Set<String>()
        for member in defaults where member.key == TicketKey.run.rawValue || member.key == TicketKey.prompt.rawValue {
            let lines = member.value.stringValue.map { [$0] } ?? member.value.arrayValue?.compactMap(\.stringValue) ?? []
            for line in lines { names.formUnion(Template.placeholderNames(in: line)) }
        }
        return names
    }

    /// Each default is inherited by every ticket: its key is checked here, once.
    private static func checkKeys(of defaults: [JSONMember], decoder: TicketDecoder, diagnostics: inout DiagnosticList) {
        guard decoder.unknownKeys != .ignore else { return }
        for member in defaults where TicketKey(name: member.key) == nil && !decoder.templateFields.contains(member.key) {
            UnknownKey.report(member, at: .defaults, among: TicketKey.allCases.map(\.rawValue), otherNames: TicketKey.otherNames.mapValues(\.rawValue), policy: decoder.unknownKeys, diagnostics: &diagnostics)
        }
    }

    private static func tickets(_ elements: [JSONValue], field: String, decoder: TicketDecoder, imported: StoreImport? = nil, diagnostics: inout DiagnosticList) -> [Ticket] {
        var tickets: [Ticket] = []
        tickets.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let members) = element.kind else {
                diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "a list of ticket objects", found: element.typeDescription, at: element.span))
                continue
            }
            if let ticket = decoder.decode(imported?.applied(to: members) ?? members, at: element.span, diagnostics: &diagnostics) {
                tickets.append(ticket)
            }
        }
        return tickets
    }
}
