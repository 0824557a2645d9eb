/// Which agent CLI a prompt ticket runs through (`agent`): claude unless the
/// ticket, `--agent` or the manifest's `defaults` say otherwise. Each kind has
/// a pool of its own (named as the kind), so each API's rate limits throttle
/// only its own tickets.
public enum AgentKind: String, Sendable, CaseIterable, Hashable, Comparable {
    case claude
    case codex

    /// The pool this agent's prompt tickets are in unless they name another.
    public var pool: String { rawValue }

    /// How many of this agent's tickets run at once unless `--agents`, or the
    /// manifest's pool of its name, says otherwise. codex's is its own: a
    /// codex turn holds a sandboxed shell as well as an API stream.
    public var defaultSlots: Int {
        switch self {
        case .claude: 3
        case .codex: 2
        }
    }

    public static func < (lhs: AgentKind, rhs: AgentKind) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// `text` for messages about this agent: claude, the default, is not
    /// named (the messages read as they did before there were two agents).
    public func named(_ text: String) -> String {
        self == .claude ? text : rawValue + " " + text
    }

    /// Its tickets, for messages: "prompt tickets" for claude, "codex tickets".
    public var tickets: String { self == .claude ? "prompt tickets" : rawValue + " tickets" }

    /// The names `agent` accepts, for messages.
    public static let names = allCases.map(\.rawValue)
}
