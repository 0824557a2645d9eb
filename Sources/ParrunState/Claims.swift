import ParrunPlatform
import ParrunSupport

/// Claims on tickets, so that parrun processes working on one run never run
/// the same ticket at once. A claim is a lock on one byte of `.parrun/claims`,
/// at an offset derived from the manifest and the ticket's id (two manifests
/// sharing a state directory may both have a ticket `build`), held from before the ticket's
/// start record until its final end record (across retries). Locks cost one
/// system call each, create no files, and vanish with their process, so a
/// claim cannot outlive its holder; who held a ticket last is in the journal.
/// The file (like `lock`) is opened without following a symbolic link: a
/// link planted there stops the run instead of creating the file it names.
public final class Claims {
    public static let fileName = "claims"
    private let file: ByteLockFile
    /// The manifest's identity (its absolute path), as the journal's run records name it.
    private let manifest: String

    public init(stateDirectory: String, manifest: String) throws(SystemError) {
        file = try ByteLockFile(path: stateDirectory + "/" + Self.fileName)
        self.manifest = manifest
    }

    /// The byte that stands for ticket `id` of `manifest`: a 62-bit hash, so
    /// two tickets share a byte with odds of about n^2 / 2^63.
    static func offset(of id: String, manifest: String) -> Int64 {
        Int64(bitPattern: StableHash.value([manifest, id]) & 0x3FFF_FFFF_FFFF_FFFF)
    }

    /// True if the claim is now this process's (or already was).
    public func claim(_ id: String) -> Bool {
        file.lock(Self.offset(of: id, manifest: manifest))
    }

    public func release(_ id: String) {
        file.unlock(Self.offset(of: id, manifest: manifest))
    }

    /// Whether another process holds the claim on `id`.
    public func isHeldElsewhere(_ id: String) -> Bool {
        file.isLockedElsewhere(Self.offset(of: id, manifest: manifest))
    }
}

/// Held while a parrun reads the journal, decides what to run and records its
/// run (and while `clean` removes the state), so that two parruns started
/// together agree on one run: the second sees the first's run and joins it.
public enum StateLock {
    public static func acquire(stateDirectory: String) throws(SystemError) -> WholeFileLock {
        try WholeFileLock(path: stateDirectory + "/lock")
    }
}
