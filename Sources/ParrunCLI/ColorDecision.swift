import ParrunPlatform
import ParrunSupport

extension Invocation {
    /// Whether parrun's own messages on `descriptor` are coloured: `--color`,
    /// else `auto` (a terminal, `NO_COLOR` unset or empty, `TERM` not `dumb`).
    func wantsColor(_ descriptor: Int32, environment: Environment) -> Bool {
        (color ?? .auto).enabled(isTerminal: Terminal.isTerminal(descriptor), noColor: environment["NO_COLOR"], term: environment["TERM"])
    }
}
