import ParrunSupport
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `TZ` is process-wide: one time-zone computation at a time (tests run in parallel).
private let timeZoneLock = Mutex(())

/// Wall-clock times in a time zone, through libc (parrun does not link
/// Foundation: it would add to every run's start-up).
public enum LocalTime {
    /// "13:05" in the local time zone.
    public static func clock(_ epoch: Double) -> String {
        timeZoneLock.withLock { _ in clockLocked(epoch) }
    }

    private static func clockLocked(_ epoch: Double) -> String {
        var time = time_t(epoch)
        var parts = tm()
        localtime_r(&time, &parts)
        return String(parts.tm_hour).leftPadded(to: 2) + ":" + String(parts.tm_min).leftPadded(to: 2)
    }

    /// "2026-12-03 13:05:09" in the local time zone.
    public static func stamp(_ epoch: Double) -> String {
        timeZoneLock.withLock { _ in
            var time = time_t(epoch)
            var parts = tm()
            localtime_r(&time, &parts)
            let date = String(parts.tm_year + 1900) + "-" + String(parts.tm_mon + 1).leftPadded(to: 2) + "-" + String(parts.tm_mday).leftPadded(to: 2)
            return date + " " + clockLocked(epoch) + ":" + String(parts.tm_sec).leftPadded(to: 2)
        }
    }

    /// The first moment after `now` when the clock in `zone` (an IANA name such
    /// as Europe/Lisbon; nil for local time) shows `hour`:`minute`.
    public static func next(hour: Int, minute: Int, zone: String?, after now: Double) -> Double? {
        timeZoneLock.withLock { _ in nextLocked(hour: hour, minute: minute, zone: zone, after: now) }
    }

    private static func nextLocked(hour: Int, minute: Int, zone: String?, after now: Double) -> Double? {
        let saved = getenv("TZ").map { String(cString: $0) }
        if let zone {
            // An unknown zone would silently mean UTC: accept only names with a zoneinfo file.
            guard !zone.contains(".."), access("/usr/share/zoneinfo/" + zone, R_OK) == 0 else { return nil }
            setenv("TZ", zone, 1)
            tzset()
        }
        defer {
            if zone != nil {
                if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
                tzset()
            }
        }
        var time = time_t(now)
        var parts = tm()
        localtime_r(&time, &parts)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = 0
        parts.tm_isdst = -1
        var candidate = Double(mktime(&parts))
        if candidate <= now {
            parts.tm_mday += 1
            parts.tm_isdst = -1
            candidate = Double(mktime(&parts))
        }
        return candidate
    }
}
