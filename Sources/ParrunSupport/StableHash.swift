/// FNV-1a, 64 bits: a hash that is the same in every process and release (Swift's
/// `Hasher` is seeded per process). Used to notice that a manifest or a recipe
/// changed between runs, and to place claims; not for security.
public enum StableHash {
    static let basis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3

    public static func value(_ parts: [String]) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(parts)
        return hasher.value
    }

    public static func hex(_ parts: [String]) -> String {
        var hasher = StableHasher()
        hasher.combine(parts)
        return hasher.hex
    }

    public static func hex(bytes: [UInt8]) -> String {
        var hasher = StableHasher()
        bytes.withUnsafeBufferPointer { hasher.add($0) }
        return hasher.hex
    }
}

/// `StableHash` of parts given one at a time, for callers that would
/// otherwise build an array only to hash it (a recipe's, at every start).
public struct StableHasher {
    public private(set) var value = StableHash.basis

    public init() {}

    /// Adds `part` and the separator after it: a byte no UTF-8 text contains,
    /// so ["ab", "c"] differs from ["a", "bc"].
    public mutating func combine(_ part: String) {
        // The bytes in place: walking `utf8` one byte at a time cost ~40 instructions a byte.
        withUTF8Bytes(of: part) { add($0) }
        value ^= 0xFF
        value = value &* StableHash.prime
    }

    public mutating func combine(_ parts: [String]) {
        for part in parts { combine(part) }
    }

    mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = value
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* StableHash.prime
        }
        value = hash
    }

    /// The value as 16 lowercase hex digits, written in place: `String(_:radix:)`
    /// and padding cost 1,400 instructions for each of a run's tickets.
    public var hex: String {
        let value = value
        return String(unsafeUninitializedCapacity: 16) { digits in
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * index)) & 0xF
                digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 16
        }
    }
}
