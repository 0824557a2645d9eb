import ParrunSupport

/// Reads the store a manifest's `import` names, with the manifest's defaults
/// and overrides, into the manifest's tickets.
///
/// Diagnostics carry byte offsets into one file, so the store is read from a
/// buffer in which it starts after the manifest's length in blanks
/// (`Manifest.importOffset`): a span below that offset is in the manifest (an
/// override, a default), one above it in the store, and the command renders
/// each against its own file. A problem at one place of the manifest found again
/// as the store is read (a default's, once per ticket) is reported once.
enum StoreImporter {
    static func read(_ request: StoreImport, into manifest: inout Manifest, importer: ((String) -> ImportedFile)?, templateFields: Set<String>, diagnostics: inout DiagnosticList) {
        guard let importer else {
            diagnostics.add(StoreImportError.cannotRead(request.path, reason: "an import is read only from a manifest file", at: request.pathSpan))
            return
        }
        let name: String
        var bytes: [UInt8]
        switch importer(request.path) {
        case .failed(let reason):
            diagnostics.add(StoreImportError.cannotRead(request.path, reason: reason, at: request.pathSpan))
            return
        case .bytes(let file, let content):
            (name, bytes) = (file, content)
        }
        // A byte-order mark becomes blanks: offsets stay those of the file.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.replaceSubrange(0..<3, with: [32, 32, 32]) }
        let base = manifest.source.bytes.count + 1
        let padded = [UInt8](repeating: UInt8(ascii: " "), count: base) + bytes
        manifest.importedStore = SourceFile(name: name, bytes: bytes)
        manifest.importOffset = base
        var own = DiagnosticList()
        let read = padded.withUnsafeBufferPointer { input -> (settings: ManifestSettings, tickets: [Ticket], optional: Set<String>, kind: StoreKind?)? in
            if let invalid = UTF8Validation.firstInvalidOffset(in: input) {
                own.add(ManifestError.invalidUTF8(at: SourceSpan(offset: invalid)))
                return nil
            }
            var first = base
            while first < input.count && [9, 10, 13, 32].contains(input[first]) { first += 1 }
            guard first < input.count, input[first] == UInt8(ascii: "{") || input[first] == UInt8(ascii: "[") else {
                own.add(StoreImportError.notAStore(request.path, at: request.pathSpan))
                return nil
            }
            return ManifestReader.readJSON(input, from: 0, unknownKeys: .warn, templateFields: templateFields, imported: request, diagnostics: &own)
        }
        // One problem per place in the manifest: a default's bad value is found once per ticket.
        var seen = Set(diagnostics.diagnostics.compactMap(\.span))
        for diagnostic in own.diagnostics {
            if let span = diagnostic.span, span.offset < base, !seen.insert(span).inserted { continue }
            diagnostics.append(diagnostic)
        }
        guard let read else { return }
        if read.settings.storeImport != nil {
            diagnostics.add(StoreImportError.nestedImport(request.path, at: request.pathSpan))
            return
        }
        manifest.tickets = read.tickets
        manifest.optionalFields = read.optional
        manifest.storeKind = read.kind
        request.checkOverrides(against: read.tickets, diagnostics: &diagnostics)
    }
}
