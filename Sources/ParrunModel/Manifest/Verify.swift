import ParrunSupport

/// Verify gates: a ticket's `verify` script runs after its recipe succeeds, in
/// the same directory; the ticket succeeds only if it exits 0. A prompt ticket
/// that fails it is sent back to its agent session with the verifier's output,
/// up to `verifyRetries` times (default 2); a shell ticket simply fails.
package enum Verify {
    static let defaultRetries = 2

    /// The ticket's verify gate retries, or the default.
    package static func retries(of ticket: Ticket) -> Int {
        ticket.verifyRetries ?? defaultRetries
    }

    /// `verify` as the ticket is read: a shell script (a string, or a list of
    /// lines) with something in it; nil, reported, otherwise.
    static func script(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) -> String? {
        guard let script = reader.lines(expected: "a shell script (a string, or a list of lines)", &diagnostics) else { return nil }
        guard !script.allSatisfy(\.isWhitespace) else {
            diagnostics.add(ManifestError.emptyVerify(ticket: reader.ticket ?? "", at: reader.member.value.span))
            return nil
        }
        ShellScriptLimit.check(script, field: "verify", ticket: reader.ticket, at: reader.member.value.span, diagnostics: &diagnostics)
        return script
    }

    /// `verifyRetries` as the ticket is read: a whole number of at least 0.
    static func retries(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) -> Int? {
        guard let retries = reader.member.value.integerValue, retries >= 0 else {
            reader.wrongValue("a whole number of at least 0", &diagnostics)
            return nil
        }
        return retries
    }
}
