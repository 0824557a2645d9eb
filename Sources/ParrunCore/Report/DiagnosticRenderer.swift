import ParrunSupport

/// The one place diagnostics become text, in the form compilers use so editors
/// can jump to them:
///
///     tickets.json:14:22: error: ticket 'test' depends on 'biuld', which is not a ticket in this manifest
///        14 |       "dependsOn": ["biuld"],
///           |                     ^~~~~~~
///           = help: did you mean 'build'?
///
/// The file name, messages and the source line quote the user's text, so
/// their control characters are shown escaped (`TerminalSafe`); the caret
/// still lands under the right character.
public struct DiagnosticRenderer {
    public let map: SourceMap
    public let useColor: Bool

    /// Lines longer than this are shown as a window around the caret.
    static let windowWidth = 120

    public init(source: SourceFile, useColor: Bool = false) {
        self.map = SourceMap(source)
        self.useColor = useColor
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = ""
        let label = diagnostic.severity == .error ? paint("error", "1;31") : paint("warning", "1;35")
        out += header(at: diagnostic.span) + label + paint(": " + diagnostic.message.terminalSafe, "1") + "\n"
        if let span = diagnostic.span { out += excerpt(span) }
        if let help = diagnostic.help { out += gutterPad + "= " + paint("help", "1;36") + ": " + help.terminalSafe + "\n" }
        for note in diagnostic.notes {
            if let span = note.span {
                out += header(at: span) + paint("note", "1;36") + ": " + note.message.terminalSafe + "\n" + excerpt(span)
            } else {
                out += gutterPad + "= " + paint("note", "1;36") + ": " + note.message.terminalSafe + "\n"
            }
        }
        return out
    }

    /// All diagnostics in file order, then a count of those not shown.
    public func render(_ list: DiagnosticList) -> String {
        var out = list.sorted.map(render).joined()
        if list.omittedErrors > 0 {
            out += "\(map.file.name.terminalSafe): \(list.omittedErrors) more error\(list.omittedErrors == 1 ? "" : "s") not shown (showing the first \(list.limit))\n"
        }
        if list.omittedWarnings > 0 {
            out += "\(map.file.name.terminalSafe): \(list.omittedWarnings) more warning\(list.omittedWarnings == 1 ? "" : "s") not shown\n"
        }
        return out
    }

    /// Line numbers are right-aligned in this many columns, then ` | `.
    private let gutterWidth = 5
    private var gutterPad: String { String(repeating: " ", count: gutterWidth) + " " }

    private func header(at span: SourceSpan?) -> String {
        guard let span else { return paint(map.file.name.terminalSafe + ": ", "1") }
        return paint("\(map.file.name.terminalSafe):\(map.lineColumn(of: span.offset)): ", "1")
    }

    /// The source line with a caret line under the span.
    private func excerpt(_ span: SourceSpan) -> String {
        let position = map.lineColumn(of: span.offset)
        let lineRange = map.lineRange(containing: span.offset)
        let bytes = map.file.bytes[lineRange]
        var scalars = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        var caretColumn = position.column - 1
        let spanEnd = min(span.offset + max(span.length, 1), lineRange.upperBound)
        var caretLength = max(1, map.scalarCount(from: min(span.offset, lineRange.upperBound), to: spanEnd))

        var prefix = ""
        var suffix = ""
        if scalars.count > Self.windowWidth {
            let half = Self.windowWidth / 2
            let start = max(0, min(caretColumn - half, scalars.count - Self.windowWidth))
            let end = min(scalars.count, start + Self.windowWidth)
            if start > 0 { prefix = "..." }
            if end < scalars.count { suffix = "..." }
            scalars = Array(scalars[start..<end])
            caretColumn = caretColumn - start + prefix.count
            caretLength = min(caretLength, max(1, scalars.count + prefix.count - caretColumn))
        }
        // Each character as shown: a control character as its escape (never
        // echoed: it could rewrite the user's terminal), a tab as itself.
        let cells = Array(prefix.unicodeScalars).map { String($0) } + scalars.map { scalar in
            scalar == "\t" ? "\t" : TerminalSafe.escaped(String(scalar))
        }
        let shown = cells.joined() + suffix
        // Keep tabs in the caret line so the caret lands under the right character,
        // and widen both for escapes.
        var pad = ""
        var caretWidth = 0
        for (index, cell) in cells.enumerated() where index < caretColumn + caretLength {
            let width = cell == "\t" ? 1 : cell.unicodeScalars.count
            if index < caretColumn {
                pad += cell == "\t" ? "\t" : String(repeating: " ", count: width)
            } else {
                caretWidth += width
            }
        }
        caretWidth = max(1, caretWidth)
        var out = String(position.line).leftPadded(to: gutterWidth, with: " ") + " | " + shown + "\n"
        out += String(repeating: " ", count: gutterWidth) + " | " + pad + paint("^" + String(repeating: "~", count: caretWidth - 1), "1;32") + "\n"
        return out
    }

    private func paint(_ text: String, _ code: String) -> String {
        useColor ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
