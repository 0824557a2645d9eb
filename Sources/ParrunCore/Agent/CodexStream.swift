import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Follows one attempt of a codex prompt ticket (`codex exec --json`): lines
/// in, lines for people and a verdict out. codex reports tokens, never
/// dollars: the cost is parrun's estimate from the price table.
struct CodexStream: AgentStream {
    private(set) var session: String?
    /// The thread's token totals at the attempt's last `turn.completed`.
    private(set) var usage: CodexUsage?
    private(set) var turnFailure: String?
    /// The account's usage limit was hit ("You've hit your usage limit").
    private(set) var usageLimited = false
    private(set) var resetsAt: Double?
    /// A request was refused for the API's rate (429) and codex gave up on it.
    private(set) var rateLimited = false
    private(set) var unreadableLines = 0
    private var rateLimitRetries: [APIRetry] = []
    /// The model the ticket or the command names, for pricing; nil: unknown (priced high).
    let model: String?
    private let now: @Sendable () -> Double

    init(model: String? = nil, now: @escaping @Sendable () -> Double = Clock.wall) {
        self.model = model
        self.now = now
    }

    mutating func consume(_ line: String) -> [String] {
        var shown: [String] = []
        for event in CodexEventParser.events(in: line) {
            switch event {
            case .threadStarted(let thread):
                session = thread
                shown.append("thread \(thread)" + (model.map { " (\($0))" } ?? ""))
            case .message(let text):
                shown += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                while shown.last?.isEmpty == true { shown.removeLast() }
            case .command(let command, let exitCode):
                shown.append("exec " + Agents.oneLine(command) + (exitCode.map { $0 == 0 ? "" : " (exit \($0))" } ?? " (did not run)"))
            case .fileChange(let changes, let failed):
                shown.append("apply_patch " + changes.joined(separator: ", ") + (failed ? " (failed)" : ""))
            case .tool(let name):
                shown.append(Agents.oneLine(name))
            case .error(let message):
                if let retry = Self.reconnect(message) {
                    // codex retries it itself (after the server's Retry-After): only its end says whether the attempt failed.
                    if retry.isRateLimit { rateLimitRetries.append(retry) }
                } else {
                    note(message)
                }
                shown.append("error: " + Agents.oneLine(message))
            case .turnCompleted(let total):
                usage = total
                shown.append("turn completed, \(AgentStats.count(total.stats.totalTokens)) tokens in the thread")
            case .turnFailed(let message):
                turnFailure = message
                note(message)
                shown.append("turn failed: " + Agents.oneLine(message))
            case .plain(let text):
                if UsageLimit.isCodexUsageLimit(text) { note(text) }
                shown.append(text)
            case .unreadable(let text):
                unreadableLines += 1
                shown.append("parrun: skipped an event line it could not read (\(text.utf8.count) bytes)")
            case .other:
                continue
            }
        }
        return shown
    }

    /// A message that ends the attempt: a usage limit, or a rate limit codex gave up on.
    private mutating func note(_ message: String) {
        if UsageLimit.isCodexUsageLimit(message) {
            usageLimited = true
            resetsAt = UsageLimit.codexResetTime(in: message, now: now()) ?? resetsAt
        } else if Self.isRateLimit(message) {
            rateLimited = true
        }
    }

    static func isRateLimit(_ message: String) -> Bool {
        let lower = message.lowercased()
        return lower.contains("429") || lower.contains("too many requests") || lower.contains("rate limit")
    }

    /// `Reconnecting... 1/5 (exceeded retry limit, last status: 429 Too Many Requests)`:
    /// codex retries a request (it waits the server's Retry-After); nil for another message.
    static func reconnect(_ message: String) -> APIRetry? {
        guard message.hasPrefix("Reconnecting") else { return nil }
        var retry = APIRetry()
        let words = message.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "," })
        if let count = words.first(where: { $0.contains("/") && $0.first?.isNumber == true }) {
            let parts = count.split(separator: "/")
            retry.attempt = parts.first.flatMap { Int($0) }
            retry.maxRetries = parts.count > 1 ? Int(parts[1]) : nil
        }
        if let status = words.first(where: { $0.count == 3 && Int($0).map { (400..<600).contains($0) } == true }) {
            retry.errorStatus = Int(status)
        }
        if retry.errorStatus == nil && isRateLimit(message) { retry.error = "rate_limit" }
        return retry
    }

    mutating func takeRateLimitRetries() -> [APIRetry] {
        defer { rateLimitRetries.removeAll() }
        return rateLimitRetries
    }

    /// The tokens the thread's totals grew by in this attempt, priced by
    /// `prices`: always an estimate. An attempt cut short before its
    /// `turn.completed` reports nothing; the thread's next turn counts what
    /// it used (the totals include it), so nothing is counted twice.
    func attemptStats(sessionBefore: AgentStats, prices: ModelPrices) -> AgentStats? {
        guard let usage else { return nil }
        let total = usage.stats
        var stats = AgentStats(
            inputTokens: max(0, total.inputTokens - sessionBefore.inputTokens),
            outputTokens: max(0, total.outputTokens - sessionBefore.outputTokens),
            cacheReadTokens: max(0, total.cacheReadTokens - sessionBefore.cacheReadTokens),
            cacheCreationTokens: max(0, total.cacheCreationTokens - sessionBefore.cacheCreationTokens))
        guard stats.totalTokens > 0 else { return nil }
        stats.turns = 1
        stats.costUSD = prices.price(of: model).cost(of: stats)
        stats.estimated = true
        return stats
    }

    /// Success needs exit 0 and a completed turn that did not fail.
    func verdict(exit status: ExitStatus) -> AgentVerdict {
        let exitText = Agents.exitText(status)
        if status == .exited(0), usage != nil, turnFailure == nil { return .succeeded }
        if usageLimited {
            return .usageLimited(resetsAt: resetsAt, "usage limit reached" + (resetsAt.map { ", resets at \(LocalTime.clock($0))" } ?? ""))
        }
        if rateLimited { return .rateLimited("rate limited (\(exitText))" + (turnFailure.map { ": " + Agents.oneLine($0) } ?? "")) }
        if let turnFailure {
            // The thread no longer fits the model's context: it may go on after codex compacts it.
            let lower = turnFailure.lowercased()
            if lower.contains("context window") || lower.contains("context_length_exceeded") {
                return .outOfTurns("ran out of context (\(exitText)): " + Agents.oneLine(turnFailure))
            }
            return .failed("turn failed (\(exitText)): " + Agents.oneLine(turnFailure))
        }
        guard usage != nil else { return .failed("no turn.completed event (\(exitText))") }
        return .failed("\(exitText) after a completed turn")
    }
}
