/// Splits a ticket's output into whole lines, so lines of different tickets
/// never interleave mid-line. A partial last line waits for its end, or for
/// the ticket to end (`flush`), or for the buffer to pass `limit` bytes.
struct LineBuffer: Sendable {
    /// A line this long is passed on unfinished rather than held without bound.
    static let limit = 1 << 20

    private var pending: [UInt8] = []

    /// The complete lines in `bytes` and before, without their line breaks.
    mutating func append(_ bytes: ArraySlice<UInt8>) -> [String] {
        var lines: [String] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            if pending.isEmpty {
                lines.append(Self.text(bytes[start..<index]))
            } else {
                pending.append(contentsOf: bytes[start..<index])
                lines.append(Self.text(pending[...]))
                pending.removeAll(keepingCapacity: true)
            }
            start = index + 1
        }
        pending.append(contentsOf: bytes[start...])
        if pending.count >= Self.limit, let line = flush() { lines.append(line) }
        return lines
    }

    /// The unfinished last line, if any.
    mutating func flush() -> String? {
        guard !pending.isEmpty else { return nil }
        defer { pending.removeAll() }
        return Self.text(pending[...])
    }

    /// Invalid UTF-8 is repaired (U+FFFD) rather than dropped; a CR before LF goes.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        var bytes = bytes
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
