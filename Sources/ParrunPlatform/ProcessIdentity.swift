/// A process, told apart from a later one that reuses its pid by its start time.
public struct ProcessIdentity: Sendable, Equatable, Hashable {
    public var pid: Int32
    /// Clock ticks after boot at which it started (from /proc); 0 if unknown.
    public var startTicks: UInt64
    public var host: String

    public init(pid: Int32, startTicks: UInt64, host: String) {
        self.pid = pid
        self.startTicks = startTicks
        self.host = host
    }

    package static let none = ProcessIdentity(pid: 0, startTicks: 0, host: "")
}
