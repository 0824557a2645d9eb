/// "Did you mean" for ids, setting names and options.
public enum SpellingSuggestion {
    /// The candidate closest to `word` by edit distance, if it is close enough to be
    /// a likely typo: at most a third of the word's length (at least 1, at most 3)
    /// edits, and fewer edits than either word has characters. Ties go to the earlier candidate, so suggestions are deterministic.
    public static func closest(to word: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(word.utf8)
        let limit = min(3, max(1, target.count / 3))
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let bytes = Array(candidate.utf8)
            if abs(bytes.count - target.count) > limit { continue }
            let bound = best.map { min(limit, $0.distance - 1) } ?? limit
            if bound < 0 { break }
            // Replacing every character of a short word is not a typo ('b' is not 'a').
            if let distance = editDistance(target, bytes, atMost: bound), distance < min(target.count, bytes.count) {
                best = (candidate, distance)
                if distance == 0 { break }
            }
        }
        return best?.name
    }

    /// Levenshtein distance (a swap of two neighbours counts as one edit), or nil
    /// when it exceeds `atMost`. Only cells within `atMost` of the diagonal can
    /// stay under the bound, so only that band is computed: length x bound work,
    /// not length squared, even for two long, nearly equal ids.
    static func editDistance(_ a: [UInt8], _ b: [UInt8], atMost bound: Int) -> Int? {
        if a == b { return 0 }
        if abs(a.count - b.count) > bound { return nil }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) <= bound ? max(a.count, b.count) : nil }
        let width = b.count + 1
        let outside = bound + 1
        var previousPrevious = [Int](repeating: outside, count: width)
        var previous = (0..<width).map { $0 <= bound ? $0 : outside }
        var current = [Int](repeating: outside, count: width)
        for i in 1...a.count {
            let low = max(1, i - bound)
            let high = min(b.count, i + bound)
            current[low - 1] = low - 1 == 0 && i <= bound ? i : outside
            var rowMinimum = current[low - 1]
            for j in low...max(low, high) where j <= high {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = min(value, outside)
                rowMinimum = min(rowMinimum, current[j])
            }
            if high < b.count { current[high + 1] = outside }
            if rowMinimum > bound { return nil }
            swap(&previousPrevious, &previous)
            swap(&previous, &current)
        }
        let distance = previous[b.count]
        return distance <= bound ? distance : nil
    }
}
