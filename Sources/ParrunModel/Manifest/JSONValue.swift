import ParrunSupport

/// A JSON value together with where it stands in the manifest, so that every
/// later check (a bad timeout, an unknown dependency) can point at it.
/// The text format builds the same values, which lets both formats share one
/// ticket decoder.
public struct JSONValue: Sendable {
    public enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's text as written; converted where its meaning is known.
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    public var kind: Kind
    /// The whole token for scalars; the opening bracket for arrays and objects.
    public var span: SourceSpan

    public init(_ kind: Kind, at span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// How the value is described in messages: "a string", "an array", ...
    public var typeDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "true/false"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let text) = kind { return text }
        return nil
    }

    /// Strings, numbers and booleans as text, for values such as environment
    /// variables where `"PORT": 8080` plainly means "8080".
    public var scalarText: String? {
        switch kind {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null, .array, .object: nil
        }
    }

    /// An integer written as a JSON number (`3`, `3.0`, `3e0`) or, as the text
    /// format writes every value, as a string of digits (`"3"`).
    public var integerValue: Int? {
        switch kind {
        case .number(let text), .string(let text):
            let trimmed = text.trimmingSpaces
            if let value = Int(trimmed) { return value }
            guard case .number = kind, let double = Double(trimmed), double.rounded() == double,
                abs(double) < 9.0e15
            else { return nil }
            return Int(double)
        case .null, .bool, .array, .object:
            return nil
        }
    }
}

/// One `"key": value` pair of an object, in source order.
public struct JSONMember: Sendable {
    public var key: String
    public var keySpan: SourceSpan
    public var value: JSONValue

    public init(key: String, keySpan: SourceSpan, value: JSONValue) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (Foundation-free).
    package var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}
