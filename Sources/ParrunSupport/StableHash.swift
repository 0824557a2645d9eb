/// FNV-1a, 64 bits: a hash that is the same in every process and release (Swift's
/// `Hasher` is seeded per process). Used to notice that a manifest or a recipe
/// changed between runs, and to place claims; not for security.
public enum StableHash {
    static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    public static func value(_ parts: [String]) -> UInt64 {
        var hash = basis
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* prime
            }
            // A separator byte no UTF-8 text contains, so ["ab", "c"] differs from ["a", "bc"].
            hash ^= 0xFF
            hash = hash &* prime
        }
        return hash
    }

    public static func hex(_ parts: [String]) -> String {
        String(value(parts), radix: 16).leftPadded(to: 16)
    }

    public static func hex(bytes: [UInt8]) -> String {
        var hash = basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* prime
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}
