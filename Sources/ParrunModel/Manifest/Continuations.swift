import ParrunSupport

/// Long tasks continue: a prompt ticket whose agent session ran out of turns
/// (`error_max_turns`) or of context is sent back to the same session with a
/// short prompt, up to `continuations` times (default 2), before it fails.
/// Continuations do not count against `retries`.
package enum Continuations {
    static let defaultLimit = 2

    /// What the agent is told when its session continues.
    package static let prompt = "You ran out of turns before finishing. Continue the task where you left off.\n"

    /// The ticket's continuations, or the default.
    package static func limit(of ticket: Ticket) -> Int {
        ticket.continuations ?? defaultLimit
    }

    /// `continuations` as the ticket is read: a whole number of at least 0.
    static func limit(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) -> Int? {
        guard let limit = reader.member.value.integerValue, limit >= 0 else {
            reader.wrongValue("a whole number of at least 0", &diagnostics)
            return nil
        }
        return limit
    }
}
