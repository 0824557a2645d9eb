import ParrunPlatform

/// A ticket's log, `.parrun/logs/ID.log`: everything the recipe wrote to
/// stdout and stderr, in order, as raw bytes. Opened on the first byte, so a
/// ticket that prints nothing costs no file (at 2,000 silent tickets, file
/// creation was a third of parrun's overhead); such a ticket's log is empty
/// or absent, never a stale one from an earlier run.
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
    private var failed = false
    /// Once closed, nothing more is written (nor is an old log emptied again).
    private var closed = false

    init(id: String, directory: String, attempt: Int, mayExist: Bool = true, suffix: String = ".log", heading: String? = nil) {
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
        if descriptor < 0 && !failed && !closed { open() }
        guard descriptor >= 0 else { return }
        Descriptor.write(descriptor, bytes)
    }

    /// Built only when needed: most silent tickets never need it.
    var path: String { directory + "/" + id + suffix }

    /// Ends the attempt; the first attempt of a silent ticket empties an old log.
    func close() {
        guard !closed else { return }
        closed = true
        if descriptor >= 0 {
            Descriptor.close(descriptor)
            descriptor = -1
        } else if attempt == 1 && mayExist && heading == nil {
            FileSystem.truncateIfPresent(path)
        }
    }

    private func open() {
        do {
            // The first attempt replaces an earlier run's log; retries append to it.
            descriptor = try FileSystem.openForAppending(path, truncate: attempt == 1 && heading == nil)
            if let heading {
                Descriptor.write(descriptor, heading + "\n")
            } else if attempt > 1 && suffix == ".log" { Descriptor.write(descriptor, "--- parrun: attempt \(attempt) ---\n") }
        } catch {
            // A log that cannot be written must not fail the ticket; its output is still shown.
            failed = true
        }
    }
}
