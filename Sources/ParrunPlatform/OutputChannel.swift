import CParrunShims
#if canImport(Glibc)
import Glibc
#endif

/// parrun's standard output or error, written without ever blocking the run
/// loop: bytes wait in a queue until the descriptor takes them.
///
/// A pipe, terminal or socket is reopened through `/proc/self/fd` with
/// `O_NONBLOCK`: a new open file description, so the flag never leaks to the
/// shell that shares the original one (a terminal left non-blocking breaks
/// the shell after parrun exits). A regular file keeps the inherited
/// descriptor and its shared offset; writes to it do not wait on a reader.
public final class OutputChannel {
    /// Where bytes go: the reopened non-blocking descriptor, or the original.
    public let descriptor: Int32
    /// False for a descriptor that may refuse bytes for a while (a pipe whose
    /// reader is slow, a terminal paused with Ctrl-S).
    public let alwaysTakesBytes: Bool
    private let reopened: Bool
    private var queue: [UInt8] = []
    /// Bytes of `queue` before this were written already.
    private var head = 0
    /// The reader went away (EPIPE) or the descriptor failed: bytes are dropped,
    /// as `parrun | head` expects.
    public private(set) var isBroken = false

    public init(_ original: Int32) {
        var status = stat()
        let kind = fstat(original, &status) == 0 ? status.st_mode & S_IFMT : 0
        if kind == S_IFREG || kind == 0 {
            descriptor = original
            alwaysTakesBytes = true
            reopened = false
            return
        }
        let copy = open("/proc/self/fd/\(original)", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if copy >= 0 {
            descriptor = copy
            reopened = true
        } else {
            // A socket cannot be reopened; write it only when poll says it has room.
            descriptor = original
            reopened = false
        }
        alwaysTakesBytes = false
    }

    /// parrun's standard output and standard error.
    package static func standardOutput() -> OutputChannel { OutputChannel(STDOUT_FILENO) }
    package static func standardError() -> OutputChannel { OutputChannel(STDERR_FILENO) }

    deinit {
        if reopened { Glibc.close(descriptor) }
    }

    /// Bytes queued and not yet written.
    public var pendingCount: Int { queue.count - head }

    public func enqueue(_ text: String) {
        guard !isBroken else { return }
        queue.append(contentsOf: text.utf8)
    }

    /// Queues whole lines (each ending in a line break) with `prefix` before
    /// each: one pass, no text objects, since a ticket may print millions of lines.
    public func enqueueLines(_ lines: UnsafeRawBufferPointer, prefix: [UInt8]) {
        guard !isBroken, !lines.isEmpty else { return }
        guard !prefix.isEmpty else {
            queue.append(contentsOf: lines)
            return
        }
        var breaks = 0
        for byte in lines where byte == UInt8(ascii: "\n") { breaks += 1 }
        let size = lines.count + breaks * prefix.count
        let target = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { target.deallocate() }
        var out = 0
        var atLineStart = true
        for byte in lines {
            if atLineStart {
                for character in prefix { target[out] = character; out += 1 }
                atLineStart = false
            }
            target[out] = byte
            out += 1
            atLineStart = byte == UInt8(ascii: "\n")
        }
        queue.append(contentsOf: UnsafeBufferPointer(start: target, count: out))
    }

    /// Writes what the descriptor takes now, without waiting; true when nothing is left.
    @discardableResult
    public func writeAvailable() -> Bool {
        while pendingCount > 0 && !isBroken {
            if !reopened && !alwaysTakesBytes && !Self.hasRoom(descriptor) { break }
            // Without O_NONBLOCK, a pipe takes up to PIPE_BUF bytes at once when poll says it has room.
            let limit = reopened || alwaysTakesBytes ? pendingCount : min(pendingCount, Int(PIPE_BUF))
            let written = queue.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + head, limit) }
            if written > 0 {
                head += written
                continue
            }
            if written < 0 && errno == EINTR { continue }
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            isBroken = true
        }
        if head == queue.count || isBroken {
            queue.removeAll(keepingCapacity: queue.capacity <= 1 << 20)
            head = 0
        } else if head >= 64 * 1024 && head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return pendingCount == 0
    }

    /// Writes everything, waiting for the reader as long as it takes, unless
    /// `interrupt` becomes readable (a second Ctrl-C): then the rest is dropped.
    public func writeAll(unless interrupt: Int32? = nil) {
        while !writeAvailable() {
            var entries = [pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)]
            if let interrupt { entries.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
            let count = poll(&entries, nfds_t(entries.count), -1)
            if count < 0 && errno != EINTR { isBroken = true }
            if entries.count > 1 && entries[1].revents != 0 {
                isBroken = true
                writeAvailable()
                return
            }
        }
    }

    private static func hasRoom(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLOUT) != 0
    }
}
