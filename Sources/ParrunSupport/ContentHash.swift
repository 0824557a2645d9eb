/// XXH64 (Yann Collet's xxHash, 64 bits, seed 0): a hash of a file's content
/// fast enough that checking 10,000 inputs costs less than reading them.
/// Stable across processes and releases; not for security (an attacker who can
/// write the inputs can run the recipe anyway).
public struct ContentHash: Sendable {
    static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The four lanes of 32-byte stripes seen so far.
    private var lanes: (UInt64, UInt64, UInt64, UInt64) = (prime1 &+ prime2, prime2, 0, 0 &- prime1)
    /// Bytes not yet a whole stripe (fewer than 32).
    private var pending: [UInt8] = []
    private var total: UInt64 = 0

    public init() { pending.reserveCapacity(32) }

    /// The hash of `bytes`, as 16 hex digits.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        var hash = ContentHash()
        hash.add(bytes)
        return hash.hex
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }

    /// Feeds the next bytes; a file may be fed in chunks of any size.
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        total &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripe(UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 32 {
            stripe(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 32]))
            offset += 32
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    private mutating func stripe(_ bytes: UnsafeRawBufferPointer) {
        lanes.0 = Self.round(lanes.0, bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian)
        lanes.1 = Self.round(lanes.1, bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
        lanes.2 = Self.round(lanes.2, bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian)
        lanes.3 = Self.round(lanes.3, bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self).littleEndian)
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotate(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func merge(_ accumulator: UInt64, _ lane: UInt64) -> UInt64 {
        (accumulator ^ round(0, lane)) &* prime1 &+ prime4
    }

    @inline(__always)
    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 {
        (value << bits) | (value >> (64 - bits))
    }

    public var value: UInt64 {
        var hash: UInt64
        if total >= 32 {
            hash = Self.rotate(lanes.0, 1) &+ Self.rotate(lanes.1, 7) &+ Self.rotate(lanes.2, 12) &+ Self.rotate(lanes.3, 18)
            hash = Self.merge(hash, lanes.0)
            hash = Self.merge(hash, lanes.1)
            hash = Self.merge(hash, lanes.2)
            hash = Self.merge(hash, lanes.3)
        } else {
            hash = Self.prime5
        }
        hash &+= total
        pending.withUnsafeBytes { rest in
            var offset = 0
            while rest.count - offset >= 8 {
                hash ^= Self.round(0, rest.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian)
                hash = Self.rotate(hash, 27) &* Self.prime1 &+ Self.prime4
                offset += 8
            }
            if rest.count - offset >= 4 {
                hash ^= UInt64(rest.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian) &* Self.prime1
                hash = Self.rotate(hash, 23) &* Self.prime2 &+ Self.prime3
                offset += 4
            }
            while offset < rest.count {
                hash ^= UInt64(rest[offset]) &* Self.prime5
                hash = Self.rotate(hash, 11) &* Self.prime1
                offset += 1
            }
        }
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }

    public var hex: String { String(value, radix: 16).leftPadded(to: 16) }
}
