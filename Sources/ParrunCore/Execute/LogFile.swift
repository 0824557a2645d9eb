import ParrunModel
import ParrunPlatform

/// A ticket's log, `.parrun/logs/ID.log` (named by `LogFileName`): everything the recipe wrote to
/// stdout and stderr, in order, as raw bytes. Opened on the first byte, so a
/// ticket that prints nothing costs no file (at 2,000 silent tickets, file
/// creation was a third of parrun's overhead); such a ticket's log is empty
/// or absent, never a stale one from an earlier run.
///
/// Written only through a `DirectoryHandle`: a symbolic link planted at the
/// log or at `logs/` is refused, never followed. A log that cannot be written
/// does not fail the ticket (its output is still shown); `close()` says why
/// once, and the run loop tells the user once per ticket.
///
/// A class: it owns a descriptor, so it is never copied, and closes once
/// (on `close()`, or when the last reference goes if nothing closed it).
final class LogFile {
    let id: String
    let directory: String
    let attempt: Int
    /// Whether a log from an earlier run may be there (known from one directory
    /// listing at the start, instead of a syscall per silent ticket).
    let mayExist: Bool
    /// `.log`, or `.events.jsonl` for a prompt ticket's raw agent events.
    let suffix: String
    /// Appends after this line instead of starting the log (a verify gate's output).
    let heading: String?
    private var descriptor: Int32 = -1
    /// Why the log could not be written; nothing more is tried after the first failure.
    private var failure: SystemError?
    /// Once closed, nothing more is written (nor is an old log emptied again).
    private var closed = false

    init(id: String, directory: String, attempt: Int, mayExist: Bool = true, suffix: String = LogFileName.logSuffix, heading: String? = nil) {
        self.id = id
        self.directory = directory
        self.attempt = attempt
        self.mayExist = mayExist
        self.suffix = suffix
        self.heading = heading
    }

    deinit {
        if descriptor >= 0 { Descriptor.close(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) {
        if descriptor < 0 && failure == nil && !closed { open() }
        guard descriptor >= 0 else { return }
        if !Descriptor.write(descriptor, bytes) { fail(SystemError(call: "write", path: path)) }
    }

    /// Built only when needed: most silent tickets never need it.
    var name: String { LogFileName.name(id, suffix: suffix) }
    var path: String { directory + "/" + name }

    /// Ends the attempt; the first attempt of a silent ticket empties an old
    /// log. Returns, once, why the log could not be written, if it could not.
    func close() -> String? {
        guard !closed else { return nil }
        closed = true
        if descriptor >= 0 {
            Descriptor.close(descriptor)
            descriptor = -1
        } else if failure == nil && attempt == 1 && mayExist && heading == nil {
            do throws(SystemError) {
                try DirectoryHandle(path: directory).truncateIfPresent(name)
            } catch where error.isMissing && error.path == directory {
                // No logs directory: no old log to empty.
            } catch {
                failure = error
            }
        }
        return failure.map(warning)
    }

    /// What the user is told: which log, and why (a link refused, or the error).
    func warning(_ error: SystemError) -> String {
        let failed = error.path ?? path
        let reason = if error.isSymbolicLink {
            "refusing to follow the symbolic link at \(failed)"
        } else if error.isNotRegularFile {
            "\(failed) is not a regular file"
        } else {
            failed == path ? error.reason : "\(failed): \(error.reason)"
        }
        return "cannot write the log \(path): \(reason); its output is shown but not kept"
    }

    private func open() {
        do throws(SystemError) {
            // The first attempt replaces an earlier run's log; retries append to it.
            descriptor = try DirectoryHandle(path: directory).openForAppending(name, truncate: attempt == 1 && heading == nil)
            let line = heading ?? (attempt > 1 && suffix == LogFileName.logSuffix ? "--- parrun: attempt \(attempt) ---" : nil)
            if let line, !Descriptor.write(descriptor, line + "\n") { fail(SystemError(call: "write", path: path)) }
        } catch {
            fail(error)
        }
    }

    /// Gives up on the log: writing part of what came after a failed write would mislead.
    private func fail(_ error: SystemError) {
        failure = error
        if descriptor >= 0 {
            Descriptor.close(descriptor)
            descriptor = -1
        }
    }
}
