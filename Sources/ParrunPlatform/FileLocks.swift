import CParrunShims

#if canImport(Glibc)
import Glibc
#endif

/// A file whose single bytes are locked by open-file-description locks
/// (`F_OFD_SETLK`): a lock belongs to this open file, never conflicts with
/// itself, and the kernel drops it when the process dies, so it can never
/// outlive its holder. One file holds any number of independent locks.
public final class ByteLockFile {
    private let descriptor: Int32

    /// O_NOFOLLOW: a link planted at the file fails (ELOOP) instead of
    /// creating or locking the file it points to.
    public init(path: String) throws(SystemError) {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock on byte `offset` without waiting: false if another open
    /// file holds it. Taking a lock this file already holds succeeds.
    public func lock(_ offset: Int64) -> Bool {
        parrun_ofd_lock(descriptor, 1, offset) == 0
    }

    public func unlock(_ offset: Int64) {
        _ = parrun_ofd_lock(descriptor, 0, offset)
    }

    /// Whether another open file holds the lock on byte `offset`.
    public func isLockedElsewhere(_ offset: Int64) -> Bool {
        parrun_ofd_is_locked(descriptor, offset) == 1
    }
}

/// An exclusive `flock` on a whole file, waited for; released by `release()`,
/// by deinit, or by the kernel when the process dies.
public final class WholeFileLock {
    private var descriptor: Int32

    /// O_NOFOLLOW, as for `ByteLockFile`.
    public init(path: String) throws(SystemError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let error = SystemError(call: "flock", path: path)
                close(descriptor)
                throw error
            }
        }
        self.descriptor = descriptor
    }

    /// Waits for the lock at most `timeout` seconds (ETIMEDOUT after), and
    /// gives up at once (ECANCELED) when `interrupt` becomes readable: a lock
    /// another process holds for ever must not hold this one hostage.
    public init(path: String, waitingUpTo timeout: Double, interrupt: Int32?) throws(SystemError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        let deadline = Clock.monotonic() + timeout
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var failure: Int32?
            if code != EWOULDBLOCK && code != EINTR {
                failure = code
            } else if Clock.monotonic() >= deadline {
                failure = ETIMEDOUT
            } else if let interrupt, !Poller.wait([interrupt], timeout: 0.05).isEmpty {
                failure = ECANCELED
            } else if interrupt == nil {
                Clock.sleep(seconds: 0.05)
            }
            if let failure {
                close(descriptor)
                throw SystemError(call: "flock", path: path, code: failure)
            }
        }
        self.descriptor = descriptor
    }

    /// Idempotent: the descriptor is closed once.
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
