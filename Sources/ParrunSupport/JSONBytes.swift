/// A JSON text built as bytes, for lines written once per ticket (the
/// journal's start and end records): keys, numbers and quoted strings go
/// straight into one buffer, with no `String` made for each value.
package struct JSONBytes {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// `text` as it is (already JSON, or a key known to need no escape).
    package mutating func raw(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    package mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// `,"name":`, the start of an object member after the first.
    package mutating func member(_ name: String) {
        bytes.append(UInt8(ascii: ","))
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// `text` as a JSON string, escaped exactly as `JSONText.quoted` does.
    package mutating func quoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                escape(byte)
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
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
        if negative { bytes.append(UInt8(ascii: "-")) }
        var magnitude = magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var first = digits.count
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[first...]))
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
            bytes.append(Self.hexDigit(byte >> 4))
            bytes.append(Self.hexDigit(byte & 0xF))
        }
    }
}
