/// One `NAME=value` added to a process's environment: a ticket's `env`, or
/// what parrun tells a recipe (`PARRUN_TICKET_ID`, ...).
public struct EnvironmentVariable: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
