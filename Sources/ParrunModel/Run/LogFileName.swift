import ParrunSupport

/// The file name parrun gives a ticket's files in the state directory
/// (`logs/ID.log`, `logs/ID.events.jsonl`, `prompts/ID.txt`, `slurm/ID.job`).
/// An id is any text, but a file name is at most 255 bytes and must not hold
/// `/` or be `.` or `..`, so:
/// - a short id of safe characters (`[A-Za-z0-9._-]`, not starting or
///   ending with `.`, no `..`) keeps its own name, `ID.log`, as parrun always named it;
/// - any other id gets a readable prefix (unsafe characters as `_`, at most
///   `prefixLimit` bytes), `~`, and 16 hex digits of a stable hash of the
///   whole id (FNV-1a 64, the same in every process and on every platform).
/// So no name holds `/`, a control character or `..`, or starts with `.`.
/// `~` is not a safe character, so a hashed name never equals a plain one;
/// distinct ids get distinct hashed names unless their 64-bit hashes collide.
public enum LogFileName {
    /// The longest id that keeps its own name: with the longest suffix
    /// (`.events.jsonl`, 13 bytes) the name stays within 255 bytes.
    public static let plainLimit = 200
    /// The longest readable prefix of a hashed name.
    public static let prefixLimit = 100
    /// Between a hashed name's prefix and its hash; never in a plain name.
    public static let hashMark: Character = "~"

    public static let logSuffix = ".log"
    public static let eventsSuffix = ".events.jsonl"
    public static let promptSuffix = ".txt"
    public static let slurmJobSuffix = ".job"
    /// Every suffix parrun gives a ticket's files, longest first, so `.events.jsonl`
    /// is matched before a shorter one could be.
    public static let suffixes = [eventsSuffix, logSuffix, promptSuffix, slurmJobSuffix]

    /// The file name (no directory) for ticket `id` with `suffix`, e.g. `build.log`.
    public static func name(_ id: String, suffix: String = logSuffix) -> String {
        stem(id) + suffix
    }

    /// The name without its suffix: the id itself when it is safe, else prefix~hash.
    public static func stem(_ id: String) -> String {
        if isPlain(id) { return id }
        var prefix = ""
        var last: UInt8 = UInt8(ascii: ".")  // so a leading `.` becomes `_` too
        for byte in id.utf8 {
            guard prefix.utf8.count < prefixLimit else { break }
            // Each unsafe byte (of a multi-byte character too) becomes `_`, and so
            // does a `.` after a `.`: the prefix is for reading, the hash tells ids apart.
            let kept = isSafe(byte) && !(byte == UInt8(ascii: ".") && last == UInt8(ascii: "."))
            last = kept ? byte : UInt8(ascii: "_")
            prefix.append(Character(Unicode.Scalar(last)))
        }
        return prefix + String(hashMark) + StableHash.hex([id])
    }

    /// Whether `id` keeps its own name.
    public static func isPlain(_ id: String) -> Bool {
        // Over the contiguous bytes: asked for every ticket's start, and the
        // generic walk over `utf8` took a few thousand instructions a time.
        var id = id
        return id.withUTF8 { bytes in
            let dot = UInt8(ascii: ".")
            guard let first = bytes.first, let end = bytes.last, first != dot, end != dot, bytes.count <= plainLimit else { return false }
            var previous: UInt8 = 0
            for byte in bytes {
                guard isSafe(byte), !(byte == dot && previous == dot) else { return false }
                previous = byte
            }
            return true
        }
    }

    /// Whether `name` has the shape of a file parrun names after a ticket
    /// (a plain or hashed stem and one of `suffixes`); `clean` removes only these.
    public static func isTicketFileName(_ name: String) -> Bool {
        guard let suffix = suffixes.first(where: { name.hasSuffix($0) }) else { return false }
        let stem = String(name.dropLast(suffix.count))
        if isPlain(stem) { return true }
        guard let mark = stem.lastIndex(of: hashMark) else { return false }
        let prefix = stem[..<mark]
        let hash = stem[stem.index(after: mark)...]
        return prefix.utf8.count <= prefixLimit && prefix.utf8.allSatisfy(isSafe) && !prefix.hasPrefix(".")
            && hash.utf8.count == 16 && hash.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func isSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
