/// Splits a ticket's output into whole lines, so lines of different tickets
/// never interleave mid-line. A partial last line waits for its end, or for
/// the ticket to end (`flush`), or for the buffer to pass `limit` bytes.
/// Lines become text: invalid UTF-8 shows as U+FFFD (the log keeps the bytes).
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
        if pending.count >= Self.limit {
            // Passed on up to a character's end: the rest of a split character waits.
            let cut = Self.completeLength(pending)
            lines.append(Self.text(pending[..<cut]))
            pending.removeFirst(cut)
        }
        return lines
    }

    /// How much of `bytes` ends on a UTF-8 character boundary: an unfinished
    /// multi-byte sequence at the end is left out.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        var lead = bytes.count
        // A sequence is at most 4 bytes: its lead byte is among the last 4.
        while lead > 0 && bytes.count - lead < 4 {
            lead -= 1
            let byte = bytes[lead]
            guard byte & 0xC0 == 0x80 else {
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                return lead + length > bytes.count ? lead : bytes.count
            }
        }
        return bytes.count
    }

    /// A line has begun and not ended yet.
    var hasPending: Bool { !pending.isEmpty }

    /// Bytes that become the same text unchanged: ASCII without CR, so they
    /// can be passed on as they are (the common case, and the fast one).
    static func isPlain(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var high: UInt8 = 0
            var carriageReturn = false
            for byte in buffer {
                high |= byte
                carriageReturn = carriageReturn || byte == UInt8(ascii: "\r")
            }
            return high < 0x80 && !carriageReturn
        }
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
