/// Which names a ticket's `env` may give. The environment itself forbids only
/// `=` (the first one ends the name in `NAME=value`, so `A=B` would set `A`)
/// and NUL (it ends the string); but recipes read their variables through the
/// shell, which knows only names of letters, digits and `_` not starting with a
/// digit, so any other name would be set and never be usable.
public enum EnvironmentName {
    public enum Problem: Equatable, Sendable {
        case empty
        case containsEquals
        case containsNUL
        case notAShellName
    }

    /// Nil when `name` is a valid variable name.
    static func problem(with name: String) -> Problem? {
        let bytes = name.utf8
        guard let first = bytes.first else { return .empty }
        if bytes.contains(0) { return .containsNUL }
        if bytes.contains(UInt8(ascii: "=")) { return .containsEquals }
        let isShellName = !isDigit(first) && bytes.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "_") || isLetter($0) }
        return isShellName ? nil : .notAShellName
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}
