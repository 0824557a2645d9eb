import CParrunShims
import ParrunSupport
#if canImport(Glibc)
import Glibc
#endif

/// What to start: argv, environment, directory, and where its input and output go.
public struct SpawnRequest: Sendable {
    /// `arguments[0]` is looked up on PATH when it has no slash, as a shell would.
    public var arguments: [String]
    /// The child's environment: `environment` plus `extraEnvironment`, which wins.
    public var environment: PreparedEnvironment
    public var extraEnvironment: [EnvironmentVariable]
    public var directory: String?
    /// Read as standard input; `/dev/null` by default.
    public var inputPath: String
    /// Standard input from this descriptor instead of `inputPath`.
    public var inputDescriptor: Int32?
    /// Becomes both standard output and standard error, so their order is kept.
    public var outputDescriptor: Int32
    /// Standard error apart from standard output (tests that check each).
    public var errorDescriptor: Int32?
    /// `arguments[0]` already found on PATH (see `ExecutableLookup`).
    public var executable: String?

    public init(arguments: [String], environment: PreparedEnvironment, extraEnvironment: [EnvironmentVariable], directory: String?, inputPath: String = "/dev/null", outputDescriptor: Int32) {
        self.arguments = arguments
        self.environment = environment
        self.extraEnvironment = extraEnvironment
        self.directory = directory
        self.inputPath = inputPath
        self.outputDescriptor = outputDescriptor
    }
}

/// Starts processes with `posix_spawn` (not `Foundation.Process`; see docs/platform.md):
/// each in a process group of its own, with default signal handling and an
/// empty signal mask, and no descriptor of parrun's beyond 0, 1 and 2.
public enum ProcessSpawner {
    /// Signals the child gets back to their default action (parrun blocks or
    /// ignores some of them, and both would otherwise be inherited: docs/platform.md).
    static let resetSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE, SIGQUIT]

    public static func spawn(_ request: SpawnRequest) throws(SystemError) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in resetSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        if let input = request.inputDescriptor {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, request.inputPath, O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, request.outputDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, request.errorDescriptor ?? request.outputDescriptor, 2)
        parrun_spawn_add_closefrom(&actions, 3)
        if let directory = request.directory {
            parrun_spawn_add_chdir(&actions, directory)
        }

        let arguments: [String] = request.arguments
        let argv = arguments.map { strdup($0) } + [nil]
        let extra = request.extraEnvironment.map { strdup($0.name + "=" + $0.value) }
        defer {
            argv.forEach { free($0) }
            extra.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = request.environment.withPointers(excluding: request.extraEnvironment) { base in
            if let executable = request.executable {
                return posix_spawn(&pid, executable, &actions, &attributes, argv, extra + base + [nil])
            }
            return posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, extra + base + [nil])
        }
        guard result == 0 else { throw SystemError(call: "posix_spawn", path: arguments[0], code: result) }
        return pid
    }
}

/// An environment turned into C strings once, for every spawn of a run: at
/// thousands of short tickets, copying and converting it each time showed.
public final class PreparedEnvironment: @unchecked Sendable {
    // @unchecked: immutable after init; the pointers are only read, and freed in deinit.
    private let names: [String]
    private let nameSet: Set<String>
    private let pointers: [UnsafeMutablePointer<CChar>?]

    /// `reserved` names are left out: every spawn sets them itself.
    public init(_ variables: [String: String], reserved: Set<String> = []) {
        let entries = variables.filter { !reserved.contains($0.key) }.sorted { $0.key < $1.key }
        names = entries.map(\.key)
        nameSet = Set(names)
        pointers = entries.map { strdup($0.key + "=" + $0.value) }
    }

    deinit {
        pointers.forEach { free($0) }
    }

    /// The pointers, leaving out the names `overrides` sets (rare: a ticket's own `env`).
    func withPointers<R>(excluding overrides: [EnvironmentVariable], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        guard overrides.contains(where: { nameSet.contains($0.name) }) else { return body(pointers) }
        let excluded = Set(overrides.map(\.name))
        return body(zip(names, pointers).filter { !excluded.contains($0.0) }.map(\.1))
    }
}

extension ExitStatus {
    init(raw: Int32) {
        let signal = parrun_term_signal(raw)
        self = signal != 0 ? .signaled(signal) : .exited(parrun_exit_status(raw))
    }
}

/// Signals and waits, by pid or process group.
public enum ProcessControl {
    /// Sends `signal` to every process of the group led by `pid`.
    public static func signalGroup(_ pid: Int32, _ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// A descriptor that polls readable when `pid` exits, or nil where the kernel
    /// cannot make one (then exits are found on end of output and on timer ticks).
    /// Unlike SIGCHLD it says which child ended, so no other child is asked.
    public static func exitDescriptor(_ pid: Int32) -> Int32? {
        let descriptor = parrun_pidfd_open(pid)
        return descriptor >= 0 ? descriptor : nil
    }

    /// True once `pid` has exited; it stays unreaped (see `reap`).
    public static func hasExited(_ pid: Int32) -> Bool {
        parrun_has_exited(pid) != 0
    }

    /// Collects an exited child's status (blocks until it exits).
    public static func reap(_ pid: Int32) -> ExitStatus {
        let raw = parrun_reap(pid)
        return raw < 0 ? .exited(-1) : ExitStatus(raw: raw)
    }

    public static func signalName(_ signal: Int32) -> String {
        ExitStatus.signalName(signal)
    }

    public static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    package static var ownPID: Int32 { getpid() }
}

/// The signals parrun sends and handles, by name, for code that imports no libc.
package enum Signal {
    package static let hangUp = SIGHUP
    package static let interrupt = SIGINT
    package static let terminate = SIGTERM
    package static let kill = SIGKILL
}
