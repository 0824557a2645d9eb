#if canImport(Glibc)
import Glibc
#endif

/// Facts about processes from /proc: enough to tell whether the process a
/// record names is still the same one, running.
public enum ProcessTable {
    /// This machine's name, as records store it.
    public static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// When `pid` started, in clock ticks after boot (field 22 of /proc/PID/stat);
    /// nil if there is no such process.
    public static func startTicks(of pid: Int32) -> UInt64? {
        guard pid > 0, let bytes = try? FileSystem.readFile("/proc/\(pid)/stat") else { return nil }
        // The command name (field 2) may hold spaces and parentheses; fields after the last ')' are plain.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = bytes[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state), so field 22 is fields[19].
        guard fields.count > 19, String(decoding: fields[0], as: UTF8.self) != "Z" else { return nil }
        return UInt64(String(decoding: fields[19], as: UTF8.self))
    }

    public static func identity(of pid: Int32) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTicks: startTicks(of: pid) ?? 0, host: hostName)
    }

    public static var current: ProcessIdentity { identity(of: getpid()) }

    /// A child started just now, without reading /proc: its start time is now,
    /// in the same ticks-since-boot /proc uses (to within a tick or two).
    public static func justStarted(_ pid: Int32) -> ProcessIdentity {
        ProcessIdentity(pid: pid, startTicks: nowTicks(), host: hostName)
    }

    static func nowTicks() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_BOOTTIME, &time)
        return UInt64(max(0, Double(time.tv_sec) + Double(time.tv_nsec) / 1e9) * Double(ticksPerSecond))
    }

    static let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))

    /// True when the process is provably still running: same host, same pid,
    /// started at the recorded time (within a second), not a zombie. A process
    /// on another host is assumed alive.
    public static func isRunning(_ identity: ProcessIdentity) -> Bool {
        guard identity.pid > 0 else { return false }
        guard identity.host == hostName else { return true }
        guard let ticks = startTicks(of: identity.pid) else { return false }
        if identity.startTicks == 0 { return true }
        let difference = ticks > identity.startTicks ? ticks - identity.startTicks : identity.startTicks - ticks
        return difference <= ticksPerSecond
    }

    /// Pids of the processes whose environment holds `NAME=value` (read from
    /// /proc; processes parrun may not read are passed over).
    public static func processes(withEnvironment entry: String) -> [Int32] {
        let needle = Array(entry.utf8)
        var pids: [Int32] = []
        for name in FileSystem.directoryEntries("/proc") {
            guard let pid = Int32(name), pid != getpid(),
                let environment = try? FileSystem.readFile("/proc/\(name)/environ")
            else { continue }
            if environment.split(separator: 0).contains(where: { $0.elementsEqual(needle) }) { pids.append(pid) }
        }
        return pids
    }
}
