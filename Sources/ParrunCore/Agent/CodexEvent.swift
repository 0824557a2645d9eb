import ParrunModel

/// One event of `codex exec --json` (JSON lines on standard output), reduced
/// to what parrun shows, records and decides on (codex-cli 0.163).
enum CodexEvent: Sendable, Equatable {
    /// `{"type":"thread.started","thread_id":...}`: the only place the thread's id is.
    case threadStarted(String)
    /// An `agent_message` item's text.
    case message(String)
    /// A `command_execution` item that finished (`exit_code` nil: it did not run).
    case command(String, exitCode: Int?)
    /// A `file_change` item (an `apply_patch`): each change as "add path", and whether it failed.
    case fileChange([String], failed: Bool)
    /// Another tool item (`mcp_tool_call`, `web_search`) and what it names.
    case tool(String)
    /// An `error` item or line. Not always fatal: `Reconnecting... 1/5 (...)` while codex retries.
    case error(String)
    /// `{"type":"turn.completed","usage":{...}}`: the thread's token totals so far.
    case turnCompleted(CodexUsage)
    /// `{"type":"turn.failed","error":{"message":...}}`.
    case turnFailed(String)
    /// A line that is not JSON (the CLI's own messages on stderr).
    case plain(String)
    /// JSON that could not be read.
    case unreadable(String)
    /// A well-formed event parrun does not show (`turn.started`, `item.started`, reasoning).
    case other
}

/// `turn.completed`'s `usage`: cumulative over the whole thread, so an
/// attempt counts what it adds to the total before it.
struct CodexUsage: Sendable, Equatable {
    /// Every input token, cached ones included (OpenAI counts them so).
    var inputTokens = 0
    var cachedInputTokens = 0
    var cacheWriteTokens = 0
    /// Output tokens, reasoning included.
    var outputTokens = 0

    /// As parrun counts tokens (claude's way: input without the cached part).
    var stats: AgentStats {
        AgentStats(
            inputTokens: max(0, inputTokens - cachedInputTokens - cacheWriteTokens), outputTokens: outputTokens,
            cacheReadTokens: cachedInputTokens, cacheCreationTokens: cacheWriteTokens)
    }
}

enum CodexEventParser {
    static func events(in line: String) -> [CodexEvent] {
        let bytes = Array(line.utf8)
        guard let first = bytes.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return [] }
        guard bytes[first] == UInt8(ascii: "{") else { return [.plain(line)] }
        guard let value = bytes[first...].withUnsafeBufferPointer({ try? JSONParser.parse($0) }) else { return [.unreadable(line)] }
        return [event(value)]
    }

    static func event(_ value: JSONValue) -> CodexEvent {
        switch value["type"]?.stringValue {
        case "thread.started":
            return value["thread_id"]?.stringValue.map(CodexEvent.threadStarted) ?? .other
        case "item.completed":
            return item(value["item"])
        case "turn.completed":
            let usage = value["usage"]
            return .turnCompleted(CodexUsage(
                inputTokens: usage?["input_tokens"]?.integerValue ?? 0, cachedInputTokens: usage?["cached_input_tokens"]?.integerValue ?? 0,
                cacheWriteTokens: usage?["cache_write_input_tokens"]?.integerValue ?? 0, outputTokens: usage?["output_tokens"]?.integerValue ?? 0))
        case "turn.failed":
            return .turnFailed(value["error"]?["message"]?.stringValue ?? "turn failed")
        case "error":
            return .error(value["message"]?.stringValue ?? "error")
        default:
            return .other
        }
    }

    private static func item(_ item: JSONValue?) -> CodexEvent {
        guard let item else { return .other }
        switch item["type"]?.stringValue {
        case "agent_message":
            guard let text = item["text"]?.stringValue, !text.isEmpty else { return .other }
            return .message(text)
        case "command_execution":
            return .command(item["command"]?.stringValue ?? "command", exitCode: item["exit_code"]?.integerValue)
        case "file_change":
            let changes = (item["changes"]?.arrayValue ?? []).map { change in
                (change["kind"]?.stringValue ?? "change") + " " + (change["path"]?.stringValue ?? "?")
            }
            return .fileChange(changes, failed: item["status"]?.stringValue == "failed")
        case "mcp_tool_call":
            return .tool([item["server"]?.stringValue, item["tool"]?.stringValue].compactMap { $0 }.joined(separator: "."))
        case "web_search":
            return .tool("web_search " + (item["query"]?.stringValue ?? ""))
        case "error":
            return .error(item["message"]?.stringValue ?? "error")
        default:
            return .other
        }
    }
}
