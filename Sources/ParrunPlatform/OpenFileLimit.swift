#if canImport(Glibc)
import Glibc
#endif

/// The process's limit on open file descriptors (`ulimit -n`). Each running
/// ticket holds a few (its output pipe, exit descriptor, log), so many tickets
/// at once need more than the common soft limit of 1024.
package enum OpenFileLimit {
    /// Raises the soft limit towards `wanted` (never past the hard limit, never
    /// lower than it is) and returns the soft limit now in force. Recipes inherit it.
    package static func raise(toAtLeast wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return wanted }
        if limit.rlim_cur != unlimited, Int(clamping: limit.rlim_cur) < wanted {
            var raised = limit
            raised.rlim_cur = limit.rlim_max == unlimited ? rlim_t(wanted) : min(limit.rlim_max, rlim_t(wanted))
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur == unlimited ? Int.max : Int(clamping: limit.rlim_cur)
    }

    /// RLIM_INFINITY, which Swift cannot import (a -1 cast to an unsigned type).
    private static let unlimited = rlim_t.max

    private static var resource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
}
