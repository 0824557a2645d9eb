import CParrunShims
#if canImport(Glibc)
import Glibc
#endif

/// Standard output and error, written with `write(2)` so output is never held
/// in a buffer that a crash or signal would lose.
public enum Terminal {
    public static func writeOutput(_ text: String) { write(STDOUT_FILENO, text) }
    public static func writeError(_ text: String) { write(STDERR_FILENO, text) }

    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Columns of the terminal on `descriptor`; 80 when unknown.
    public static func columns(_ descriptor: Int32) -> Int {
        let columns = Int(parrun_terminal_columns(descriptor))
        return columns > 0 ? columns : 80
    }

    /// Color only on a terminal, and never when `NO_COLOR` is set (no-color.org).
    public static func wantsColor(_ descriptor: Int32, environment: Environment) -> Bool {
        isTerminal(descriptor) && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    private static func write(_ descriptor: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                // EPIPE (`parrun -n | head`): stop quietly, as other tools do.
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
