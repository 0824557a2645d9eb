import ParrunSupport

/// Verify gates: a ticket's `verify` script runs after its recipe succeeds, in
/// the same directory; the ticket succeeds only if it exits 0. A prompt ticket
/// that fails it is sent back to its agent session with the verifier's output,
/// up to `verifyRetries` times (default 2); a shell ticket simply fails.
package enum Verify {
    static let defaultRetries = 2

    /// The ticket's `verify` script: a string, or a list of lines.
    package static func script(of ticket: Ticket) -> String? {
        guard let value = ticket.field("verify") else { return nil }
        if let text = value.stringValue { return text.isEmpty ? nil : text }
        guard let lines = value.arrayValue, !lines.isEmpty else { return nil }
        let texts = lines.compactMap(\.stringValue)
        return texts.count == lines.count ? texts.joined(separator: "\n") : nil
    }

    package static func retries(of ticket: Ticket) -> Int {
        ticket.field("verifyRetries")?.integerValue.map { max(0, $0) } ?? defaultRetries
    }

    /// `verify` itself is checked as the ticket is read (TicketDecoder); its retries here.
    static func check(_ ticket: Ticket, diagnostics: inout DiagnosticList) {
        if let value = ticket.field("verifyRetries"), (value.integerValue ?? -1) < 0 {
            diagnostics.add(ManifestError.wrongType(field: "verifyRetries", ticket: ticket.id, expected: "a whole number of at least 0", found: value.scalarText.map { "'\($0.truncatedForMessage)'" } ?? value.typeDescription, at: value.span))
        }
    }
}
