import ParrunSupport

/// Turns one ticket's members (from a JSON object, or built by the text parser)
/// into a `Ticket`, checking every known field and keeping the rest.
/// Both formats go through here, so a value means the same in each.
struct TicketDecoder {
    /// `defaults` members; a ticket inherits each one it does not set itself.
    let defaults: [JSONMember]
    /// What a key of the ticket's own that is no `TicketKey` is: silent in another
    /// tool's store, a warning (or error) in a parrun manifest. Inherited
    /// defaults are not checked here: their reader checks them once.
    var unknownKeys = UnknownKeyPolicy.ignore
    /// Fields a template names (`{{component}}`): a ticket's own, not typos.
    var templateFields: Set<String> = []
    /// Unknown keys are text-format attributes, spelt `@name`.
    var isTextFormat = false

    /// Keys that name the same thing; a ticket may give only one of each group, and
    /// setting one of them stops the others being inherited from `defaults`.
    private enum KeyGroup: Int {
        case dependencies, status, recipe

        init?(key: String) {
            switch key {
            case "dependsOn", "dependencies": self = .dependencies
            case "status", "state": self = .status
            case "run", "prompt": self = .recipe
            default: return nil
            }
        }
    }

    /// The member that set each key group, held inline: an array of them cost
    /// an allocation a ticket.
    private struct GroupMembers {
        var dependencies: JSONMember?
        var status: JSONMember?
        var recipe: JSONMember?

        subscript(group: KeyGroup) -> JSONMember? {
            get {
                switch group {
                case .dependencies: dependencies
                case .status: status
                case .recipe: recipe
                }
            }
            set {
                switch group {
                case .dependencies: dependencies = newValue
                case .status: status = newValue
                case .recipe: recipe = newValue
                }
            }
        }
    }

    /// Reports every problem of the ticket; returns nil when it cannot be a graph node.
    func decode(_ members: [JSONMember], at span: SourceSpan, diagnostics: inout DiagnosticList) -> Ticket? {
        guard let idMember = members.first(where: { $0.key == "id" }) else {
            diagnostics.add(ManifestError.missingID(at: span))
            return nil
        }
        guard case .string(let id) = idMember.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: "id", ticket: nil, expected: "a string", found: idMember.value.typeDescription, at: idMember.value.span))
            return nil
        }
        var idIsValid = true
        if !TicketID.isValid(id) {
            diagnostics.add(ManifestError.invalidID(id, at: idMember.value.span))
            idIsValid = false
        }

        var ticket = Ticket(id: id, idSpan: idMember.value.span)
        var seenGroups = GroupMembers()
        var recipeIsOwn = false
        for (index, member) in withDefaults(members).enumerated() {
            let key = TicketKey(name: member.key)
            if key == nil && unknownKeys != .ignore && index < members.count && !templateFields.contains(member.key) {
                reportUnknown(member, ticket: id, diagnostics: &diagnostics)
            }
            if case .null = member.value.kind { continue }
            if let group = KeyGroup(key: member.key) {
                if let earlier = seenGroups[group] {
                    if group == .recipe {
                        let run = earlier.key == "run" ? earlier : member
                        let other = earlier.key == "run" ? member : earlier
                        diagnostics.add(ManifestError.bothRunAndPrompt(ticket: id, at: other.keySpan, other: run.keySpan))
                    } else {
                        diagnostics.add(ManifestError.conflictingKeys(earlier.key, member.key, at: member.keySpan, other: earlier.keySpan))
                    }
                    continue
                }
                seenGroups[group] = member
                if group == .recipe { recipeIsOwn = index < members.count }
            }
            apply(member, key: key, to: &ticket, diagnostics: &diagnostics)
            if index >= members.count {
                if key == .timeout { ticket.inherited.insert(.timeout) }
                if key == .retries { ticket.inherited.insert(.retries) }
                if key == .agent { ticket.inherited.insert(.agent) }
            }
        }
        let recipe = seenGroups.recipe
        if let recipe, !recipeIsOwn { renderTemplate(of: &ticket, recipe: recipe, diagnostics: &diagnostics) }
        if case .shell(let script) = ticket.recipe, let recipe {
            // Checked after the template is filled in; an inherited recipe is this ticket's, so point here.
            ShellScriptLimit.check(script, field: "run", ticket: id, at: recipeIsOwn ? recipe.value.span : ticket.idSpan, diagnostics: &diagnostics)
        }
        return idIsValid ? ticket : nil
    }

    /// A recipe a ticket inherits from `defaults` is a template: fill it in for this ticket.
    /// Status is read by now (members are applied first), so a done ticket is known.
    private func renderTemplate(of ticket: inout Ticket, recipe: JSONMember, diagnostics: inout DiagnosticList) {
        let (template, kind): (String, Template.Kind)
        switch ticket.recipe {
        case .shell(let text): (template, kind) = (text, .shell)
        case .prompt(let text): (template, kind) = (text, .prompt)
        case .none: return
        }
        switch Template.render(template, for: ticket, as: kind) {
        case .success(let text):
            ticket.recipe = kind == .shell ? .shell(text) : .prompt(text)
        case .failure(let problem):
            // A done ticket never runs: a template it cannot fill in is no error, and it keeps the template.
            guard !ticket.isDone else { return }
            // Point at the template's line when it is written as a list of lines.
            let lines = recipe.value.arrayValue
            let span = lines.flatMap { problem.line <= $0.count ? $0[problem.line - 1].span : nil } ?? recipe.value.span
            diagnostics.add(ManifestError.templateField(problem, field: "defaults." + recipe.key, at: span))
        }
    }

    /// The ticket's own members, then each default whose key (or key group) it lacks.
    private func withDefaults(_ members: [JSONMember]) -> [JSONMember] {
        guard !defaults.isEmpty else { return members }
        func canonical(_ key: String) -> String { KeyGroup(key: key).map { "group \($0.rawValue)" } ?? key }
        let present = Set(members.map { canonical($0.key) })
        return members + defaults.filter { !present.contains(canonical($0.key)) }
    }

    /// Priorities other tools write as words: task files (`high` ... `background`)
    /// and ticket indexes (`P0` ... `P4`). Lower runs first, as with numbers.
    static let priorityWords: [String: Int] = [
        "high": 0, "medium": 1, "low": 2, "background": 3, "p0": 0, "p1": 1, "p2": 2, "p3": 3, "p4": 4,
    ]

    private func apply(_ member: JSONMember, key: TicketKey?, to ticket: inout Ticket, diagnostics: inout DiagnosticList) {
        let reader = FieldReader(member: member, ticket: ticket.id)
        guard let key else {
            // Templates may name any field: an unknown one is kept as written.
            ticket.fields.append(member)
            return
        }
        switch key {
        case .id:
            break
        case .labels:
            // Kept as written too: templates may name it.
            readOption(key, reader, into: &ticket, &diagnostics)
            ticket.fields.append(member)
        case .title:
            ticket.title = reader.string(&diagnostics)
        case .description:
            ticket.description = reader.string(&diagnostics)
        case .dependsOn, .dependencies:
            ticket.dependencies = reader.references(&diagnostics)
        case .priority:
            if let text = member.value.stringValue, let level = Self.priorityWords[text.lowercased()] {
                ticket.priority = level
            } else if let text = member.value.stringValue, member.value.integerValue == nil {
                diagnostics.add(ManifestError.wrongType(field: "priority", ticket: ticket.id, expected: "a whole number, `high`, `medium`, `low`, `background` or `P0` to `P4`", found: "'\(text.truncatedForMessage)'", at: member.value.span))
            } else {
                ticket.priority = reader.integer(minimum: Int.min, &diagnostics) ?? ticket.priority
            }
        case .run:
            if let script = reader.lines(&diagnostics) { ticket.recipe = .shell(script) }
        case .prompt:
            if let prompt = reader.lines(&diagnostics) { ticket.recipe = .prompt(prompt) }
        case .timeout:
            ticket.timeoutSeconds = reader.duration(&diagnostics)
        case .retries:
            ticket.retries = reader.integer(minimum: 0, &diagnostics)
        case .pool:
            ticket.pool = reader.string(&diagnostics)
            ticket.poolSpan = member.value.span
        case .cwd:
            ticket.workingDirectory = reader.string(&diagnostics)
        case .env:
            ticket.environment = reader.environment(&diagnostics)
        case .status, .state:
            ticket.status = reader.string(&diagnostics)
        case .agent:
            guard let name = member.value.stringValue, let agent = AgentKind(rawValue: name) else {
                reader.wrongValue("one of " + AgentKind.names.joined(separator: ", "), &diagnostics)
                return
            }
            ticket.agent = agent
            ticket.fields.append(member)
        case .verify, .verifyRetries, .review, .daemons, .touches, .cpus, .mem, .partition, .slurmArgs,
            .model, .permissionMode, .maxTurns, .maxBudgetUsd, .appendSystemPrompt, .allowedTools, .allowNoChange, .continuations,
            .inputs, .outputs:
            // Fields that tune how the ticket runs; templates may name them too, so they are kept as written.
            readOption(key, reader, into: &ticket, &diagnostics)
            ticket.fields.append(member)
        }
    }

    private func reportUnknown(_ member: JSONMember, ticket id: String, diagnostics: inout DiagnosticList) {
        let names = isTextFormat ? TicketKey.attributeNames : TicketKey.allCases.map(\.rawValue)
        UnknownKey.report(
            member, at: isTextFormat ? .attribute(ticket: id) : .ticket(id), among: names,
            otherNames: TicketKey.otherNames.mapValues(\.rawValue), policy: unknownKeys, diagnostics: &diagnostics)
    }

    /// The typed value of a field that tunes how the ticket runs.
    private func readOption(_ key: TicketKey, _ reader: FieldReader, into ticket: inout Ticket, _ diagnostics: inout DiagnosticList) {
        switch key {
        case .verify:
            ticket.verifyScript = Verify.script(reader, &diagnostics)
        case .verifyRetries:
            ticket.verifyRetries = Verify.retries(reader, &diagnostics)
        case .review:
            ticket.review = reader.flag(&diagnostics) ?? false
        case .daemons:
            ticket.daemons = reader.flag(&diagnostics) ?? false
        case .touches:
            ticket.touches = reader.commaList()
            if ticket.touches == nil { reader.wrongType("a list of path patterns (or one string, comma-separated)", nil, &diagnostics) }
        case .cpus, .mem, .partition, .slurmArgs:
            ticket.slurm.read(reader, &diagnostics)
        case .model, .permissionMode, .maxTurns, .maxBudgetUsd, .appendSystemPrompt, .allowedTools:
            ticket.claudeOptions.read(reader, &diagnostics)
        case .labels:
            ticket.labels = reader.commaList() ?? []
            // Another tool's store may spell its labels otherwise: it is read, not judged.
            if ticket.labels.isEmpty && unknownKeys != .ignore && reader.commaList() == nil {
                reader.wrongType("a list of labels (or one string, comma-separated)", nil, &diagnostics)
            }
        case .allowNoChange:
            ticket.allowNoChange = reader.flag(&diagnostics) ?? false
        case .continuations:
            ticket.continuations = Continuations.limit(reader, &diagnostics)
        case .inputs, .outputs:
            DeclaredFiles.apply(reader, key == .outputs, to: &ticket, &diagnostics)
        default:
            break
        }
    }
}
