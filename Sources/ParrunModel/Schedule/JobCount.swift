/// Decides how many tickets run at once and remembers why, so the dry run can
/// say where the number came from. Precedence: the command line, then the
/// `PARRUN_JOBS` environment variable, then the manifest's `jobs`, then 1.
public struct JobCount: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case commandLine
        case environment
        case manifest
        case fallback
    }

    /// How many tickets may run at once; always at least 1.
    public let value: Int
    public let source: Source
    /// What was asked for, if anything.
    public let request: JobsRequest?
    /// A short account such as `-j auto: 2 cores / 2 = 1`.
    public let explanation: String

    /// Open file descriptors a running ticket holds (output pipe, exit
    /// descriptor, log, an agent's event log), and what parrun keeps for itself.
    public static let descriptorsPerTicket = 4
    public static let descriptorsReserved = 64

    /// Descriptors that running `value` tickets at once needs.
    public var descriptorsNeeded: Int {
        // Saturating: `-j` may be any number a user types.
        let (perTickets, overflow) = value.multipliedReportingOverflow(by: Self.descriptorsPerTicket)
        return overflow || perTickets > Int.max - Self.descriptorsReserved ? Int.max : Self.descriptorsReserved + perTickets
    }

    /// At most as many tickets as `openFileLimit` descriptors allow: more
    /// would fail to start with "Too many open files".
    public func capped(byOpenFileLimit openFileLimit: Int) -> JobCount {
        let allowed = max(1, (openFileLimit - Self.descriptorsReserved) / Self.descriptorsPerTicket)
        guard value > allowed else { return self }
        return JobCount(value: allowed, source: source, request: request,
                        explanation: explanation + "; at most \(allowed) at once under the open-file limit (ulimit -n \(openFileLimit))")
    }

    /// The largest `auto` ever chooses: more agents than this rarely help one person.
    public static let autoMaximum = 8

    /// `clusterCPUs`: with the Slurm launcher, `auto` is the cluster's CPU count
    /// (capped at the tickets to run), not half of this machine's cores.
    public static func resolve(
        commandLine: JobsRequest?, environment: JobsRequest?, manifest: JobsRequest?,
        cores: Int, ticketsToRun: Int, clusterCPUs: Int? = nil
    ) -> JobCount {
        let (request, source, origin): (JobsRequest?, Source, String) =
            if let commandLine { (commandLine, .commandLine, "-j ") }
            else if let environment { (environment, .environment, "PARRUN_JOBS=") }
            else if let manifest { (manifest, .manifest, "manifest jobs = ") }
            else { (nil, .fallback, "") }

        switch request {
        case nil:
            return JobCount(value: 1, source: source, request: nil, explanation: "default; use -j N or -j auto for more")
        case .count(0):
            let value = max(1, ticketsToRun)
            return JobCount(value: value, source: source, request: request, explanation: "\(origin)0: no limit, one per ticket")
        case .count(let value):
            return JobCount(value: value, source: source, request: request, explanation: "\(origin)\(value)")
        case .auto where clusterCPUs != nil:
            let cpus = max(1, clusterCPUs ?? 1)
            let value = max(1, min(cpus, ticketsToRun))
            var explanation = "\(origin)auto: the Slurm cluster's \(cpus) CPUs"
            if value < cpus { explanation += ", capped at \(ticketsToRun) ticket\(ticketsToRun == 1 ? "" : "s") to run" }
            return JobCount(value: value, source: source, request: request, explanation: explanation)
        case .auto:
            let half = max(1, min(autoMaximum, max(cores, 1) / 2))
            let value = max(1, min(half, ticketsToRun))
            var explanation = "\(origin)auto: \(cores) cores / 2 = \(max(cores, 1) / 2), clamped to 1..\(autoMaximum)"
            if value < half { explanation += ", capped at \(ticketsToRun) ticket\(ticketsToRun == 1 ? "" : "s") to run" }
            return JobCount(value: value, source: source, request: request, explanation: explanation)
        }
    }
}
