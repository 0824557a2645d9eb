import Foundation
@testable import ParrunModel
@testable import ParrunSupport

/// A small JSON Schema validator for the keywords docs/tickets.schema.json
/// uses; a keyword it does not know is itself an error, so the schema cannot
/// grow a rule this check silently skips. Values are parsed with parrun's own
/// parser, which keeps booleans and numbers apart.
struct JSONSchemaCheck {
    static let keywords: Set<String> = [
        "$schema", "title", "description", "$defs", "$ref", "type", "properties", "required", "additionalProperties",
        "items", "minItems", "anyOf", "enum", "const", "minimum", "exclusiveMinimum", "pattern", "propertyNames",
    ]

    let root: JSONValue

    static func parse(_ text: String) throws -> JSONValue {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            try JSONParser.parse(UnsafeBufferPointer(buffer))
        }
    }

    /// Every problem with `value`, as "PATH: what".
    func problems(_ value: JSONValue) -> [String] {
        var found: [String] = []
        check(value, against: root, path: "$", into: &found)
        return found
    }

    /// Keywords the schema uses that this validator does not implement.
    func unknownKeywords() -> [String] {
        var unknown: [String] = []
        func walk(_ schema: JSONValue, _ path: String) {
            guard case .object(let members) = schema.kind else { return }
            for member in members {
                if !Self.keywords.contains(member.key) { unknown.append(path + "/" + member.key) }
                switch member.key {
                case "properties", "$defs":
                    if case .object(let children) = member.value.kind { for child in children { walk(child.value, path + "/" + member.key + "/" + child.key) } }
                case "anyOf":
                    if case .array(let items) = member.value.kind { for (index, item) in items.enumerated() { walk(item, path + "/anyOf/\(index)") } }
                case "items", "additionalProperties", "propertyNames":
                    walk(member.value, path + "/" + member.key)
                default: break
                }
            }
        }
        walk(root, "#")
        return unknown
    }

    private func member(_ name: String, of schema: JSONValue) -> JSONValue? {
        guard case .object(let members) = schema.kind else { return nil }
        return members.first { $0.key == name }?.value
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node = root
        for part in reference.dropFirst(2).split(separator: "/") {
            guard let next = member(String(part), of: node) else { return nil }
            node = next
        }
        return node
    }

    private static func number(_ value: JSONValue) -> Double? {
        if case .number(let text) = value.kind { return Double(text) }
        return nil
    }

    private static func isType(_ value: JSONValue, _ type: String) -> Bool {
        switch (value.kind, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"): return true
        case (.number, "number"): return true
        case (.number(let text), "integer"): return Double(text).map { $0.rounded() == $0 } ?? false
        default: return false
        }
    }

    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a.kind, b.kind) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return Double(x) == Double(y)
        default: return false
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, path: String, into found: inout [String]) {
        if case .bool(let allowed) = schema.kind {
            if !allowed { found.append("\(path): not allowed") }
            return
        }
        guard case .object(let rules) = schema.kind else { return }
        for rule in rules {
            let spec = rule.value
            switch rule.key {
            case "$ref":
                if let target = spec.stringValue.flatMap(resolve) { check(value, against: target, path: path, into: &found) } else { found.append("\(path): unresolved $ref") }
            case "type":
                let types: [String]
                if case .array(let list) = spec.kind { types = list.compactMap(\.stringValue) } else { types = [spec.stringValue ?? ""] }
                if !types.contains(where: { Self.isType(value, $0) }) { found.append("\(path): \(value.typeDescription), expected \(types.joined(separator: " or "))") }
            case "properties":
                guard case .object(let members) = value.kind, case .object(let properties) = spec.kind else { break }
                for member in members {
                    if let property = properties.first(where: { $0.key == member.key }) {
                        check(member.value, against: property.value, path: path + "." + member.key, into: &found)
                    }
                }
            case "additionalProperties":
                guard case .object(let members) = value.kind else { break }
                var named: Set<String> = []
                if let properties = member("properties", of: schema), case .object(let list) = properties.kind { named = Set(list.map(\.key)) }
                for member in members where !named.contains(member.key) {
                    check(member.value, against: spec, path: path + "." + member.key, into: &found)
                }
            case "propertyNames":
                guard case .object(let members) = value.kind else { break }
                for member in members {
                    check(JSONValue(.string(member.key), at: member.keySpan), against: spec, path: path + "{" + member.key + "}", into: &found)
                }
            case "required":
                guard case .object(let members) = value.kind, case .array(let names) = spec.kind else { break }
                for name in names.compactMap(\.stringValue) where !members.contains(where: { $0.key == name }) {
                    found.append("\(path): missing \(name)")
                }
            case "items":
                guard case .array(let items) = value.kind else { break }
                for (index, item) in items.enumerated() { check(item, against: spec, path: path + "[\(index)]", into: &found) }
            case "minItems":
                if case .array(let items) = value.kind, let minimum = Self.number(spec), Double(items.count) < minimum { found.append("\(path): fewer than \(Int(minimum)) items") }
            case "anyOf":
                guard case .array(let options) = spec.kind else { break }
                let passes = options.contains { option in
                    var inner: [String] = []
                    check(value, against: option, path: path, into: &inner)
                    return inner.isEmpty
                }
                if !passes { found.append("\(path): matches none of anyOf") }
            case "enum":
                if case .array(let options) = spec.kind, !options.contains(where: { Self.equal($0, value) }) { found.append("\(path): not one of the enum") }
            case "const":
                if !Self.equal(spec, value) { found.append("\(path): not the const") }
            case "minimum":
                if let number = Self.number(value), let minimum = Self.number(spec), number < minimum { found.append("\(path): below \(minimum)") }
            case "exclusiveMinimum":
                if let number = Self.number(value), let minimum = Self.number(spec), number <= minimum { found.append("\(path): not above \(minimum)") }
            case "pattern":
                if let text = value.stringValue, let pattern = spec.stringValue {
                    let expression = try? NSRegularExpression(pattern: pattern)
                    let range = NSRange(text.startIndex..., in: text)
                    if expression?.firstMatch(in: text, range: range) == nil { found.append("\(path): '\(text)' does not match \(pattern)") }
                }
            default:
                break  // annotations ($schema, title, description, $defs)
            }
        }
    }
}
