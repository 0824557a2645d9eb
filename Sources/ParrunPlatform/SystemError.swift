#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call, on what, and the errno it left.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let path: String?
    public let code: Int32
    /// Said instead of the default "path: reason (call)" when the failure
    /// needs its own words (the journal's "cannot write PATH: REASON").
    public let message: String?

    public init(call: String, path: String? = nil, code: Int32 = errno, message: String? = nil) {
        self.call = call
        self.path = path
        self.code = code
        self.message = message
    }

    /// A working directory that is not there (ENOENT) or not a directory
    /// (ENOTDIR): said as such, since a spawn would report the program missing.
    package static func unusableDirectory(_ path: String) -> SystemError {
        SystemError(call: "chdir", path: "directory " + path, code: FileSystem.exists(path) ? ENOTDIR : ENOENT)
    }

    /// A write (or sync) of a file parrun must keep that failed: said as
    /// "cannot write PATH: REASON", e.g. "No space left on device".
    package static func cannotWrite(_ path: String, call: String, code: Int32 = errno) -> SystemError {
        SystemError(call: call, path: path, code: code, message: "cannot write \(path): \(String(cString: strerror(code)))")
    }

    /// A path that no longer names the file or directory opened (ESTALE),
    /// said in the caller's words.
    package static func replaced(_ path: String, message: String) -> SystemError {
        SystemError(call: "stat", path: path, code: ESTALE, message: message)
    }

    /// The status a shell gives a command it cannot run for this errno:
    /// 127 not found, 126 not executable; nil for any other error.
    package var shellStatus: Int32? {
        switch code {
        case ENOENT, ENOTDIR: 127
        case EACCES, ENOEXEC, EPERM: 126
        default: nil
        }
    }

    /// A wait that ran out of time (ETIMEDOUT), or was called off (ECANCELED).
    package var timedOut: Bool { code == ETIMEDOUT }
    package var cancelled: Bool { code == ECANCELED }

    /// `strerror` text, e.g. "No such file or directory".
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        if let message { return message }
        if let path { return "\(path): \(reason) (\(call))" }
        return "\(call): \(reason)"
    }
}
