extension String {
    /// The text without any of `characters` at either end (quotes around a
    /// value, punctuation after a word), without Foundation's CharacterSet.
    package func trimming(_ characters: String) -> String {
        var text = Substring(self)
        while let first = text.first, characters.contains(first) { text = text.dropFirst() }
        while let last = text.last, characters.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
