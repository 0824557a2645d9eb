/// One `AgentThrottle` per agent CLI. Stored properties, not a dictionary: a
/// dictionary's element changed in place goes through an accessor that
/// allocates, and the run loop's timers look at every throttle on each turn.
package struct AgentThrottles: Sendable {
    private var claude: AgentThrottle
    private var codex: AgentThrottle

    init(_ make: (AgentKind) -> AgentThrottle) {
        claude = make(.claude)
        codex = make(.codex)
    }

    package subscript(agent: AgentKind) -> AgentThrottle {
        get {
            switch agent {
            case .claude: claude
            case .codex: codex
            }
        }
        _modify {
            switch agent {
            case .claude: yield &claude
            case .codex: yield &codex
            }
        }
    }

    /// Every agent's, in `AgentKind.allCases`' order.
    package var all: [AgentThrottle] { AgentKind.allCases.map { self[$0] } }
}
