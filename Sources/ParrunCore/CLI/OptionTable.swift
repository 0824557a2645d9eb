/// Every command-line option, in the one table that both the parser and
/// `--help` read, so the two can never disagree.
public enum OptionKey: Sendable, Equatable {
    case file
    case directory
    case jobs
    case dryRun
    case graph
    case summary
    case help
    case version
}

public struct OptionSpec: Sendable {
    public let key: OptionKey
    public let short: Character?
    public let long: String
    /// The value's name in help (`N|auto`); nil for a flag.
    public let valueName: String?
    public let help: String
}

public enum OptionTable {
    public static let options: [OptionSpec] = [
        OptionSpec(key: .file, short: "f", long: "file", valueName: "FILE",
                   help: "read the manifest from FILE (`-` reads standard input)"),
        OptionSpec(key: .directory, short: "C", long: "directory", valueName: "DIR",
                   help: "change to DIR before reading the manifest, as make -C"),
        OptionSpec(key: .jobs, short: "j", long: "jobs", valueName: "N|auto",
                   help: "run N tickets at once; auto = cores/2, 1..8 (default: PARRUN_JOBS, the manifest's jobs, 1)"),
        OptionSpec(key: .dryRun, short: "n", long: "dry-run", valueName: nil,
                   help: "print the plan (waves, critical path, counts, jobs) and run nothing"),
        OptionSpec(key: .graph, short: nil, long: "graph", valueName: "dot|mermaid|json",
                   help: "print the graph in that format instead of the plan; runs nothing"),
        OptionSpec(key: .summary, short: nil, long: "summary", valueName: nil,
                   help: "print only the plan's counts; runs nothing"),
        OptionSpec(key: .help, short: "h", long: "help", valueName: nil,
                   help: "show this help"),
        OptionSpec(key: .version, short: nil, long: "version", valueName: nil,
                   help: "print parrun's version"),
    ]

    static func option(long name: String) -> OptionSpec? {
        options.first { $0.long == name }
    }

    static func option(short name: Character) -> OptionSpec? {
        options.first { $0.short == name }
    }

    /// `-j, --jobs N|auto` as help and error messages show it.
    static func spelling(of option: OptionSpec) -> String {
        (option.short.map { "-\($0), " } ?? "") + "--" + option.long
    }
}
