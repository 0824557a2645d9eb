/// How large a manifest (or another tool's store) parrun reads: more is refused
/// before it is read whole, so `/dev/zero` or an endless pipe cannot exhaust memory.
enum ManifestSizeLimit {
    /// 64 MB: three times a 100,000-ticket manifest (21 MB).
    static let defaultBytes = 64 << 20

    private static let units: [(suffix: Character, shift: Int)] = [("K", 10), ("M", 20), ("G", 30)]

    /// `--max-manifest-size`: bytes, or a number with `K`, `M` or `G` (powers of
    /// 1024, an optional `B` after it, any case); nil for anything else or for 0.
    static func bytes(parsing text: String) -> Int? {
        var digits = Substring(text.uppercased())
        if digits.count > 1, digits.last == "B", let unit = digits.dropLast().last, units.contains(where: { $0.suffix == unit }) {
            digits = digits.dropLast()
        }
        var shift = 0
        if let last = digits.last, let unit = units.first(where: { $0.suffix == last }) {
            shift = unit.shift
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigitCharacter), let number = Int(digits), number > 0,
            number <= Int.max >> shift
        else { return nil }
        return number << shift
    }

    /// `64 MB`, `1 KB`, `1500 bytes`: the largest unit that says it exactly.
    static func describe(_ bytes: Int) -> String {
        for unit in units.reversed() where bytes >= 1 << unit.shift && bytes % (1 << unit.shift) == 0 {
            return "\(bytes >> unit.shift) \(unit.suffix)B"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}

extension Character {
    fileprivate var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
