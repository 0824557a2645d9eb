import ParrunSupport

/// A byte-level JSON parser that keeps the position of every value.
/// `JSONDecoder` is about five times slower on large manifests (docs/platform.md) and cannot say
/// where a value stood; this parser is iterative in nothing but nesting, which
/// it bounds, so no input can exhaust the stack.
public struct JSONParser {
    /// Manifests need a handful of levels; the bound keeps recursion shallow.
    public static let maximumDepth = 200

    /// Parses one JSON document; the input must already be valid UTF-8.
    public static func parse(_ input: UnsafeBufferPointer<UInt8>, from start: Int = 0) throws(ManifestError) -> JSONValue {
        var parser = JSONParser(input: input, position: start)
        return try parser.parseDocument()
    }

    /// Parses JSON values one after another, separated by whitespace: JSON Lines
    /// (one object per line, as `.beads/issues.jsonl`). Spans stay absolute.
    public static func parseSequence(_ input: UnsafeBufferPointer<UInt8>, from start: Int = 0) throws(ManifestError) -> [JSONValue] {
        var parser = JSONParser(input: input, position: start)
        var values: [JSONValue] = []
        while true {
            parser.skipWhitespace()
            guard parser.position < input.count else { return values }
            values.append(try parser.parseValue())
        }
    }

    private let input: UnsafeBufferPointer<UInt8>
    private var position: Int
    private var depth = 0

    private init(input: UnsafeBufferPointer<UInt8>, position: Int) {
        self.input = input
        self.position = position
    }

    private mutating func parseDocument() throws(ManifestError) -> JSONValue {
        skipWhitespace()
        guard position < input.count else { throw .emptyManifest(at: SourceSpan(offset: 0, length: 0)) }
        let value = try parseValue()
        skipWhitespace()
        if position < input.count { throw .trailingContent(at: characterSpan(at: position)) }
        return value
    }

    private mutating func parseValue() throws(ManifestError) -> JSONValue {
        guard position < input.count else { throw .unexpectedEnd(expected: "a value", at: endSpan) }
        let start = position
        switch input[position] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            let text = try parseString()
            return JSONValue(.string(text), at: SourceSpan(offset: start, length: position - start))
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return JSONValue(.bool(true), at: SourceSpan(offset: start, length: 4))
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return JSONValue(.bool(false), at: SourceSpan(offset: start, length: 5))
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return JSONValue(.null, at: SourceSpan(offset: start, length: 4))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw unexpected(expected: "a value (string, number, object, array, true, false or null)")
        }
    }

    private mutating func parseObject() throws(ManifestError) -> JSONValue {
        let open = position
        try enterContainer()
        position += 1
        var members: [JSONMember] = []
        // Keys of large objects, to find duplicates without a quadratic scan.
        var keyIndex: [String: Int] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return JSONValue(.object(members), at: SourceSpan(offset: open))
        }
        while true {
            skipWhitespace()
            guard position < input.count else { throw .unexpectedEnd(expected: "a key or `}`", at: endSpan) }
            guard input[position] == UInt8(ascii: "\"") else {
                if input[position] == UInt8(ascii: "}") && !members.isEmpty {
                    throw .trailingComma(at: SourceSpan(offset: lastComma(before: position)))
                }
                throw unexpected(expected: "a key in double quotes")
            }
            let keyStart = position
            let key = try parseString()
            let keySpan = SourceSpan(offset: keyStart, length: position - keyStart)
            if let first = firstSpan(of: key, in: members, index: &keyIndex) {
                throw .duplicateKey(key, at: keySpan, first: first)
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw unexpected(expected: "`:` after the key") }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONMember(key: key, keySpan: keySpan, value: value))
            skipWhitespace()
            guard position < input.count else { throw .unexpectedEnd(expected: "`,` or `}`", at: endSpan) }
            if input[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if input[position] == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return JSONValue(.object(members), at: SourceSpan(offset: open))
            }
            throw unexpected(expected: "`,` or `}` after the value")
        }
    }

    private mutating func parseArray() throws(ManifestError) -> JSONValue {
        let open = position
        try enterContainer()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return JSONValue(.array(elements), at: SourceSpan(offset: open))
        }
        while true {
            skipWhitespace()
            if peek == UInt8(ascii: "]") && !elements.isEmpty {
                throw .trailingComma(at: SourceSpan(offset: lastComma(before: position)))
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard position < input.count else { throw .unexpectedEnd(expected: "`,` or `]`", at: endSpan) }
            if input[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            if input[position] == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return JSONValue(.array(elements), at: SourceSpan(offset: open))
            }
            throw unexpected(expected: "`,` or `]` after the array element")
        }
    }

    private mutating func enterContainer() throws(ManifestError) {
        depth += 1
        if depth > Self.maximumDepth {
            throw .nestingTooDeep(limit: Self.maximumDepth, at: SourceSpan(offset: position))
        }
    }

    /// Parses a string starting at its opening quote; leaves `position` after the closing one.
    private mutating func parseString() throws(ManifestError) -> String {
        let open = position
        position += 1
        let contentStart = position
        // Fast path: most strings have no escapes and become a String in one step.
        while position < input.count {
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: input[contentStart..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                if byte == UInt8(ascii: "\n") { throw .unterminatedString(at: SourceSpan(offset: open)) }
                throw .controlCharacterInString(at: SourceSpan(offset: position))
            }
            position += 1
        }
        guard position < input.count else { throw .unterminatedString(at: SourceSpan(offset: open)) }
        var buffer = Array(input[contentStart..<position])
        while position < input.count {
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try appendEscape(to: &buffer)
            case 0..<0x20:
                if byte == UInt8(ascii: "\n") { throw .unterminatedString(at: SourceSpan(offset: open)) }
                throw .controlCharacterInString(at: SourceSpan(offset: position))
            default:
                buffer.append(byte)
                position += 1
            }
        }
        throw .unterminatedString(at: SourceSpan(offset: open))
    }

    private mutating func appendEscape(to buffer: inout [UInt8]) throws(ManifestError) {
        let escapeStart = position
        position += 1
        guard position < input.count else { throw .unterminatedString(at: SourceSpan(offset: escapeStart)) }
        let byte = input[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHexQuad(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                    input[position + 1] == UInt8(ascii: "u")
                else {
                    throw .invalidUnicodeEscape(reason: "a high surrogate must be followed by a low one", at: SourceSpan(offset: escapeStart, length: 6))
                }
                let lowStart = position
                position += 2
                let low = try readHexQuad(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw .invalidUnicodeEscape(reason: "expected a low surrogate", at: SourceSpan(offset: lowStart, length: 6))
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw .invalidUnicodeEscape(reason: "a low surrogate without a high one", at: SourceSpan(offset: escapeStart, length: 6))
            }
            // Surrogates are handled above, so this scalar always exists.
            guard let unicode = Unicode.Scalar(scalar) else {
                throw .invalidUnicodeEscape(reason: "not a Unicode scalar", at: SourceSpan(offset: escapeStart, length: 6))
            }
            buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw .invalidEscape(at: SourceSpan(offset: escapeStart, length: 2))
        }
    }

    private mutating func readHexQuad(escapeStart: Int) throws(ManifestError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < input.count else {
                throw .invalidUnicodeEscape(reason: "expected four hex digits", at: SourceSpan(offset: escapeStart))
            }
            let byte = input[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw .invalidUnicodeEscape(reason: "expected four hex digits", at: SourceSpan(offset: escapeStart, length: position - escapeStart + 1))
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(ManifestError) -> JSONValue {
        let start = position
        if peek == UInt8(ascii: "-") { position += 1 }
        guard let first = peek, isDigit(first) else { throw .invalidNumber(at: numberSpan(from: start)) }
        position += 1
        if first == UInt8(ascii: "0"), let next = peek, isDigit(next) {
            throw .invalidNumber(at: numberSpan(from: start))
        }
        skipDigits()
        if peek == UInt8(ascii: ".") {
            position += 1
            guard let next = peek, isDigit(next) else { throw .invalidNumber(at: numberSpan(from: start)) }
            skipDigits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            position += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { position += 1 }
            guard let next = peek, isDigit(next) else { throw .invalidNumber(at: numberSpan(from: start)) }
            skipDigits()
        }
        if let next = peek, isIdentifierByte(next) { throw .invalidNumber(at: numberSpan(from: start)) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<position]), as: UTF8.self)
        return JSONValue(.number(text), at: SourceSpan(offset: start, length: position - start))
    }

    /// The span of the malformed number token, to underline all of it.
    private func numberSpan(from start: Int) -> SourceSpan {
        var end = start + 1
        while end < input.count, isIdentifierByte(input[end]) || input[end] == UInt8(ascii: ".") || input[end] == UInt8(ascii: "-") || input[end] == UInt8(ascii: "+") {
            end += 1
        }
        return SourceSpan(offset: start, length: end - start)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(ManifestError) {
        let start = position
        let length = literal.utf8CodeUnitCount
        let matches = literal.withUTF8Buffer { expected in
            position + length <= input.count && (0..<length).allSatisfy { input[position + $0] == expected[$0] }
        }
        guard matches, position + length == input.count || !isIdentifierByte(input[position + length]) else {
            throw unexpected(expected: "a value (string, number, object, array, true, false or null)")
        }
        position = start + length
    }

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): position += 1
            default: return
            }
        }
    }

    private mutating func skipDigits() {
        while let byte = peek, isDigit(byte) { position += 1 }
    }

    private var peek: UInt8? { position < input.count ? input[position] : nil }
    private var endSpan: SourceSpan { SourceSpan(offset: input.count, length: 0) }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_")
    }

    private func lastComma(before end: Int) -> Int {
        var index = end - 1
        while index > 0 && input[index] != UInt8(ascii: ",") { index -= 1 }
        return index
    }

    /// Where `key` was first written in this object, if it was. Ticket objects are
    /// small and a linear scan beats hashing; past `linearScanLimit` keys an index
    /// keeps a huge object linear.
    private func firstSpan(of key: String, in members: [JSONMember], index: inout [String: Int]) -> SourceSpan? {
        let linearScanLimit = 16
        if members.count < linearScanLimit {
            for member in members where member.key == key { return member.keySpan }
            return nil
        }
        if index.isEmpty {
            for (position, member) in members.enumerated() { index[member.key] = position }
        }
        if let position = index[key] { return members[position].keySpan }
        index[key] = members.count
        return nil
    }

    /// The span of the whole character at `offset`, so a caret covers a multi-byte one.
    private func characterSpan(at offset: Int) -> SourceSpan {
        SourceSpan(offset: offset, length: min(UTF8Validation.sequenceLength(lead: input[offset]), input.count - offset))
    }

    private func unexpected(expected: String) -> ManifestError {
        guard position < input.count else { return .unexpectedEnd(expected: expected, at: endSpan) }
        let span = characterSpan(at: position)
        return .unexpectedCharacter(found: Self.describeCharacter(in: input, at: span), expected: expected, at: span)
    }

    /// `'x'` for a printable character, `U+0007` for others, so messages never carry raw control bytes.
    static func describeCharacter(in input: UnsafeBufferPointer<UInt8>, at span: SourceSpan) -> String {
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[span.offset..<span.offset + span.length]), as: UTF8.self)
        guard let scalar = text.unicodeScalars.first else { return "end of input" }
        if scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F || !scalar.properties.isAlphabetic && scalar.value > 0x7E && scalar.properties.generalCategory == .format {
            return "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
        }
        return "'\(text)'"
    }
}
