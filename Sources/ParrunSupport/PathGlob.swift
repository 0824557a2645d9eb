/// Glob patterns of paths, as tickets' `touches` write them: `*` and `?`
/// within one path segment, `**` for any number of segments, `[...]` for one
/// character of a set; a trailing `/` means everything below. Pure text, no
/// file system.
public enum PathGlob {
    /// Whether `path` matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        match(segments(pattern), 0, segments(path), 0)
    }

    /// Whether some path could match both patterns (conservative: when unsure, true).
    public static func mayOverlap(_ first: String, _ second: String) -> Bool {
        var memo: [Int: Bool] = [:]
        return overlap(segments(first), 0, segments(second), 0, &memo)
    }

    static func segments(_ pattern: String) -> [Substring] {
        var parts = pattern.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if pattern.hasSuffix("/") || parts.isEmpty { parts.append("**") }
        return parts
    }

    private static func match(_ pattern: [Substring], _ i: Int, _ path: [Substring], _ j: Int) -> Bool {
        if i == pattern.count { return j == path.count }
        if pattern[i] == "**" {
            // Zero or more segments; the loop is bounded by the path's length.
            return (j...path.count).contains { match(pattern, i + 1, path, $0) }
        }
        guard j < path.count, segmentMatches(Array(pattern[i].utf8), Array(path[j].utf8)) else { return false }
        return match(pattern, i + 1, path, j + 1)
    }

    private static func overlap(_ a: [Substring], _ i: Int, _ b: [Substring], _ j: Int, _ memo: inout [Int: Bool]) -> Bool {
        let key = i * (b.count + 1) + j
        if let known = memo[key] { return known }
        let result: Bool
        if i == a.count && j == b.count {
            result = true
        } else if i < a.count && a[i] == "**" {
            result = overlap(a, i + 1, b, j, &memo) || (j < b.count && overlap(a, i, b, j + 1, &memo))
        } else if j < b.count && b[j] == "**" {
            result = overlap(a, i, b, j + 1, &memo) || (i < a.count && overlap(a, i + 1, b, j, &memo))
        } else if i == a.count || j == b.count {
            result = false
        } else {
            result = segmentsOverlap(a[i], b[j]) && overlap(a, i + 1, b, j + 1, &memo)
        }
        memo[key] = result
        return result
    }

    private static func hasWildcard(_ segment: Substring) -> Bool {
        segment.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// Two segments some name matches both: exact when one is literal; else
    /// their literal beginnings and endings must agree.
    private static func segmentsOverlap(_ x: Substring, _ y: Substring) -> Bool {
        if !hasWildcard(x) { return segmentMatches(Array(y.utf8), Array(x.utf8)) }
        if !hasWildcard(y) { return segmentMatches(Array(x.utf8), Array(y.utf8)) }
        let isWild: (Character) -> Bool = { $0 == "*" || $0 == "?" || $0 == "[" }
        let xHead = x.prefix { !isWild($0) }, yHead = y.prefix { !isWild($0) }
        let xTail = String(x.reversed().prefix { !isWild($0) && $0 != "]" }), yTail = String(y.reversed().prefix { !isWild($0) && $0 != "]" })
        return (xHead.hasPrefix(yHead) || yHead.hasPrefix(xHead)) && (xTail.hasPrefix(yTail) || yTail.hasPrefix(xTail))
    }

    /// fnmatch for one segment: `*`, `?`, `[set]` (with `!` or `^` to negate, and ranges).
    static func segmentMatches(_ pattern: [UInt8], _ name: [UInt8]) -> Bool {
        var p = 0, n = 0
        var star = -1, resume = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = n
                p += 1
                continue
            }
            if p < pattern.count, let next = single(pattern, p, name[n]) {
                p = next
                n += 1
                continue
            }
            guard star >= 0 else { return false }
            p = star + 1
            resume += 1
            n = resume
        }
        while p < pattern.count && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }

    /// Where the pattern continues if its element at `p` matches `byte`; nil if not.
    private static func single(_ pattern: [UInt8], _ p: Int, _ byte: UInt8) -> Int? {
        switch pattern[p] {
        case UInt8(ascii: "?"):
            return p + 1
        case UInt8(ascii: "["):
            var i = p + 1
            let negate = i < pattern.count && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^"))
            if negate { i += 1 }
            var matched = false
            var first = true
            while i < pattern.count && (first || pattern[i] != UInt8(ascii: "]")) {
                first = false
                if i + 2 < pattern.count && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                    if pattern[i] <= byte && byte <= pattern[i + 2] { matched = true }
                    i += 3
                } else {
                    if pattern[i] == byte { matched = true }
                    i += 1
                }
            }
            // An unclosed `[` is a literal `[`.
            guard i < pattern.count else { return byte == UInt8(ascii: "[") ? p + 1 : nil }
            return matched != negate ? i + 1 : nil
        default:
            return pattern[p] == byte ? p + 1 : nil
        }
    }
}
