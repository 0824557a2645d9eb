import CParrunShims
#if canImport(Glibc)
import Glibc
#endif

/// A pipe whose read end parrun polls and whose write end becomes a child's
/// output. Both ends are close-on-exec; the read end does not block.
public struct OutputPipe: Sendable {
    public let readEnd: Int32
    public let writeEnd: Int32

    public static func make() throws(SystemError) -> OutputPipe {
        var descriptors: [Int32] = [0, 0]
        guard parrun_pipe_cloexec(&descriptors) == 0 else { throw SystemError(call: "pipe2") }
        // A new pipe has no other status flags, so setting O_NONBLOCK alone loses nothing.
        _ = fcntl(descriptors[0], F_SETFL, O_NONBLOCK)
        return OutputPipe(readEnd: descriptors[0], writeEnd: descriptors[1])
    }
}

public enum Descriptor {
    public enum ReadResult: Equatable {
        case data(Int)
        case wouldBlock
        case endOfFile
    }

    /// One `read(2)` into `buffer`.
    public static func read(_ descriptor: Int32, into buffer: inout [UInt8]) -> ReadResult {
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if count > 0 { return .data(count) }
            if count == 0 { return .endOfFile }
            if errno == EINTR { continue }
            return errno == EAGAIN ? .wouldBlock : .endOfFile
        }
    }

    /// Writes all of `bytes`; gives up quietly on an error such as EPIPE.
    @discardableResult
    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    @discardableResult
    public static func write(_ descriptor: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { write(descriptor, UnsafeRawBufferPointer($0)) }
    }

    public static func close(_ descriptor: Int32) {
        _ = Glibc.close(descriptor)
    }
}

/// `poll(2)` over a set of descriptors, all for reading.
public enum Poller {
    /// The descriptors that are readable (or hung up) after waiting at most
    /// `timeout` seconds (nil: no limit).
    /// `writable`: descriptors also waited on for room to write.
    public static func wait(_ descriptors: [Int32], writable: [Int32] = [], timeout: Double?) -> [Int32] {
        var entries: [pollfd] = []
        entries.reserveCapacity(descriptors.count + writable.count)
        for descriptor in descriptors { entries.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
        for descriptor in writable { entries.append(pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)) }
        let milliseconds: Int32 = timeout.map { Int32(min(max(0, ($0 * 1000).rounded(.up)), 3_600_000)) } ?? -1
        let count = poll(&entries, nfds_t(entries.count), milliseconds)
        guard count > 0 else { return [] }
        var ready: [Int32] = []
        ready.reserveCapacity(Int(count))
        for entry in entries where entry.revents != 0 { ready.append(entry.fd) }
        return ready
    }
}

/// Signals delivered as readable events: blocked for the whole process and read
/// from a signalfd in the same poll set as the children's output.
public struct SignalWatcher: Sendable {
    public let descriptor: Int32

    /// Call before any thread exists (threads inherit the mask at creation).
    public static func start(_ signals: [Int32]) throws(SystemError) -> SignalWatcher {
        let descriptor = signals.withUnsafeBufferPointer { parrun_block_and_signalfd($0.baseAddress, Int32($0.count)) }
        guard descriptor >= 0 else { throw SystemError(call: "signalfd") }
        return SignalWatcher(descriptor: descriptor)
    }

    /// Every signal pending now.
    public func pending() -> [Int32] {
        var signals: [Int32] = []
        while true {
            let signal = parrun_read_signal(descriptor)
            if signal <= 0 { return signals }
            signals.append(signal)
        }
    }

    /// parrun writes to pipes that may close (`parrun | head`); EPIPE is handled where it happens.
    public static func ignoreBrokenPipes() {
        _ = signal(SIGPIPE, SIG_IGN)
    }
}

public enum Clock {
    /// Seconds on a clock that never jumps, for durations and deadlines.
    public static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Seconds since the epoch, for records people read.
    public static func wall() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
