import ParrunSupport

/// What a ticket asks of Slurm under `--launcher slurm`: its `cpus`, `mem`,
/// `partition` and `slurmArgs`, checked as the ticket is read so that a typo
/// is an error at its place rather than an srun failure on the cluster.
public struct SlurmRequest: Sendable, Equatable {
    /// `cpus`: CPUs for the job's one task, at least 1; nil means one.
    public var cpus: Int?
    /// `mem`: memory as srun's `--mem` takes it: a whole number with an optional
    /// unit `K`, `M`, `G` or `T` (megabytes without one).
    public var mem: String?
    /// `partition`: the partition (or comma-separated partitions) to queue in.
    public var partition: String?
    /// `slurmArgs`: more srun arguments, as argv words, after parrun's own.
    public var extraArguments: [String] = []

    public init(cpus: Int? = nil, mem: String? = nil, partition: String? = nil, extraArguments: [String] = []) {
        self.cpus = cpus
        self.mem = mem
        self.partition = partition
        self.extraArguments = extraArguments
    }

    /// Sets the field `reader`'s member names, or reports why srun could not take it.
    mutating func read(_ reader: FieldReader, _ diagnostics: inout DiagnosticList) {
        let value = reader.member.value
        switch reader.member.key {
        case "cpus":
            cpus = reader.integer(minimum: 1, &diagnostics)
        case "mem":
            // A number in JSON (`"mem": 4096`) is megabytes, as srun reads it.
            guard !value.kind.isBool, let text = value.scalarText?.trimmingSpaces, Self.isMemory(text) else {
                return reader.wrongValue("an amount of memory such as 4G or 500M", &diagnostics)
            }
            mem = text
        case "partition":
            guard let name = reader.string(&diagnostics) else { return }
            guard !name.trimmingSpaces.isEmpty else { return reader.wrongValue("a partition name", &diagnostics) }
            partition = name
        case "slurmArgs":
            extraArguments = reader.arguments(expected: "srun arguments (a string, or a list of strings)", &diagnostics) ?? []
        default:
            break
        }
    }

    /// `4096`, `500M`, `4G`: digits and at most one unit letter, as srun's `--mem` reads it.
    static func isMemory(_ text: String) -> Bool {
        var digits = Substring(text)
        if let unit = digits.last, "KMGTkmgt".contains(unit) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
