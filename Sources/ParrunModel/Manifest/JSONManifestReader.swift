import ParrunSupport

/// Interprets a parsed JSON document as a manifest: `{"tickets": [...], settings}`,
/// `{"tasks": [...]}`, or a bare array of tickets.
enum JSONManifestReader {
    static func read(_ document: JSONValue, diagnostics: inout DiagnosticList) -> (ManifestSettings, [Ticket]) {
        switch document.kind {
        case .array(let elements):
            return (ManifestSettings(), tickets(elements, field: "tickets", defaults: [], diagnostics: &diagnostics))
        case .object(let members):
            return readObject(members, at: document.span, diagnostics: &diagnostics)
        default:
            diagnostics.add(ManifestError.notAManifest(found: document.typeDescription, at: document.span))
            return (ManifestSettings(), [])
        }
    }

    private static func readObject(_ members: [JSONMember], at span: SourceSpan, diagnostics: inout DiagnosticList) -> (ManifestSettings, [Ticket]) {
        var list: JSONMember?
        var defaults: [JSONMember] = []
        var settingMembers: [JSONMember] = []
        for member in members {
            switch member.key {
            case "tickets", "tasks":
                if let earlier = list {
                    diagnostics.add(ManifestError.conflictingKeys(earlier.key, member.key, at: member.keySpan, other: earlier.keySpan))
                } else {
                    list = member
                }
            case "defaults":
                defaults = validDefaults(member, diagnostics: &diagnostics)
            default:
                settingMembers.append(member)
            }
        }
        let settings = SettingsDecoder.decode(settingMembers, warnUnknown: false, diagnostics: &diagnostics)
        guard let list else {
            diagnostics.add(ManifestError.missingTicketList(at: span))
            return (settings, [])
        }
        guard case .array(let elements) = list.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: list.key, ticket: nil, expected: "an array of tickets", found: list.value.typeDescription, at: list.value.span))
            return (settings, [])
        }
        return (settings, tickets(elements, field: list.key, defaults: defaults, diagnostics: &diagnostics))
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

    private static func tickets(_ elements: [JSONValue], field: String, defaults: [JSONMember], diagnostics: inout DiagnosticList) -> [Ticket] {
        let decoder = TicketDecoder(defaults: defaults)
        var tickets: [Ticket] = []
        tickets.reserveCapacity(elements.count)
        for element in elements {
            guard case .object(let members) = element.kind else {
                diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "a list of ticket objects", found: element.typeDescription, at: element.span))
                continue
            }
            if let ticket = decoder.decode(members, at: element.span, diagnostics: &diagnostics) {
                tickets.append(ticket)
            }
        }
        return tickets
    }
}
