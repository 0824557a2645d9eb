import ParrunSupport

/// A ticket's header and body in the text format: its attributes (`@name value`),
/// `env:` lines, its shell script or prompt, and a `verify:` block, gathered
/// into the members a JSON ticket would have.
extension TextManifestParser {
    /// What has been read of the ticket whose body is being parsed.
    struct TicketDraft {
        var headerSpan: SourceSpan
        var members: [JSONMember]
        /// Attribute names already set, to report a repeat in O(1).
        var attributeSpans: [String: SourceSpan] = [:]
        var environment: [JSONMember] = []
        var environmentSpan: SourceSpan?
        var shellLines: [Segment] = []
        /// Blank lines seen since the last shell line; kept only if another follows.
        var pendingBlankLines = 0
        var promptLines: [String] = []
        var firstShellLine: Int?
        var firstPromptLine: Int?
        var reportedMix = false
        /// Inside a `verify:` block: the indentation of its `verify:` line.
        var verifyIndent: Int?
        var verifySpan: SourceSpan?
        var verifyLines: [Segment] = []

        /// The header's id, for messages: `startTicket` makes it the first member.
        var id: String { members[0].value.stringValue ?? "" }
    }

    mutating func startTicket(id: String, span: SourceSpan, dependencies: [JSONValue]) {
        var members: [JSONMember] = []
        // The id, its dependencies and a recipe, without growing the array on the way.
        members.reserveCapacity(4)
        members.append(JSONMember(key: "id", keySpan: span, value: JSONValue(.string(id), at: span)))
        if !dependencies.isEmpty {
            members.append(JSONMember(key: "dependsOn", keySpan: span, value: JSONValue(.array(dependencies), at: dependencies[0].span)))
        }
        current = TicketDraft(headerSpan: span, members: members)
    }

    mutating func parseBodyLine(_ line: Segment, textStart: Int) {
        guard var draft = current else { return }
        current = nil
        defer { current = draft }
        // `verify:` on a line of its own starts a block: the lines indented deeper are the verify script.
        let indent = textStart - line.start
        if let blockIndent = draft.verifyIndent {
            if indent > blockIndent {
                draft.verifyLines.append(line)
                return
            }
            draft.verifyIndent = nil
        }
        if holdsOnly("verify:", from: textStart, to: line.end) {
            draft.verifyIndent = indent
            draft.verifySpan = SourceSpan(offset: textStart, length: 7)
            return
        }
        switch input[textStart] {
        case UInt8(ascii: "@"):
            parseAttribute(continued(line), at: textStart, into: &draft)
        case UInt8(ascii: ">"):
            if draft.firstPromptLine == nil { draft.firstPromptLine = textStart }
            reportMixIfNeeded(&draft, at: textStart)
            var from = textStart + 1
            if from < line.end && input[from] == UInt8(ascii: " ") { from += 1 }
            draft.promptLines.append(text(from, line.end))
        default:
            if draft.firstShellLine == nil { draft.firstShellLine = textStart }
            reportMixIfNeeded(&draft, at: textStart)
            if !draft.shellLines.isEmpty && draft.pendingBlankLines > 0 {
                draft.shellLines.append(contentsOf: repeatElement(Segment(start: line.start, end: line.start), count: draft.pendingBlankLines))
            }
            draft.pendingBlankLines = 0
            draft.shellLines.append(line)
        }
    }

    mutating func reportMixIfNeeded(_ draft: inout TicketDraft, at offset: Int) {
        guard !draft.reportedMix, let shell = draft.firstShellLine, let prompt = draft.firstPromptLine else { return }
        draft.reportedMix = true
        diagnostics.add(ManifestError.recipeMixesShellAndPrompt(ticket: draft.id, at: characterSpan(at: offset), first: SourceSpan(offset: min(shell, prompt))))
    }

    /// `@key value`; `@key` alone means true; `@env NAME=value` adds one variable.
    mutating func parseAttribute(_ segments: [Segment], at start: Int, into draft: inout TicketDraft) {
        let line = segments[0]
        let nameStart = start + 1
        var nameEnd = nameStart
        while nameEnd < line.end && TicketID.isIDByte(input[nameEnd]) { nameEnd += 1 }
        guard nameEnd > nameStart else {
            diagnostics.add(ManifestError.missingAttributeName(at: SourceSpan(offset: start)))
            return
        }
        let name = text(nameStart, nameEnd)
        let nameSpan = SourceSpan(offset: start, length: nameEnd - start)
        let value = joinedValue(segments, from: nameEnd) ?? JSONValue(.bool(true), at: nameSpan)

        if name == "env" {
            guard case .string(let assignment) = value.kind, let equals = assignment.firstIndex(of: "="),
                equals != assignment.startIndex
            else {
                diagnostics.add(ManifestError.invalidEnvironmentAttribute(at: value.span))
                return
            }
            let variable = String(assignment[..<equals])
            let variableValue = String(assignment[assignment.index(after: equals)...])
            draft.environmentSpan = draft.environmentSpan ?? nameSpan
            let variableSpan = SourceSpan(offset: value.span.offset, length: variable.utf8.count)
            draft.environment.append(JSONMember(key: variable, keySpan: variableSpan, value: JSONValue(.string(variableValue), at: value.span)))
            return
        }
        if name == "id" || name == "dependsOn" {
            diagnostics.add(ManifestError.attributeOfHeader(name, ticket: draft.id, at: nameSpan, header: draft.headerSpan))
            return
        }
        if let first = draft.attributeSpans[name] {
            diagnostics.add(ManifestError.duplicateAttribute("@\(name)", ticket: draft.id, at: nameSpan, first: first))
            return
        }
        draft.attributeSpans[name] = nameSpan
        draft.members.append(JSONMember(key: name, keySpan: nameSpan, value: value))
    }

    mutating func finishTicket() {
        guard var draft = current else { return }
        current = nil
        if let first = draft.firstShellLine {
            let script = dedented(draft.shellLines)
            draft.members.append(JSONMember(key: "run", keySpan: SourceSpan(offset: first), value: JSONValue(.string(script), at: SourceSpan(offset: first))))
        }
        if let first = draft.firstPromptLine {
            let prompt = draft.promptLines.joined(separator: "\n")
            draft.members.append(JSONMember(key: "prompt", keySpan: SourceSpan(offset: first), value: JSONValue(.string(prompt), at: SourceSpan(offset: first))))
        }
        if let span = draft.environmentSpan {
            draft.members.append(JSONMember(key: "env", keySpan: span, value: JSONValue(.object(draft.environment), at: span)))
        }
        // A `verify:` line without a block under it is an empty verify, which the decoder reports.
        if let span = draft.verifySpan {
            if let first = draft.attributeSpans["verify"] {
                diagnostics.add(ManifestError.duplicateAttribute("verify", ticket: draft.id, at: span, first: first))
            } else {
                draft.members.append(JSONMember(key: "verify", keySpan: span, value: JSONValue(.string(dedented(draft.verifyLines)), at: span)))
            }
        }
        // A shell-and-prompt mix was reported already; the decoder would report it again.
        if draft.reportedMix { draft.members.removeAll { $0.key == "prompt" } }
        if draft.id == "*" && draft.headerSpan.length == 1 && input[draft.headerSpan.offset] == UInt8(ascii: "*") {
            if defaults == nil { defaults = (draft.members, draft.headerSpan) }
        } else {
            drafts.append((draft.members, draft.headerSpan))
        }
    }

    /// The script with the indentation common to its lines removed, so that
    /// relative indentation (heredocs, loops) survives.
    func dedented(_ lines: [Segment]) -> String {
        var common: Int?
        for line in lines where line.end > line.start {
            let indent = skipBlanks(from: line.start, to: line.end) - line.start
            common = min(common ?? indent, indent)
        }
        let strip = common ?? 0
        if lines.count == 1 { return text(lines[0].start + strip, lines[0].end) }
        return lines.map { $0.end > $0.start ? text($0.start + strip, $0.end) : "" }.joined(separator: "\n")
    }
}
