extension SpellingSuggestion {
    /// Up to `limit` candidates close to `word`, closest first (ties in the
    /// candidates' order): the same closeness as `closest`, widened to the names
    /// that start with `word` or that `word` starts with (`bd-1` for `bd-12`).
    /// For "did you mean" over ids, where several near names are worth showing.
    public static func nearest(to word: String, among candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let target = Array(word.utf8)
        let bound = min(3, max(1, target.count / 3))
        var found: [(name: String, distance: Int, order: Int)] = []
        for (order, candidate) in candidates.enumerated() {
            let bytes = Array(candidate.utf8)
            if let distance = editDistance(target, bytes, atMost: bound), distance < min(target.count, bytes.count) {
                found.append((candidate, distance, order))
            } else if target.count >= 2 && (bytes.starts(with: target) || target.starts(with: bytes)) && !bytes.isEmpty {
                found.append((candidate, bound + 1, order))
            }
        }
        found.sort { ($0.distance, $0.order) < ($1.distance, $1.order) }
        return found.prefix(limit).map(\.name)
    }
}
