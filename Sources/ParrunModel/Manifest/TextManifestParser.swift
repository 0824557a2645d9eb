import ParrunSupport

/// Reads the plain-text manifest format described in Grammar.md:
///
///     jobs = auto
///     pool git = 1
///
///     build: fetch gen
///         @timeout 10m
///         make all
///
/// Lines are classified by their first character; header, setting and
/// attribute lines may continue onto the next line with a trailing `\`.
/// Every ticket becomes members (`id`, `dependsOn`, `run`, ...) that go through
/// the same `TicketDecoder` as JSON tickets.
struct TextManifestParser {
    let input: UnsafeBufferPointer<UInt8>
    private var position: Int
    var diagnostics: DiagnosticList
    private let decoder: TicketDecoder

    private var tickets: [Ticket] = []
    private var settingMembers: [JSONMember] = []
    /// Index into `settingMembers` by name, to find repeats in O(1).
    private var settingIndex: [String: Int] = [:]
    /// `pool NAME = N` and `price MODEL = ...` lines, each kind gathered into
    /// one setting (`pools`, `prices`) as JSON has it.
    private var pools = NamedSettings(word: "pool", key: "pools")
    private var prices = NamedSettings(word: "price", key: "prices")
    /// `on EVENT = COMMAND` lines (`Hooks`).
    private var hooks = NamedSettings(word: "on", key: "on")
    var current: TicketDraft?
    /// Every ticket's members, decoded once the whole file is read: a `*:`
    /// block (defaults) anywhere applies to all, and with `import` they are overrides.
    var drafts: [(members: [JSONMember], span: SourceSpan)] = []
    /// The `*:` block's members: what every ticket inherits.
    var defaults: (members: [JSONMember], span: SourceSpan)?

    /// `unknownKeys`: what an unknown attribute or setting is; `templateFields`
    /// are attributes a template names (`--prompt-template`), never unknown.
    static func parse(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, unknownKeys: UnknownKeyPolicy = .warn, templateFields: Set<String> = [],
        diagnostics: inout DiagnosticList
    ) -> (ManifestSettings, [Ticket]) {
        let decoder = TicketDecoder(defaults: [], unknownKeys: unknownKeys, templateFields: templateFields, isTextFormat: true)
        var parser = TextManifestParser(input: input, position: start, decoder: decoder, diagnostics: diagnostics)
        parser.parseLines()
        let importMember = parser.takeSetting(DocumentKey.import.rawValue)
        var settings = SettingsDecoder.decode(parser.settingMembersWithPools(), unknownSettings: unknownKeys, diagnostics: &parser.diagnostics)
        parser.decodeDrafts(importing: importMember, into: &settings)
        diagnostics = parser.diagnostics
        return (settings, parser.tickets)
    }

    /// Removes the setting `key` (read by another reader than `SettingsDecoder`).
    private mutating func takeSetting(_ key: String) -> JSONMember? {
        guard let index = settingIndex.removeValue(forKey: key) else { return nil }
        let member = settingMembers.remove(at: index)
        for (name, position) in settingIndex where position > index { settingIndex[name] = position - 1 }
        return member
    }

    /// The tickets, with the `*:` defaults; with `import`, overrides of the store's tickets instead.
    private mutating func decodeDrafts(importing importMember: JSONMember?, into settings: inout ManifestSettings) {
        let defaultMembers = defaults?.members.filter { $0.key != "id" } ?? []
        var decoder = TicketDecoder(defaults: defaultMembers, unknownKeys: self.decoder.unknownKeys, templateFields: self.decoder.templateFields, isTextFormat: true)
        for member in defaultMembers where member.key == TicketKey.run.rawValue || member.key == TicketKey.prompt.rawValue {
            if let text = member.value.stringValue { decoder.templateFields.formUnion(Template.placeholderNames(in: text)) }
        }
        // Each default's name is checked here, once; its value as each ticket inherits it.
        if decoder.unknownKeys != .ignore {
            for member in defaultMembers where TicketKey(name: member.key) == nil && !decoder.templateFields.contains(member.key) {
                UnknownKey.report(member, at: .defaults, among: TicketKey.attributeNames, otherNames: TicketKey.otherNames.mapValues(\.rawValue), policy: decoder.unknownKeys, diagnostics: &diagnostics)
            }
        }
        if let importMember {
            settings.storeImport = StoreImportReader.read(importMember, overrides: nil, decoder: decoder, diagnostics: &diagnostics)
            settings.storeImport?.overrides = StoreImportReader.overrides(drafts, decoder: decoder, diagnostics: &diagnostics)
            return
        }
        for (members, span) in drafts {
            if let ticket = decoder.decode(members, at: span, diagnostics: &diagnostics) { tickets.append(ticket) }
        }
    }

    private init(input: UnsafeBufferPointer<UInt8>, position: Int, decoder: TicketDecoder, diagnostics: DiagnosticList) {
        self.input = input
        self.position = position
        self.decoder = decoder
        self.diagnostics = diagnostics
    }

    // MARK: - Lines

    /// A byte range of one physical line, without its line break.
    struct Segment {
        var start: Int
        var end: Int
    }

    private mutating func parseLines() {
        var reportedStrayIndent = false
        while let line = nextLine() {
            let firstText = skipBlanks(from: line.start, to: line.end)
            if firstText == line.end {
                current?.pendingBlankLines += 1
                continue
            }
            if input[firstText] == UInt8(ascii: "#") { continue }
            if firstText > line.start {
                if current != nil {
                    reportedStrayIndent = false
                    parseBodyLine(line, textStart: firstText)
                } else if !reportedStrayIndent {
                    // Once per block: a whole indented block would otherwise give an error a line.
                    diagnostics.add(ManifestError.indentedLineOutsideTicket(at: SourceSpan(offset: firstText)))
                    reportedStrayIndent = true
                }
                continue
            }
            reportedStrayIndent = false
            finishTicket()
            parseTopLevelLine(continued(line))
        }
        finishTicket()
    }

    private mutating func nextLine() -> Segment? {
        guard position < input.count else { return nil }
        let start = position
        while position < input.count && input[position] != UInt8(ascii: "\n") { position += 1 }
        var end = position
        if position < input.count { position += 1 }
        if end > start && input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return Segment(start: start, end: end)
    }

    /// The line and the lines it continues onto; each segment without its trailing `\`.
    mutating func continued(_ first: Segment) -> [Segment] {
        var segments = [first]
        while let last = segments.last, last.end > last.start, input[last.end - 1] == UInt8(ascii: "\\") {
            segments[segments.count - 1].end -= 1
            guard let next = nextLine() else { break }
            segments.append(Segment(start: skipBlanks(from: next.start, to: next.end), end: next.end))
        }
        return segments
    }

    // MARK: - Headers and settings

    private mutating func parseTopLevelLine(_ segments: [Segment]) {
        let line = segments[0]
        if input[line.start] == UInt8(ascii: "*") {
            let colon = skipBlanks(from: line.start + 1, to: line.end)
            guard colon < line.end, input[colon] == UInt8(ascii: ":") else {
                diagnostics.add(ManifestError.expectedColonAfterID(at: colon < line.end ? characterSpan(at: colon) : SourceSpan(offset: line.end, length: 0)))
                return
            }
            let span = SourceSpan(offset: line.start, length: 1)
            if let first = defaults?.span {
                diagnostics.add(ManifestError.duplicateSetting("*", at: span, first: first))
            }
            startTicket(id: "*", span: span, dependencies: dependencyTokens(segments, from: colon + 1))
            return
        }
        let idEnd = scanID(from: line.start, to: line.end)
        guard idEnd > line.start else {
            diagnostics.add(ManifestError.invalidIDCharacter(found: describe(at: line.start), at: characterSpan(at: line.start)))
            return
        }
        let word = text(line.start, idEnd)
        let wordSpan = SourceSpan(offset: line.start, length: idEnd - line.start)
        let afterWord = skipBlanks(from: idEnd, to: line.end)
        let next = afterWord < line.end ? input[afterWord] : nil

        if next == UInt8(ascii: ":") {
            startTicket(id: word, span: wordSpan, dependencies: dependencyTokens(segments, from: afterWord + 1))
        } else if next == UInt8(ascii: "=") && word == "pool" {
            diagnostics.add(ManifestError.missingPoolName(at: SourceSpan(offset: afterWord, length: 0)))
        } else if next == UInt8(ascii: "=") && word == "price" {
            diagnostics.add(ManifestError.missingPriceModel(at: SourceSpan(offset: afterWord, length: 0)))
        } else if next == UInt8(ascii: "=") {
            addSetting(key: word, keySpan: wordSpan, segments, valueFrom: afterWord + 1)
        } else if word == "pool" {
            parseNamedSetting(\.pools, segments, from: afterWord, keySpan: wordSpan)
        } else if word == "price" {
            parseNamedSetting(\.prices, segments, from: afterWord, keySpan: wordSpan)
        } else if word == "on" {
            parseNamedSetting(\.hooks, segments, from: afterWord, keySpan: wordSpan)
        } else if afterWord == idEnd && next != nil {
            diagnostics.add(ManifestError.invalidIDCharacter(found: describe(at: idEnd), at: characterSpan(at: idEnd)))
        } else {
            diagnostics.add(ManifestError.expectedColonAfterID(at: afterWord < line.end ? characterSpan(at: afterWord) : SourceSpan(offset: line.end, length: 0)))
        }
    }

    /// One kind of `WORD NAME = VALUE` line.
    private struct NamedSettings {
        let word: String
        /// The setting they make together: an object of NAME: VALUE.
        let key: String
        var members: [JSONMember] = []
        var index: [String: Int] = [:]
        var span: SourceSpan?

        var member: JSONMember? {
            span.map { JSONMember(key: key, keySpan: $0, value: JSONValue(.object(members), at: $0)) }
        }
    }

    /// `pool NAME = LIMIT` or `price MODEL = input 5, output 25`, kept as a
    /// member of a synthetic `pools` or `prices` object.
    private mutating func parseNamedSetting(_ kind: WritableKeyPath<TextManifestParser, NamedSettings>, _ segments: [Segment], from nameStart: Int, keySpan: SourceSpan) {
        var settings = self[keyPath: kind]
        let line = segments[0]
        let nameEnd = scanID(from: nameStart, to: line.end)
        let equals = skipBlanks(from: nameEnd, to: line.end)
        guard nameEnd > nameStart else {
            let at = SourceSpan(offset: nameStart, length: 0)
            diagnostics.add(settings.word == "pool" ? ManifestError.missingPoolName(at: at) : ManifestError.missingPriceModel(at: at))
            return
        }
        let name = text(nameStart, nameEnd)
        let key = "\(settings.word) \(name)"
        guard equals < line.end, input[equals] == UInt8(ascii: "=") else {
            diagnostics.add(ManifestError.missingSettingValue(key: key, at: keySpan))
            return
        }
        let nameSpan = SourceSpan(offset: nameStart, length: nameEnd - nameStart)
        guard let value = settingValue(segments, from: equals + 1, key: key, keySpan: keySpan) else { return }
        if let first = settings.index[name] {
            diagnostics.add(ManifestError.duplicateSetting(key, at: nameSpan, first: settings.members[first].keySpan))
            return
        }
        settings.span = settings.span ?? keySpan
        settings.index[name] = settings.members.count
        settings.members.append(JSONMember(key: name, keySpan: nameSpan, value: value))
        self[keyPath: kind] = settings
    }

    private mutating func addSetting(key: String, keySpan: SourceSpan, _ segments: [Segment], valueFrom start: Int) {
        guard let value = settingValue(segments, from: start, key: key, keySpan: keySpan) else { return }
        if let first = settingIndex[key] {
            diagnostics.add(ManifestError.duplicateSetting(key, at: keySpan, first: settingMembers[first].keySpan))
            return
        }
        settingIndex[key] = settingMembers.count
        settingMembers.append(JSONMember(key: key, keySpan: keySpan, value: value))
    }

    private mutating func settingValue(_ segments: [Segment], from start: Int, key: String, keySpan: SourceSpan) -> JSONValue? {
        guard let value = joinedValue(segments, from: start) else {
            diagnostics.add(ManifestError.missingSettingValue(key: key, at: keySpan))
            return nil
        }
        return value
    }

    /// The rest of a logical line from `start`, trimmed, continuation segments joined by a space.
    func joinedValue(_ segments: [Segment], from start: Int) -> JSONValue? {
        var parts: [String] = []
        var valueStart: Int?
        for (index, segment) in segments.enumerated() {
            let from = skipBlanks(from: index == 0 ? start : segment.start, to: segment.end)
            var to = segment.end
            while to > from && isBlank(input[to - 1]) { to -= 1 }
            if to > from {
                valueStart = valueStart ?? from
                parts.append(text(from, to))
            }
        }
        guard let valueStart else { return nil }
        let joined = parts.joined(separator: " ")
        return JSONValue(.string(joined), at: SourceSpan(offset: valueStart, length: min(joined.utf8.count, segments[0].end - valueStart)))
    }

    /// The ids after a header's `:`, up to a `#` comment.
    private mutating func dependencyTokens(_ segments: [Segment], from colonEnd: Int) -> [JSONValue] {
        var tokens: [JSONValue] = []
        for (index, segment) in segments.enumerated() {
            var cursor = index == 0 ? colonEnd : segment.start
            while true {
                cursor = skipBlanks(from: cursor, to: segment.end)
                guard cursor < segment.end else { break }
                if input[cursor] == UInt8(ascii: "#") { return tokens }
                var end = cursor
                while end < segment.end && !isBlank(input[end]) { end += 1 }
                let id = text(cursor, end)
                let span = SourceSpan(offset: cursor, length: end - cursor)
                if TicketID.isValid(id) {
                    tokens.append(JSONValue(.string(id), at: span))
                } else {
                    diagnostics.add(ManifestError.invalidID(id, at: span))
                }
                cursor = end
            }
        }
        return tokens
    }

    // MARK: - Settings

    private func settingMembersWithPools() -> [JSONMember] {
        settingMembers + [pools.member, prices.member, hooks.member].compactMap { $0 }
    }

    // MARK: - Bytes

    private func scanID(from start: Int, to end: Int) -> Int {
        guard start < end, TicketID.isAlphanumeric(input[start]) else { return start }
        var index = start + 1
        while index < end && TicketID.isIDByte(input[index]) { index += 1 }
        return index
    }

    func skipBlanks(from start: Int, to end: Int) -> Int {
        var index = start
        while index < end && isBlank(input[index]) { index += 1 }
        return index
    }

    /// True when the bytes from `start` to `end` are `word`, then blanks only.
    func holdsOnly(_ word: String, from start: Int, to end: Int) -> Bool {
        var index = start
        for byte in word.utf8 {
            guard index < end, input[index] == byte else { return false }
            index += 1
        }
        return skipBlanks(from: index, to: end) == end
    }

    private func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
    }

    func characterSpan(at offset: Int) -> SourceSpan {
        SourceSpan(offset: offset, length: min(UTF8Validation.sequenceLength(lead: input[offset]), input.count - offset))
    }

    private func describe(at offset: Int) -> String {
        JSONParser.describeCharacter(in: input, at: characterSpan(at: offset))
    }
}
