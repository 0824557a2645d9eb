/// Splits a command setting (`shell = /bin/bash -euo pipefail -c`) into argv the
/// way a POSIX shell splits words: blanks separate, single and double quotes
/// group, a backslash escapes the next character. No expansion happens.
public enum ShellWords {
    public enum Problem: Error, Equatable {
        case unterminatedQuote
        case empty

        var reason: String {
            switch self {
            case .unterminatedQuote: "has a quote that is not closed"
            case .empty: "is empty"
            }
        }
    }

    public static func split(_ text: String) -> Result<[String], Problem> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case " ", "\t", "\n":
                if inWord {
                    words.append(current)
                    current = ""
                    inWord = false
                }
            case "'", "\"":
                quote = character
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            default:
                current.append(character)
                inWord = true
            }
        }
        if quote != nil || escaped { return .failure(.unterminatedQuote) }
        if inWord { words.append(current) }
        return words.isEmpty ? .failure(.empty) : .success(words)
    }
}
