import ParrunModel
import ParrunPlatform
import ParrunSupport

/// Follows one attempt of a prompt ticket: reads the CLI's output line by line,
/// turns events into lines for people, and decides at the end whether the
/// ticket succeeded. Pure: lines in, lines and a verdict out.
struct ClaudeStream: AgentStream {
    private(set) var session: String?
    private(set) var result: ClaudeResult?
    /// The account's usage limit was hit: no prompt ticket should start before `resetsAt`.
    private(set) var usageLimited = false
    private(set) var resetsAt: Double?
    /// The API refused a request for its rate (429) or load (529).
    private(set) var rateLimited = false
    private(set) var unreadableLines = 0
    /// Rate limits the CLI is retrying itself (`api_retry` for a 429 or 529),
    /// not yet taken by the runner (`takeRateLimitRetries`).
    private(set) var rateLimitRetries: [APIRetry] = []
    /// The model the session reported at its start, for pricing its tokens.
    private(set) var model: String?
    /// The tokens of each assistant message, in order: an attempt without a
    /// result is estimated from them (`tokensSeen`).
    private var messageTokens: [(id: String?, model: String?, tokens: AgentStats)] = []
    /// The clock used to place a reset time given as "1pm".
    private let now: @Sendable () -> Double
    /// What the session had cost before this attempt: claude's result gives
    /// the session's total, and the line shown is the attempt's own.
    private let sessionCostBefore: Double

    init(sessionCostBefore: Double = 0, now: @escaping @Sendable () -> Double = Clock.wall) {
        self.sessionCostBefore = sessionCostBefore
        self.now = now
    }

    /// How the attempt ended (`AgentVerdict`).
    typealias Verdict = AgentVerdict

    /// The lines to show for one line of output.
    mutating func consume(_ line: String) -> [String] {
        var shown: [String] = []
        for event in ClaudeEventParser.events(in: line) {
            switch event {
            case .started(let session, let model):
                self.session = session ?? self.session
                self.model = model ?? self.model
                shown.append("session \(session ?? "?")" + (model.map { " (\($0))" } ?? ""))
            case .text(let text):
                shown += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                while shown.last?.isEmpty == true { shown.removeLast() }
            case .toolCall(let name, let target):
                shown.append(name + (target.map { " " + Self.oneLine($0) } ?? ""))
            case .toolError(let text):
                shown.append("tool error: " + Self.oneLine(text))
            case .assistantError(let error):
                if error == "rate_limit" { rateLimited = true }
                shown.append("error: \(error)")
            case .rateLimit(let rejected, let resets):
                guard rejected else { continue }
                usageLimited = true
                resetsAt = resets ?? resetsAt
                shown.append("usage limit reached" + (resets.map { ", resets at \(Self.clock($0))" } ?? ""))
            case .apiRetry(let retry):
                // Not `rateLimited`: the CLI retries, so only its final result says whether the attempt failed.
                if retry.isRateLimit { rateLimitRetries.append(retry) }
                shown.append(Self.describe(retry))
            case .result(let result):
                self.result = result
                session = result.session ?? session
                if result.apiErrorStatus == 429 || result.apiErrorStatus == 529
                    || result.apiErrorType == "rate_limit_error" || result.apiErrorType == "overloaded_error" {
                    rateLimited = true
                }
                if let text = result.text, result.isError { noteUsageLimit(text) }
                let attempt = AgentStats.attempt(reported: result.stats, sessionCostBefore: sessionCostBefore)
                shown.append("result: \(result.isError ? "error" : result.subtype), \(attempt.summary)")
            case .plain(let text):
                noteUsageLimit(text)
                shown.append(text)
            case .unreadable(let text):
                unreadableLines += 1
                shown.append("parrun: skipped an event line it could not read (\(text.utf8.count) bytes)")
            case .usage(let id, let model, let tokens):
                noteTokens(id: id, model: model, tokens)
            case .other:
                continue
            }
        }
        return shown
    }

    /// The tokens the stream's assistant messages showed, per model. The CLI
    /// shows a message before its last output tokens are counted, so this
    /// is at most what the attempt used.
    public var tokensSeen: [String: AgentStats] {
        var byModel: [String: AgentStats] = [:]
        for message in messageTokens {
            let name = message.model ?? model ?? ""
            byModel[name] = (byModel[name] ?? AgentStats()) + message.tokens
        }
        return byModel
    }

    /// A message repeated (one event per content block) counts once, with the
    /// largest count each time showed.
    private mutating func noteTokens(id: String?, model: String?, _ tokens: AgentStats) {
        if let id, let last = messageTokens.last, last.id == id {
            var merged = last.tokens
            merged.inputTokens = max(merged.inputTokens, tokens.inputTokens)
            merged.outputTokens = max(merged.outputTokens, tokens.outputTokens)
            merged.cacheReadTokens = max(merged.cacheReadTokens, tokens.cacheReadTokens)
            merged.cacheCreationTokens = max(merged.cacheCreationTokens, tokens.cacheCreationTokens)
            messageTokens[messageTokens.count - 1].tokens = merged
        } else {
            messageTokens.append((id, model, tokens))
        }
    }

    /// What this attempt cost, given what its session had cost before it:
    /// the difference the result reports, or, with no result, an estimate
    /// from the tokens seen; nil when it used none.
    func attemptStats(sessionCostBefore: Double, prices: ModelPrices) -> AgentStats? {
        if let result { return AgentStats.attempt(reported: result.stats, sessionCostBefore: sessionCostBefore) }
        let tokens = tokensSeen
        guard tokens.values.contains(where: { $0.totalTokens > 0 }) else { return nil }
        return AgentStats.estimate(tokens: tokens, prices: prices)
    }

    /// claude reports its session's cost so far, and each attempt's tokens.
    func attemptStats(sessionBefore: AgentStats, prices: ModelPrices) -> AgentStats? {
        attemptStats(sessionCostBefore: sessionBefore.costUSD, prices: prices)
    }

    /// The rate limits seen since the last call, each once.
    mutating func takeRateLimitRetries() -> [APIRetry] {
        defer { rateLimitRetries.removeAll() }
        return rateLimitRetries
    }

    /// `API error 429 rate_limit: retry 1 of 10 in 0.5s`.
    static func describe(_ retry: APIRetry) -> String {
        let what = [retry.errorStatus.map(String.init), retry.error].compactMap { $0 }.joined(separator: " ")
        var line = "API error" + (what.isEmpty ? "" : " " + oneLine(what)) + ": retry"
        if let attempt = retry.attempt { line += " \(attempt)" + (retry.maxRetries.map { " of \($0)" } ?? "") }
        if let delay = retry.delaySeconds { line += " in " + DurationText.format(seconds: delay) }
        return line
    }

    private mutating func noteUsageLimit(_ text: String) {
        guard UsageLimit.isUsageLimitMessage(text) else { return }
        usageLimited = true
        resetsAt = UsageLimit.resetTime(in: text, now: now()) ?? resetsAt
    }

    /// Success needs exit 0 and a final result that is a success without error.
    func verdict(exit status: ExitStatus) -> Verdict {
        let exitText = Agents.exitText(status)
        if status == .exited(0), let result, !result.isError, result.subtype == "success" { return .succeeded }
        if usageLimited {
            return .usageLimited(resetsAt: resetsAt, "usage limit reached" + (resetsAt.map { ", resets at \(Self.clock($0))" } ?? ""))
        }
        if rateLimited {
            let code = result?.apiErrorStatus.map { " \($0)" } ?? ""
            return .rateLimited("rate limited\(code) (\(result?.apiErrorType ?? "rate_limit"))")
        }
        guard let result else { return .failed("no result event (\(exitText))") }
        if result.subtype == "error_max_turns" { return .outOfTurns("ran out of turns (error_max_turns, \(exitText))") }
        // How the CLI ends a session whose conversation no longer fits the model's
        // context and that its automatic compaction could not shorten: an error
        // result whose text starts with its constant "Prompt is too long".
        if result.isError, let text = result.text, text.lowercased().hasPrefix("prompt is too long") {
            return .outOfTurns("ran out of context (\(exitText)): " + Self.oneLine(text))
        }
        if result.subtype != "success" { return .failed("\(result.subtype) (\(exitText))") }
        guard result.isError else { return .failed("\(exitText) after a successful result") }
        return .failed("the result reports an error (\(exitText))" + (result.text.map { ": " + Self.oneLine($0) } ?? ""))
    }

    static func oneLine(_ text: String, limit: Int = 160) -> String { Agents.oneLine(text, limit: limit) }

    static func clock(_ epoch: Double) -> String { LocalTime.clock(epoch) }
}
