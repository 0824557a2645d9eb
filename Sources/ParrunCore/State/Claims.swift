#if canImport(Glibc)
import Glibc
#endif

/// Claims on tickets, so that two parrun processes working on one run never run
/// the same ticket at once. A claim is an exclusive `flock` on
/// `.parrun/claims/ID`, held while the ticket runs: the kernel drops it when its
/// process dies, so a claim can never outlive its holder. While held, the file
/// says who holds it; a file that still says so when the lock is free was left
/// by a parrun that died, and is taken over with a message.
public struct Claims: Sendable {
    public let directory: String

    public init(stateDirectory: String) throws(SystemError) {
        directory = stateDirectory + "/claims"
        try FileSystem.createDirectories(directory)
    }

    /// Who holds, or last held, a claim.
    public struct Holder: Sendable, Equatable {
        public var owner: ProcessIdentity
        public var run: String
    }

    public enum Outcome {
        /// Ours until `release`; `stale` names a dead holder that never released it.
        case claimed(Claim, stale: Holder?)
        /// A live process holds it.
        case held(by: Holder?)
    }

    public func claim(_ id: String, as holder: Holder) -> Outcome {
        let path = directory + "/" + id
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        // Without a claim file nothing can be coordinated; run the ticket rather than stall.
        guard descriptor >= 0 else { return .claimed(Claim(descriptor: -1), stale: nil) }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let current = Self.read(descriptor)
            close(descriptor)
            return .held(by: current)
        }
        let stale = Self.read(descriptor)
        let text = "{\"run\":\(JSONText.quoted(holder.run)),\"owner\":\(holder.owner.json)}\n"
        _ = ftruncate(descriptor, 0)
        _ = text.utf8.withContiguousStorageIfAvailable { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return .claimed(Claim(descriptor: descriptor), stale: stale)
    }

    /// Whether a live process holds the claim on `id` now.
    public func isHeld(_ id: String) -> Bool {
        let descriptor = open(directory + "/" + id, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        // Closing the descriptor drops the probe's own lock again.
        return flock(descriptor, LOCK_EX | LOCK_NB) != 0
    }

    private static func read(_ descriptor: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let bytes = Array(buffer[0..<count])
        guard let value = try? bytes.withUnsafeBufferPointer({ buffer throws(ManifestError) in try JSONParser.parse(buffer) }),
            case .object(let members) = value.kind,
            let run = members.first(where: { $0.key == "run" })?.value.stringValue,
            let owner = members.first(where: { $0.key == "owner" })?.value
        else { return nil }
        guard case .object(let fields) = owner.kind,
            let pid = fields.first(where: { $0.key == "pid" })?.value.integerValue,
            let start = fields.first(where: { $0.key == "start" })?.value.integerValue,
            let host = fields.first(where: { $0.key == "host" })?.value.stringValue
        else { return nil }
        return Holder(owner: ProcessIdentity(pid: Int32(truncatingIfNeeded: pid), startTicks: UInt64(max(0, start)), host: host), run: run)
    }
}

/// A held claim. Releasing empties the file first, so the next holder can tell
/// a clean release from a holder that died.
public struct Claim: Sendable {
    fileprivate let descriptor: Int32

    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}

/// Held while a parrun reads the journal, decides what to run and records its
/// run, so that two parruns started together agree on one run: the second sees
/// the first's run and joins it.
public final class StateLock {
    private var descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    public static func acquire(stateDirectory: String) throws(SystemError) -> StateLock {
        let path = stateDirectory + "/lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SystemError(call: "open", path: path) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let error = SystemError(call: "flock", path: path)
                close(descriptor)
                throw error
            }
        }
        return StateLock(descriptor: descriptor)
    }

    /// Idempotent: the descriptor is closed once.
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
