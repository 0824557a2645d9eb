import ParrunModel
import ParrunState

/// One event of `claude -p --output-format stream-json --verbose`, reduced to
/// what parrun shows, records and decides on.
public enum ClaudeEvent: Sendable, Equatable {
    /// `{"type":"system","subtype":"init","session_id":...}`
    case started(session: String?, model: String?)
    /// Text the agent says.
    case text(String)
    /// A tool call, e.g. `Write` with `src/a.swift`.
    case toolCall(name: String, target: String?)
    /// A tool result that reported an error.
    case toolError(String)
    /// The assistant turn carried `error: "rate_limit"` (or another error word).
    case assistantError(String)
    /// `{"type":"rate_limit_event","rate_limit_info":{"status":...,"resetsAt":...}}`
    case rateLimit(rejected: Bool, resetsAt: Double?)
    /// `{"type":"system","subtype":"api_retry",...}`: a request failed and the CLI retries it itself.
    case apiRetry(APIRetry)
    /// The final `{"type":"result",...}`.
    case result(ClaudeResult)
    /// A line that is not JSON (the CLI's own messages on stderr, say).
    case plain(String)
    /// JSON that could not be read; `line` is what was skipped.
    case unreadable(String)
    /// A well-formed event of a type parrun does not show.
    case other
    /// The tokens an assistant message used so far (`message.usage`): what an
    /// attempt that never reaches its result is estimated from. The CLI sends
    /// a message once per content block, each time with the same id.
    case usage(messageID: String?, model: String?, tokens: AgentStats)
}

/// One retry the CLI makes of a failed API request, as it reports it:
/// `{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,
/// "retry_delay_ms":507,"error_status":429,"error":"rate_limit",...}`.
/// Every field may be missing (the event is not a documented format).
public struct APIRetry: Sendable, Equatable {
    /// Which retry this is (1 for the first), and how many the CLI makes at most.
    public var attempt: Int?
    public var maxRetries: Int?
    /// How long the CLI waits before this retry.
    public var delaySeconds: Double?
    /// The HTTP status that failed (nil for a connection error), and the CLI's word for it.
    public var errorStatus: Int?
    public var error: String?

    public init(attempt: Int? = nil, maxRetries: Int? = nil, delaySeconds: Double? = nil, errorStatus: Int? = nil, error: String? = nil) {
        self.attempt = attempt
        self.maxRetries = maxRetries
        self.delaySeconds = delaySeconds
        self.errorStatus = errorStatus
        self.error = error
    }

    /// The API refused for its rate (429) or its load (529): the signal that
    /// fewer agents should run. Other retries (a 500, a dropped connection) are not.
    public var isRateLimit: Bool {
        errorStatus == 429 || errorStatus == 529 || error == "rate_limit" || error == "overloaded"
    }
}

/// The final result event.
public struct ClaudeResult: Sendable, Equatable {
    public var subtype: String
    public var isError: Bool
    public var stats: AgentStats
    public var session: String?
    /// The agent's final answer, or the error text.
    public var text: String?
    public var apiErrorStatus: Int?
    public var apiErrorType: String?
}

public enum ClaudeEventParser {
    /// The events of one output line. A line that is not whole JSON is searched
    /// for embedded events (a `rate_limit_event` has been seen spliced into the
    /// middle of another line); what cannot be read is reported, never fatal.
    public static func events(in line: String) -> [ClaudeEvent] {
        let bytes = Array(line.utf8)
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return [] }
        guard bytes[first] == UInt8(ascii: "{") else { return [.plain(line)] }
        if let value = parse(bytes[first...]) { return eventAndUsage(value) }
        var events: [ClaudeEvent] = []
        var index = first
        var skipped = false
        // Only where an event could start, and a bounded number of tries: a long
        // line full of braces must not take quadratic time.
        let marker = Array(#"{"type":"#.utf8)
        var tries = 0
        while index < bytes.count {
            if tries < Self.embeddedEventLimit, bytes[index] == UInt8(ascii: "{"),
                bytes[index...].starts(with: marker) {
                tries += 1
                if let end = objectEnd(bytes, from: index), let value = parse(bytes[index..<end]) {
                    events += eventAndUsage(value)
                    index = end
                    continue
                }
            }
            skipped = true
            index += 1
        }
        if skipped { events.append(.unreadable(line)) }
        return events
    }

    /// Events looked for inside one damaged line, at most.
    static let embeddedEventLimit = 16

    private static func parse(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        bytes.withUnsafeBufferPointer { buffer in try? JSONParser.parse(buffer) }
    }

    /// The index after the `}` that closes the object opening at `start`, by
    /// counting brackets outside strings; nil if it never closes.
    static func objectEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var inString = false
        var escaped = false
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return index + 1 }
            }
            index += 1
        }
        return nil
    }

    /// The event, and the tokens it reports when it is an assistant message.
    static func eventAndUsage(_ value: JSONValue) -> [ClaudeEvent] {
        guard value["type"]?.stringValue == "assistant", let message = value["message"], let usage = message["usage"] else { return [event(value)] }
        return [.usage(messageID: message["id"]?.stringValue, model: message["model"]?.stringValue, tokens: tokens(usage)), event(value)]
    }

    /// The token counts of a `usage` object (an assistant message's or the result's).
    private static func tokens(_ usage: JSONValue?) -> AgentStats {
        AgentStats(
            inputTokens: usage?["input_tokens"]?.integerValue ?? 0,
            outputTokens: usage?["output_tokens"]?.integerValue ?? 0,
            cacheReadTokens: usage?["cache_read_input_tokens"]?.integerValue ?? 0,
            cacheCreationTokens: usage?["cache_creation_input_tokens"]?.integerValue ?? 0)
    }

    static func event(_ value: JSONValue) -> ClaudeEvent {
        switch value["type"]?.stringValue {
        case "system":
            switch value["subtype"]?.stringValue {
            case "init": return .started(session: value["session_id"]?.stringValue, model: value["model"]?.stringValue)
            case "api_retry": return .apiRetry(apiRetry(value))
            default: return .other
            }
        case "assistant":
            return assistant(value)
        case "user":
            return toolError(value) ?? .other
        case "rate_limit_event":
            let info = value["rate_limit_info"]
            return .rateLimit(rejected: info?["status"]?.stringValue == "rejected", resetsAt: info?["resetsAt"]?.doubleValue)
        case "result":
            return .result(result(value))
        default:
            return .other
        }
    }

    private static func apiRetry(_ value: JSONValue) -> APIRetry {
        APIRetry(
            attempt: value["attempt"]?.integerValue, maxRetries: value["max_retries"]?.integerValue,
            delaySeconds: value["retry_delay_ms"]?.doubleValue.map { max(0, $0) / 1000 }, errorStatus: value["error_status"]?.integerValue,
            error: value["error"]?.stringValue)
    }

    private static func assistant(_ value: JSONValue) -> ClaudeEvent {
        if let error = value["error"]?.stringValue { return .assistantError(error) }
        var texts: [String] = []
        var tools: [ClaudeEvent] = []
        for block in value["message"]?["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { texts.append(text) }
            case "tool_use":
                let name = block["name"]?.stringValue ?? "tool"
                tools.append(.toolCall(name: name, target: toolTarget(block["input"])))
            default:
                continue
            }
        }
        // One event per assistant message: tool calls are what the agent does, so they win.
        if let tool = tools.first, texts.isEmpty { return tools.count == 1 ? tool : .toolCall(name: toolName(tools), target: nil) }
        if !texts.isEmpty { return .text(texts.joined(separator: "\n")) }
        return .other
    }

    private static func toolName(_ tools: [ClaudeEvent]) -> String {
        tools.compactMap { if case .toolCall(let name, _) = $0 { name } else { nil } }.joined(separator: ", ")
    }

    /// The argument that says what a tool call touches: a path, a command, a pattern.
    private static func toolTarget(_ input: JSONValue?) -> String? {
        for key in ["file_path", "notebook_path", "path", "command", "pattern", "url", "query", "description", "prompt"] {
            if let text = input?[key]?.stringValue, !text.isEmpty { return text }
        }
        return nil
    }

    private static func toolError(_ value: JSONValue) -> ClaudeEvent? {
        for block in value["message"]?["content"]?.arrayValue ?? [] where block["type"]?.stringValue == "tool_result" {
            guard block["is_error"]?.boolValue == true else { continue }
            let content = block["content"]?.stringValue
                ?? block["content"]?.arrayValue?.compactMap { $0["text"]?.stringValue }.joined(separator: " ")
            return .toolError(content ?? "tool error")
        }
        return nil
    }

    private static func result(_ value: JSONValue) -> ClaudeResult {
        // `total_cost_usd` is the session's, counted from its first attempt
        // (`AgentStats.attempt` takes the difference); `usage` is this attempt's.
        var stats = tokens(value["usage"])
        stats.turns = value["num_turns"]?.integerValue ?? 0
        stats.durationMs = value["duration_ms"]?.integerValue ?? 0
        stats.costUSD = value["total_cost_usd"]?.doubleValue.flatMap { $0.isFinite ? max(0, $0) : nil } ?? 0
        return ClaudeResult(
            subtype: value["subtype"]?.stringValue ?? "unknown",
            isError: value["is_error"]?.boolValue ?? true,
            stats: stats,
            session: value["session_id"]?.stringValue,
            text: value["result"]?.stringValue,
            apiErrorStatus: value["api_error_status"]?.integerValue,
            apiErrorType: value["api_error_type"]?.stringValue)
    }
}
