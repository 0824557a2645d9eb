/// A JSON text built as bytes, for lines written once per ticket (the
/// journal's start and end records): keys, numbers and quoted strings go
/// straight into one buffer, with no `String` made for each value.
///
/// Its own buffer, not an `[UInt8]`: an array's append checks uniqueness and
/// goes through a generic copy, and a line is made of some 40 short appends.
package struct JSONBytes: ~Copyable {
    private var start: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    package init(capacity: Int) {
        self.capacity = max(capacity, 64)
        start = .allocate(capacity: self.capacity)
    }

    deinit {
        start.deallocate()
    }

    /// The text so far.
    package var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: start, count: count))
    }

    private mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(toHold: count + more) }
    }

    private mutating func grow(toHold needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.initialize(from: start, count: count)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }

    private mutating func append(_ source: UnsafeBufferPointer<UInt8>) {
        guard let base = source.baseAddress else { return }
        reserve(source.count)
        (start + count).initialize(from: base, count: source.count)
        count += source.count
    }

    /// `text` as it is (already JSON, or a key known to need no escape).
    package mutating func raw(_ text: String) {
        withUTF8Bytes(of: text) { append($0) }
    }

    package mutating func byte(_ value: UInt8) {
        reserve(1)
        start[count] = value
        count += 1
    }

    /// `,"name":`, the start of an object member after the first.
    package mutating func member(_ name: String) {
        withUTF8Bytes(of: name) { utf8 in
            // One reservation and straight stores: some 13 members a line.
            reserve(utf8.count + 4)
            start[count] = UInt8(ascii: ",")
            start[count + 1] = UInt8(ascii: "\"")
            count += 2
            if let base = utf8.baseAddress { (start + count).initialize(from: base, count: utf8.count) }
            count += utf8.count
            start[count] = UInt8(ascii: "\"")
            start[count + 1] = UInt8(ascii: ":")
            count += 2
        }
    }

    /// `text` as a JSON string, escaped exactly as `JSONText.quoted` does.
    package mutating func quoted(_ text: String) {
        byte(UInt8(ascii: "\""))
        withUTF8Bytes(of: text) { utf8 in
            var plainFrom = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                append(UnsafeBufferPointer(rebasing: utf8[plainFrom..<index]))
                escape(byte)
                plainFrom = index + 1
            }
            append(UnsafeBufferPointer(rebasing: utf8[plainFrom...]))
        }
        byte(UInt8(ascii: "\""))
    }

    package mutating func quotedOrNull(_ text: String?) {
        if let text { quoted(text) } else { raw("null") }
    }

    // Concrete, not generic: called from other modules, a generic one is not specialized there.
    package mutating func integer(_ value: Int) {
        digits(of: UInt64(value.magnitude), negative: value < 0)
    }

    package mutating func integer(_ value: Int32) {
        digits(of: UInt64(value.magnitude), negative: value < 0)
    }

    package mutating func integer(_ value: UInt64) {
        digits(of: value, negative: false)
    }

    private mutating func digits(of magnitude: UInt64, negative: Bool) {
        if negative { byte(UInt8(ascii: "-")) }
        var magnitude = magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = digits.count
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(UnsafeBufferPointer(rebasing: digits[first...]))
        }
    }

    package mutating func number(_ value: Double) {
        if value == value.rounded() && abs(value) < 1e15 { integer(Int(value)) } else { raw(String(value)) }
    }

    package mutating func flag(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case 0x22: raw("\\\"")
        case 0x5C: raw("\\\\")
        case 0x0A: raw("\\n")
        case 0x0D: raw("\\r")
        case 0x09: raw("\\t")
        default:
            raw("\\u00")
            self.byte(Self.hexDigit(byte >> 4))
            self.byte(Self.hexDigit(byte & 0xF))
        }
    }
}
