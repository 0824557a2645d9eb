import ParrunSupport

/// Reads the `prices` setting: per model, what its tokens cost in US dollars
/// per million (`{"claude-opus-5": {"input": 5, "output": 25}}`), overriding
/// parrun's list prices (`ModelPrices`) for estimated costs.
enum PricesDecoder {
    /// The members of one model's price. `input` and `output` are needed;
    /// cache reads default to a tenth of input, cache writes to 1.25 times it.
    enum Key: String, CaseIterable {
        case input, output, cacheRead, cacheWrite
    }

    static func decode(_ member: JSONMember, diagnostics: inout DiagnosticList) -> [String: TokenPrice] {
        guard case .object(let models) = member.value.kind else {
            diagnostics.add(ManifestError.wrongType(field: "prices", ticket: nil, expected: "an object of model name: {\"input\": USD, \"output\": USD}", found: member.value.typeDescription, at: member.value.span))
            return [:]
        }
        var prices: [String: TokenPrice] = [:]
        for model in models {
            if let price = price(model, diagnostics: &diagnostics) { prices[model.key] = price }
        }
        return prices
    }

    private static func price(_ model: JSONMember, diagnostics: inout DiagnosticList) -> TokenPrice? {
        let field = "prices \(model.key)"
        let members: [JSONMember]
        switch model.value.kind {
        case .object(let given): members = given
        case .string(let text): members = textMembers(text, at: model.value.span)
        default:
            diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "an object of input, output, cacheRead, cacheWrite: USD per million tokens", found: model.value.typeDescription, at: model.value.span))
            return nil
        }
        var given: [Key: Double] = [:]
        var valid = true
        for member in members {
            guard let key = Key(rawValue: member.key) else {
                let suggestion = SpellingSuggestion.closest(to: member.key, among: Key.allCases.map(\.rawValue))
                diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "one of input, output, cacheRead, cacheWrite" + (suggestion.map { " (did you mean `\($0)`?)" } ?? ""), found: "`\(member.key.truncatedForMessage)`", at: member.keySpan))
                valid = false
                continue
            }
            // The text format gives numbers as text.
            guard let dollars = member.value.scalarText.flatMap(Double.init), dollars.isFinite, dollars >= 0 else {
                diagnostics.add(ManifestError.wrongType(field: "\(field) \(member.key)", ticket: nil, expected: "US dollars per million tokens, 0 or more", found: member.value.scalarText.map { "'\($0.truncatedForMessage)'" } ?? member.value.typeDescription, at: member.value.span))
                valid = false
                continue
            }
            given[key] = dollars
        }
        guard valid else { return nil }
        guard let input = given[.input], let output = given[.output] else {
            diagnostics.add(ManifestError.wrongType(field: field, ticket: nil, expected: "both input and output prices", found: "only " + (given.keys.map(\.rawValue).sorted().joined(separator: ", ").nonEmpty ?? "none"), at: model.value.span))
            return nil
        }
        return TokenPrice(input: input, output: output, cacheRead: given[.cacheRead] ?? input / 10, cacheWrite: given[.cacheWrite] ?? input * 1.25)
    }
}

extension PricesDecoder {
    /// The text format's `price MODEL = input 5, output 25`: comma-separated
    /// `KEY USD` pairs, read as the members of the JSON object.
    private static func textMembers(_ text: String, at span: SourceSpan) -> [JSONMember] {
        text.split(separator: ",").map { part in
            let words = part.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            let value = words.count == 2 ? JSONValue(.number(words[1]), at: span) : JSONValue(.string(words.dropFirst().joined(separator: " ")), at: span)
            return JSONMember(key: words.first ?? "", keySpan: span, value: value)
        }
    }
}

private extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
