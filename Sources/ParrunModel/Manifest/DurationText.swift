import ParrunSupport

/// Durations as people write them in manifests and on the command line:
/// `90s`, `30m`, `1h`, `1h30m`, `1.5h`, `500ms`, `2d`; a bare number is seconds.
public enum DurationText {
    /// The duration in seconds, or why the text is not one (a phrase that
    /// follows the text in a message: "'5x' is not a duration ...").
    public static func seconds(from text: String) -> Result<Double, Problem> {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { return .failure(.malformed) }
        if trimmed.hasPrefix("-") { return .failure(.negative) }
        if let plain = Double(trimmed) {
            return plain.isFinite ? check(plain) : .failure(.malformed)
        }
        var total = 0.0
        var rest = Substring(trimmed)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return .failure(.malformed) }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = unitSeconds[String(unit).lowercased()] else { return .failure(.malformed) }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total.isFinite ? check(total) : .failure(.malformed)
    }

    public enum Problem: Error, Equatable {
        case malformed
        case negative
        case zero
        case tooLong

        /// Completes "timeout 'X' ..." in a message.
        public var reason: String {
            switch self {
            case .malformed: "is not a duration"
            case .negative: "is negative"
            case .zero: "is zero"
            case .tooLong: "is longer than \(Int(DurationText.maximumSeconds / 86400 / 365)) years"
            }
        }
    }

    /// Longer is surely a mistake, and would overflow clock arithmetic.
    static let maximumSeconds = 100.0 * 365 * 86400

    private static func check(_ seconds: Double) -> Result<Double, Problem> {
        if seconds > maximumSeconds { return .failure(.tooLong) }
        return seconds > 0 ? .success(seconds) : .failure(.zero)
    }

    private static let unitSeconds: [String: Double] = [
        "ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400,
    ]

    /// A short human form: `850ms`, `12.3s`, `4m05s`, `2h10m`.
    public static func format(seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let seconds = min(max(seconds, 0), maximumSeconds)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 {
            let tenths = (seconds * 10).rounded() / 10
            return tenths == tenths.rounded() ? "\(Int(tenths))s" : "\(tenths)s"
        }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m" + String(whole % 60).leftPadded(to: 2) + "s" }
        return "\(whole / 3600)h" + String(whole % 3600 / 60).leftPadded(to: 2) + "m"
    }
}
