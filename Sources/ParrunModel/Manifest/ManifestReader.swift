import ParrunSupport

/// Reads a manifest in either format. The format comes from the content, not the
/// file name: a first non-blank character `{` or `[` means JSON, anything else
/// the plain-text format of Grammar.md.
public enum ManifestReader {
    public struct Result: Sendable {
        /// Nil when the text could not be read at all (not UTF-8, empty, a JSON syntax error).
        public var manifest: Manifest?
        public var diagnostics: DiagnosticList
    }

    /// `strict` (`--strict`): an unknown key of a parrun manifest is an error,
    /// not a warning. `templateFields`: fields a prompt template names, which
    /// tickets may carry without being warned about.
    /// `importer`: reads the store an `import` names (nil: an `import` is an error).
    public static func read(_ source: SourceFile, strict: Bool = false, templateFields: Set<String> = [], importer: ((String) -> ImportedFile)? = nil) -> Result {
        let unknownKeys: UnknownKeyPolicy = strict ? .refuse : .warn
        var diagnostics = DiagnosticList()
        var storeKind: StoreKind?
        let parsed: (ManifestFormat, ManifestSettings, [Ticket], optional: Set<String>)? = source.bytes.withUnsafeBufferPointer { input in
            if let invalid = UTF8Validation.firstInvalidOffset(in: input) {
                diagnostics.add(ManifestError.invalidUTF8(at: SourceSpan(offset: invalid)))
                return nil
            }
            let start = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            guard let first = firstNonBlank(in: input, from: start) else {
                // Located at 1:1 like every other error, so editors can jump to the file.
                diagnostics.add(ManifestError.emptyManifest(at: SourceSpan(offset: 0, length: 0)))
                return nil
            }
            if input[first] == UInt8(ascii: "\"") {
                // Not the text format (ids cannot start with a quote): a JSON document that is a bare string.
                diagnostics.add(ManifestError.notAManifest(found: "a string", at: SourceSpan(offset: first)))
                return nil
            }
            if input[first] == UInt8(ascii: "{") || input[first] == UInt8(ascii: "[") {
                guard let json = readJSON(input, from: start, unknownKeys: unknownKeys, templateFields: templateFields, diagnostics: &diagnostics) else { return nil }
                storeKind = json.kind
                return (.json, json.settings, json.tickets, json.optional)
            }
            let (settings, tickets) = TextManifestParser.parse(input, from: start, unknownKeys: unknownKeys, templateFields: templateFields, diagnostics: &diagnostics)
            return (.text, settings, tickets, [])
        }
        guard let (format, settings, tickets, optional) = parsed else {
            return Result(manifest: nil, diagnostics: diagnostics)
        }
        warnAboutUndeclaredPools(tickets, settings: settings, diagnostics: &diagnostics)
        DeclaredFiles.checkOutputsAreDistinct(tickets, diagnostics: &diagnostics)
        var manifest = Manifest(source: source, format: format, settings: settings, tickets: tickets)
        manifest.optionalFields = optional
        manifest.storeKind = storeKind
        if let request = settings.storeImport {
            StoreImporter.read(request, into: &manifest, importer: importer, templateFields: templateFields, diagnostics: &diagnostics)
            warnAboutUndeclaredPools(manifest.tickets, settings: settings, diagnostics: &diagnostics)
        }
        return Result(manifest: manifest, diagnostics: diagnostics)
    }

    /// A JSON document (or JSON Lines) as a store or a parrun manifest; nil
    /// when it cannot be read at all. `imported`: the defaults and overrides
    /// of the manifest that imports this store.
    static func readJSON(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int, unknownKeys: UnknownKeyPolicy, templateFields: Set<String>,
        imported: StoreImport? = nil, diagnostics: inout DiagnosticList
    ) -> (settings: ManifestSettings, tickets: [Ticket], optional: Set<String>, kind: StoreKind?)? {
        let document: JSONValue
        do throws(ManifestError) {
            document = try JSONParser.parse(input, from: start)
        } catch {
            // More than one value: JSON Lines, as beads keeps its issues.
            if case .trailingContent = error, let records = jsonLines(input, from: start, diagnostics: &diagnostics) {
                return (ManifestSettings(), BeadsReader.read(records, imported: imported, diagnostics: &diagnostics), BeadsReader.optionalFields, .beads)
            }
            diagnostics.add(error)
            return nil
        }
        if case .array(let elements) = document.kind, BeadsReader.looksLikeBeads(elements) {
            return (ManifestSettings(), BeadsReader.read(elements, imported: imported, diagnostics: &diagnostics), BeadsReader.optionalFields, .beads)
        }
        // A store of one issue is a single JSON Lines line: one object.
        if case .object = document.kind, BeadsReader.looksLikeBeads([document]) {
            return (ManifestSettings(), BeadsReader.read([document], imported: imported, diagnostics: &diagnostics), BeadsReader.optionalFields, .beads)
        }
        let (settings, tickets) = JSONManifestReader.read(document, unknownKeys: unknownKeys, templateFields: templateFields, imported: imported, diagnostics: &diagnostics)
        return (settings, tickets, [], StoreKind.of(document))
    }

    /// The records of a JSON Lines file of beads issues; nil when the input is
    /// not one, so the caller reports the document's own error. The first line
    /// must be an object with an `id`; then the whole stream is read, since an
    /// issue without links or `issue_type` may come before one that shows the
    /// beads shape. A damaged later line is reported here, at its place.
    private static func jsonLines(_ input: UnsafeBufferPointer<UInt8>, from start: Int, diagnostics: inout DiagnosticList) -> [JSONValue]? {
        var end = start
        while end < input.count && input[end] != UInt8(ascii: "\n") { end += 1 }
        guard let first = try? JSONParser.parse(UnsafeBufferPointer(rebasing: input[0..<end]), from: start),
            case .object = first.kind, first["id"] != nil
        else { return nil }
        let records: [JSONValue]
        do throws(ManifestError) {
            records = try JSONParser.parseSequence(input, from: start)
        } catch {
            guard BeadsReader.looksLikeBeads([first]) else { return nil }
            diagnostics.add(error)
            return []
        }
        return BeadsReader.looksLikeBeads(records) ? records : nil
    }

    private static func firstNonBlank(in input: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            switch input[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return index
            }
        }
        return nil
    }

    /// A pool without a limit is legal but is usually a typo for a declared one.
    private static func warnAboutUndeclaredPools(_ tickets: [Ticket], settings: ManifestSettings, diagnostics: inout DiagnosticList) {
        let declared = settings.pools.map(\.name)
        let declaredSet = Set(declared)
        var warned = Set<String>()
        for ticket in tickets {
            guard let pool = ticket.pool, !declaredSet.contains(pool), warned.insert(pool).inserted else { continue }
            let suggestion = diagnostics.isWarningListFull ? nil : SpellingSuggestion.closest(to: pool, among: declared)
            diagnostics.add(ManifestWarning.undeclaredPool(pool, ticket: ticket.id, suggestion: suggestion, at: ticket.poolSpan ?? ticket.idSpan))
        }
    }
}
