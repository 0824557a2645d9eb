#if canImport(Glibc)
import Glibc
#endif

extension Clock {
    /// Blocks the calling thread for about `seconds` (microsecond resolution).
    package static func sleep(seconds: Double) {
        usleep(useconds_t(seconds * 1_000_000))
    }
}
