import ParrunModel
import ParrunPlatform
import ParrunState
import ParrunSupport

/// A running ticket's output: to its log, to the reporter line by line (or
/// as bytes), and for prompt tickets through the agent's event stream.
extension Runner {

    /// Reads what the pipe holds; true when it reached end of file.
    @discardableResult
    func readOutput(_ descriptor: Int32) -> Bool {
        guard var attempt = running[descriptor], !attempt.outputClosed else { return false }
        // Read what is there now, a bounded amount, so one chatty ticket cannot
        // starve the loop, and no more once parrun's own output is backlogged
        // (but for a ticket being stopped: into its log only).
        let stopping = controller.clocks[attempt.ticket]?.stopReason != nil
        for _ in 0..<16 where !sink.isBacklogged || stopping {
            switch Descriptor.read(descriptor, into: &readBuffer) {
            case .data(let count):
                deliver(readBuffer[0..<count], of: &attempt)
                continue
            case .wouldBlock:
                break
            case .endOfFile:
                attempt.outputClosed = true
            }
            break
        }
        running[descriptor] = attempt
        return attempt.outputClosed
    }

    func deliver(_ bytes: ArraySlice<UInt8>, of attempt: inout RunningAttempt) {
        if sink.isBacklogged && controller.clocks[attempt.ticket]?.stopReason != nil {
            // Being stopped while parrun's reader lags: kept in the log, not queued for the screen.
            bytes.withUnsafeBytes { attempt.agent == nil ? attempt.log.write($0) : attempt.agent!.events.write($0) }
            return
        }
        guard attempt.agent != nil else {
            bytes.withUnsafeBytes { attempt.log.write($0) }
            if attempt.verifying != nil {
                attempt.verifyOutput += bytes
                if attempt.verifyOutput.count > options.verifyFeedbackBytes {
                    attempt.verifyOutput.removeFirst(attempt.verifyOutput.count - options.verifyFeedbackBytes)
                }
            }
            deliverLines(bytes, of: &attempt)
            return
        }
        bytes.withUnsafeBytes { attempt.agent!.events.write($0) }
        for line in attempt.lines.append(bytes) { deliverAgentLine(line, of: &attempt) }
    }

    /// A shell ticket's output to the reporter, line by line; whole plain lines
    /// go through as bytes when the reporter takes them (megabytes of output
    /// would otherwise cost a text object and an event per line).
    func deliverLines(_ bytes: ArraySlice<UInt8>, of attempt: inout RunningAttempt) {
        var rest = bytes
        if attempt.lines.hasPending, let firstBreak = rest.firstIndex(of: UInt8(ascii: "\n")) {
            reportLines(attempt.lines.append(rest[...firstBreak]), of: attempt)
            rest = rest[(firstBreak + 1)...]
        }
        if !attempt.lines.hasPending, let lastBreak = rest.lastIndex(of: UInt8(ascii: "\n")), LineBuffer.isPlain(rest[...lastBreak]) {
            let passed = rest[...lastBreak].withUnsafeBytes {
                reporter.reportPlainLines($0, ticket: attempt.ticket, worker: attempt.worker, elapsed: elapsed)
            }
            if passed { rest = rest[(lastBreak + 1)...] }
        }
        reportLines(attempt.lines.append(rest), of: attempt)
    }

    func reportLines(_ lines: [String], of attempt: RunningAttempt) {
        for line in lines {
            reporter.report(.output(ticket: attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, line: line), elapsed: elapsed)
        }
    }

    /// A prompt ticket shows what its agent does, not the raw events: those go
    /// to the events file, these lines to the log and the screen.
    func deliverAgentLine(_ line: String, of attempt: inout RunningAttempt) {
        let shown = attempt.agent!.stream.consume(line)
        if !attempt.agent!.sessionRecorded, let session = attempt.agent!.stream.session {
            attempt.agent!.sessionRecorded = true
            agentSessions[attempt.ticket] = session
            send(.sessionNamed(ticket: attempt.ticket, attempt: attempt.attempt, session: session))
        }
        // The CLI retries these itself: the controller only hears of them (adaptive concurrency, the status line).
        for retry in attempt.agent!.stream.takeRateLimitRetries() {
            var signal = RateLimitSignal(
                ticket: attempt.ticket, attempt: attempt.attempt, retry: retry.attempt, maxRetries: retry.maxRetries,
                retryIn: retry.delaySeconds, status: retry.errorStatus)
            signal.agent = plan.graph.tickets[attempt.ticket].agentKind
            send(.rateLimitSeen(signal))
        }
        for text in shown {
            (text + "\n").utf8.withContiguousStorageIfAvailable { attempt.log.write(UnsafeRawBufferPointer($0)) }
            reporter.report(.output(ticket: attempt.ticket, attempt: attempt.attempt, worker: attempt.worker, line: text), elapsed: elapsed)
        }
    }
}
