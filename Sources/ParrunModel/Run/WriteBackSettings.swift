/// Where and how a run writes its tickets' progress back to their store
/// (`--no-write-back` leaves it nil).
public struct WriteBackSettings: Sendable {
    public var kind: StoreKind
    /// The store file (a task file or ticket index is edited in place).
    public var storePath: String
    /// Where `bd` runs: the project holding `.beads`, so it finds its store.
    public var directory: String
    /// How long one `bd` command may take before it is stopped.
    public var timeoutSeconds: Double
    /// `--resume`: per ticket id, a write-back that failed in the runs continued.
    public var pending: [String: WriteBackEvent] = [:]
    public static let defaultTimeout = 30.0

    public init(kind: StoreKind, storePath: String, directory: String, timeoutSeconds: Double = WriteBackSettings.defaultTimeout, pending: [String: WriteBackEvent] = [:]) {
        self.kind = kind
        self.storePath = storePath
        self.directory = directory
        self.timeoutSeconds = timeoutSeconds
        self.pending = pending
    }
}
