/// Writing JSON by hand for parrun's own outputs (graph, events): faster than
/// `JSONEncoder` and with a key order that stays as documented.
package enum JSONText {
    package static func quoted(_ text: String) -> String {
        // Most text (ids, hashes, statuses) needs no escape: copy it whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) {
            return "\"" + text + "\""
        }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }

    package static func quotedOrNull(_ text: String?) -> String {
        text.map(quoted) ?? "null"
    }

    package static func array(_ items: [String]) -> String {
        "[" + items.joined(separator: ",") + "]"
    }

    package static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
