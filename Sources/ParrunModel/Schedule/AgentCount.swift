/// How many agent (prompt) tickets run at once: the size of the `claude`
/// pool, apart from `-j`. `-j` is about this machine's CPUs; an agent mostly
/// waits on the API, so `-j auto` on a small machine must not hold agents to
/// one. Precedence: `--agents N`, then the manifest's `claude` pool, then 3.
public struct AgentCount: Sendable, Equatable {
    public static let defaultValue = 3

    /// Agent slots; always at least 1.
    public let value: Int
    /// A short account such as `--agents 5` or `default; --agents N or pool claude = N`.
    public let explanation: String

    public static let `default` = AgentCount(value: defaultValue, explanation: "default; set with --agents N or pool claude = N")

    public static func resolve(commandLine: Int?, manifest: Int?) -> AgentCount {
        if let commandLine { return AgentCount(value: max(1, commandLine), explanation: "--agents \(commandLine)") }
        if let manifest { return AgentCount(value: max(1, manifest), explanation: "manifest pool claude = \(manifest)") }
        return .default
    }
}
