import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// Where reporters write: the run's standard output (ticket output, JSON
/// events) and standard error (parrun's own messages and the status line).
public protocol OutputSink: AnyObject {
    func writeOutput(_ text: String)
    func writeMessage(_ text: String)
    /// Whole lines of output, each ending in a line break, with `prefix` put before each.
    func writeOutputLines(_ lines: UnsafeRawBufferPointer, prefix: [UInt8])
    /// Writes out what the streams take now; the run loop calls it before every wait.
    func flush()
    /// More is waiting than the sink holds comfortably: the run loop stops
    /// reading ticket output until the reader catches up (back-pressure).
    var isBacklogged: Bool { get }
    /// Descriptors with bytes waiting, for the run loop to poll for room.
    var descriptorsWaitingForRoom: [Int32] { get }
    /// Writes everything before parrun exits, waiting for slow readers unless
    /// `interrupt` (the signal descriptor) becomes readable.
    func finish(unless interrupt: Int32?)
}

extension OutputSink {
    public func writeOutputLines(_ lines: UnsafeRawBufferPointer, prefix: [UInt8]) {
        let prefix = String(decoding: prefix, as: UTF8.self)
        for line in lines.split(separator: UInt8(ascii: "\n")) { writeOutput(prefix + String(decoding: line, as: UTF8.self) + "\n") }
    }

    public var isBacklogged: Bool { false }
    public var descriptorsWaitingForRoom: [Int32] { [] }
    public func finish(unless interrupt: Int32?) { flush() }
}

/// Standard output and error, each gathered into one `write` per loop turn
/// (at 2,000 short tickets, a write per event line was measurable), kept in
/// order (switching streams first writes out what the other one holds), and
/// never blocking: a reader that stops reading (`parrun | (sleep 20; cat)`, a
/// terminal paused with Ctrl-S) holds up output, not timeouts or signals.
public final class TerminalSink: OutputSink {
    private let output = OutputChannel.standardOutput()
    private let messages = OutputChannel.standardError()
    /// Past this many waiting bytes, ticket output is no longer read.
    private let backlogLimit: Int
    /// Text held before a write is tried, so short lines share one `write`.
    private static let gatherLimit = 64 * 1024

    public init(backlogLimit: Int = 1 << 20) {
        self.backlogLimit = backlogLimit
    }

    public func writeOutput(_ text: String) {
        if messages.pendingCount > 0 { messages.writeAvailable() }
        output.enqueue(text)
        if output.pendingCount > Self.gatherLimit { output.writeAvailable() }
    }

    public func writeOutputLines(_ lines: UnsafeRawBufferPointer, prefix: [UInt8]) {
        if messages.pendingCount > 0 { messages.writeAvailable() }
        output.enqueueLines(lines, prefix: prefix)
        if output.pendingCount > Self.gatherLimit { output.writeAvailable() }
    }

    public func writeMessage(_ text: String) {
        if output.pendingCount > 0 { output.writeAvailable() }
        messages.enqueue(text)
        if messages.pendingCount > Self.gatherLimit { messages.writeAvailable() }
    }

    public func flush() {
        output.writeAvailable()
        messages.writeAvailable()
    }

    public var isBacklogged: Bool { output.pendingCount + messages.pendingCount >= backlogLimit }

    public var descriptorsWaitingForRoom: [Int32] {
        [output, messages].filter { $0.pendingCount > 0 && !$0.alwaysTakesBytes }.map(\.descriptor)
    }

    public func finish(unless interrupt: Int32?) {
        output.writeAll(unless: interrupt)
        messages.writeAll(unless: interrupt)
    }
}
