import ParrunModel
import ParrunSupport
import ParrunPlatform

/// The CLI's message when the account's usage limit is reached (not a
/// documented format): "You've hit your limit · resets 1pm (Europe/Lisbon)",
/// older "Claude AI usage limit reached|1712345678".
public enum UsageLimit {
    public static func isUsageLimitMessage(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("hit your limit") || lower.contains("usage limit reached")
    }

    /// When the limit resets, as seconds since 1970, if the message says; `now`
    /// is the current time (the reset is the next such time after it).
    public static func resetTime(in text: String, now: Double) -> Double? {
        if let bar = text.lastIndex(of: "|"), let epoch = Double(String(text[text.index(after: bar)...]).trimmingSpaces),
            epoch > 1_000_000_000 {
            return epoch
        }
        let lower = text.lowercased()
        guard let resets = lower.firstRange(of: "resets") else { return nil }
        var rest = Substring(String(lower[resets.upperBound...]).trimmingSpaces)
        if rest.hasPrefix("at ") { rest = rest.dropFirst(3) }
        // "1pm", "1:30pm", "13:00", optionally followed by "(Zone/Name)".
        var digits = rest.prefix { $0 != " " && $0 != "(" }
        var meridiem: Substring?
        if digits.hasSuffix("am") || digits.hasSuffix("pm") {
            meridiem = digits.suffix(2)
            digits = digits.dropLast(2)
        }
        let parts = digits.split(separator: ":")
        guard let first = parts.first, var hour = Int(first), parts.count <= 2 else { return nil }
        var minute = 0
        if parts.count == 2 {
            guard let m = Int(parts[1]), (0..<60).contains(m) else { return nil }
            minute = m
        }
        if let meridiem {
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (meridiem == "pm" ? 12 : 0)
        }
        guard (0..<24).contains(hour) else { return nil }
        // The zone as written (case matters in zoneinfo names), between parentheses.
        var zone: String?
        if let open = text.lastIndex(of: "("), let close = text[open...].firstIndex(of: ")") {
            zone = String(text[text.index(after: open)..<close])
        }
        return LocalTime.next(hour: hour, minute: minute, zone: zone, after: now)
            ?? LocalTime.next(hour: hour, minute: minute, zone: nil, after: now)
    }

    /// codex's message: "You've hit your usage limit. ... try again at 9:20 AM."
    /// (a curly apostrophe), or its error code `usage_limit_reached`.
    public static func isCodexUsageLimit(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("hit your usage limit") || lower.contains("usage_limit_reached") || lower.contains("usage limit has been reached")
    }

    /// When codex's usage limit resets: "try again at 9:20 AM" (local time),
    /// the next such time after `now`; nil when it does not say (or says a date).
    public static func codexResetTime(in text: String, now: Double) -> Double? {
        let lower = text.lowercased()
        guard let range = lower.firstRange(of: "try again at ") else { return nil }
        // "9:20 am." -> "9:20am", as `resetTime` reads it.
        let rest = lower[range.upperBound...].prefix(12)
        let words = rest.split(separator: " ")
        guard let clock = words.first else { return nil }
        var time = String(clock).trimming(".,")
        if words.count > 1 {
            let meridiem = String(words[1]).trimming(".,")
            if meridiem == "am" || meridiem == "pm" { time += meridiem }
        }
        guard let next = resetTime(in: "resets " + time, now: now) else { return nil }
        // A clock of whole minutes: the minute named may be this one, just begun
        // (the next such time is then tomorrow). The limit resets by its end.
        let minuteBegan = next - 86_400
        return now - minuteBegan < 60 ? minuteBegan + 60 : next
    }
}
