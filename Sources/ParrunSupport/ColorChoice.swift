/// `--color auto|always|never`: whether parrun's own messages are coloured.
public enum ColorChoice: String, Sendable, Equatable, CaseIterable {
    case auto, always, never

    /// `auto` colours a terminal unless `NO_COLOR` is set to anything but the
    /// empty string (no-color.org) or `TERM` is `dumb`; the others are what they say.
    public func enabled(isTerminal: Bool, noColor: String?, term: String?) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto: return isTerminal && (noColor ?? "").isEmpty && term != "dumb"
        }
    }
}
