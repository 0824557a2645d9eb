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
    /// False when the caller knows that no name of `extraEnvironment` is in
    /// `environment` (parrun's own `PARRUN_*` variables, which the prepared
    /// environment leaves out): the spawn then does not look each one up
    /// there, a hash of six names at every spawn of a plain ticket.
    public var extrasMayOverride = true
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

/// Starts processes (not with `Foundation.Process`; see docs/platform.md):
/// each in a process group of its own, with default signal handling and an
/// empty signal mask, and no descriptor of parrun's beyond 0, 1 and 2. The
/// work is done by `parrun_spawn` in CParrunShims, a vfork-style spawn like
/// glibc's posix_spawn with far fewer system calls (docs/platform.md).
public enum ProcessSpawner {
    /// The call a failed spawn names in its `SystemError`.
    public static let call = "spawn"

    /// Signals the child gets back to their default action (parrun blocks or
    /// ignores some of them, and both would otherwise be inherited: docs/platform.md).
    static let resetSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE, SIGQUIT]

    /// /dev/null, opened once (close-on-exec) for every child that reads
    /// nothing, instead of an open and a close in each; -1 if it cannot be opened.
    private static let nullInput: Int32 = open("/dev/null", O_RDONLY | O_CLOEXEC)

    public static func spawn(_ request: SpawnRequest) throws(SystemError) -> Int32 {
        try spawn(request, watched: false).pid
    }

    /// Spawns and returns, with the pid, a descriptor that polls readable when
    /// the child exits: made with the child (CLONE_PIDFD), else by pidfd_open;
    /// nil where the kernel has neither.
    public static func spawnWatched(_ request: SpawnRequest) throws(SystemError) -> (pid: Int32, exitDescriptor: Int32?) {
        let (pid, descriptor) = try spawn(request, watched: true)
        return (pid, descriptor ?? ProcessControl.exitDescriptor(pid))
    }

    private static func spawn(_ request: SpawnRequest, watched: Bool) throws(SystemError) -> (pid: Int32, exitDescriptor: Int32?) {
        let arguments: [String] = request.arguments
        // Each list built once at its size: mapped and joined, they took five allocations a spawn.
        var argv: [UnsafeMutablePointer<CChar>?] = []
        argv.reserveCapacity(arguments.count + 1)
        for argument in arguments { argv.append(strdup(argument)) }
        argv.append(nil)
        var extra: [UnsafeMutablePointer<CChar>?] = []
        extra.reserveCapacity(request.extraEnvironment.count)
        for variable in request.extraEnvironment { extra.append(cString(variable.name, UInt8(ascii: "="), variable.value)) }
        defer {
            argv.forEach { free($0) }
            extra.forEach { free($0) }
        }
        // A name with a slash is a path, as for a shell.
        let program = request.executable ?? (arguments[0].contains("/") ? arguments[0] : nil)
        var exitDescriptor: Int32 = -1
        let pid = request.environment.withPointers(excluding: request.extrasMayOverride ? request.extraEnvironment : []) { base in
            var environment = extra
            environment.reserveCapacity(extra.count + base.count + 1)
            environment.append(contentsOf: base)
            environment.append(nil)
            return resetSignals.withUnsafeBufferPointer { signals in
                withOptionalCString(program) { path in
                    withOptionalCString(request.directory) { directory in
                        request.inputPath.withCString { inputPath in
                            argv.withUnsafeBufferPointer { argv in
                                environment.withUnsafeBufferPointer { environment in
                                    var spawn = parrun_spawn_request(
                                        path: path, argv: argv.baseAddress, envp: environment.baseAddress,
                                        input_fd: request.inputDescriptor ?? (request.inputPath == "/dev/null" ? nullInput : -1), input_path: inputPath,
                                        output_fd: request.outputDescriptor, error_fd: request.errorDescriptor ?? request.outputDescriptor,
                                        directory: directory, reset_signals: signals.baseAddress, reset_count: Int32(signals.count))
                                    return watched ? parrun_spawn(&spawn, &exitDescriptor) : parrun_spawn(&spawn, nil)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard pid > 0 else { throw SystemError(call: call, path: arguments[0], code: -pid) }
        return (pid, exitDescriptor >= 0 ? exitDescriptor : nil)
    }

    /// `name=value` as a C string the caller frees: copied once, with no
    /// Swift string made in between (a spawn sets several of these).
    static func cString(_ name: String, _ separator: UInt8, _ value: String) -> UnsafeMutablePointer<CChar>? {
        var name = name
        var value = value
        return name.withUTF8 { name in
            value.withUTF8 { value in
                let size = name.count + value.count + 2
                guard let entry = malloc(size) else { return nil }
                if let base = name.baseAddress { entry.copyMemory(from: base, byteCount: name.count) }
                entry.storeBytes(of: separator, toByteOffset: name.count, as: UInt8.self)
                if let base = value.baseAddress { (entry + name.count + 1).copyMemory(from: base, byteCount: value.count) }
                entry.storeBytes(of: 0, toByteOffset: size - 1, as: UInt8.self)
                return entry.bindMemory(to: CChar.self, capacity: size)
            }
        }
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
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

    /// Whether `pid` exits within `seconds` (a few dozen microseconds),
    /// yielding the processor meanwhile. A process whose output just ended is
    /// usually exiting: the kernel closes its descriptors a few microseconds
    /// before it reports the exit, and waiting that long here spares the run
    /// loop a second wake-up for every ticket.
    public static func exitsSoon(_ pid: Int32, within seconds: Double) -> Bool {
        let deadline = Clock.monotonic() + seconds
        repeat {
            if hasExited(pid) { return true }
            sched_yield()
        } while Clock.monotonic() < deadline
        return hasExited(pid)
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
