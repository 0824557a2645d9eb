/// Reading fields out of parsed JSON objects that parrun does not own (the
/// claude CLI's events): every accessor is lenient and returns nil on a
/// missing or differently typed value.
extension JSONValue {
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.last { $0.key == key }?.value
    }

    package var doubleValue: Double? {
        guard case .number(let text) = kind else { return nil }
        return Double(text)
    }

    package var boolValue: Bool? {
        guard case .bool(let flag) = kind else { return nil }
        return flag
    }

    package var arrayValue: [JSONValue]? {
        guard case .array(let items) = kind else { return nil }
        return items
    }
}
