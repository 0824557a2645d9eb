#if canImport(Glibc)
import Glibc
#endif

/// Changes another tool's file in place (write-back to a task file or a
/// ticket index) the way an editor saves: under an exclusive `flock` on the
/// file, its bytes read, edited, written to a temporary file beside it with
/// the same mode, synced, and renamed over it, so a reader sees the old file
/// or the new one, never half of one. Two parruns writing back to one store
/// take turns; the lock is taken on the file that is there after it was
/// taken (a rename by the other one replaces the file).
package enum StoreFile {
    /// How long another holder of the lock is waited for.
    package static let lockWait = 2.0

    /// Nil when the file was changed; else why not, in words.
    package static func update(_ path: String, _ edit: ([UInt8]) -> Result<[UInt8], Refusal>) -> String? {
        for _ in 0..<3 {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else { return SystemError(call: "open", path: path).description }
            defer { close(descriptor) }
            if let failure = lock(descriptor, path: path) { return failure }
            // Replaced while the lock was awaited: lock the file that is there now.
            guard let locked = FileSystem.identity(ofDescriptor: descriptor), FileSystem.identity(of: path) == locked else { continue }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { return SystemError(call: "fstat", path: path).description }
            // A file without write permission is refused even where the user could write it anyway (root).
            guard status.st_mode & 0o222 != 0, access(path, W_OK) == 0 || errno != EACCES && errno != EROFS else {
                return "\(path) is read-only"
            }
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(path) } catch { return error.description }
            switch edit(bytes) {
            case .failure(let refusal): return refusal.message
            case .success(let edited):
                if edited == bytes { return nil }
                return replace(path, with: edited, mode: status.st_mode & 0o7777)
            }
        }
        return "\(path) kept being replaced while parrun waited for it"
    }

    /// Why an edit was not made.
    package struct Refusal: Error {
        package let message: String
        package init(_ message: String) { self.message = message }
    }

    private static func lock(_ descriptor: Int32, path: String) -> String? {
        let deadline = Clock.monotonic() + lockWait
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { return SystemError(call: "flock", path: path).description }
            guard Clock.monotonic() < deadline else { return "\(path) stayed locked by another process for \(Int(lockWait)) s" }
            Clock.sleep(seconds: 0.02)
        }
        return nil
    }

    private static func replace(_ path: String, with bytes: [UInt8], mode: mode_t) -> String? {
        let temporary = path + ".parrun-\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return SystemError(call: "open", path: temporary).description }
        var written = fchmod(descriptor, mode) == 0
        written = written && bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        written = written && fsync(descriptor) == 0
        let failure = written ? nil : SystemError(call: "write", path: temporary).description
        close(descriptor)
        if let failure {
            unlink(temporary)
            return failure
        }
        guard rename(temporary, path) == 0 else {
            let error = SystemError(call: "rename", path: path).description
            unlink(temporary)
            return error
        }
        return nil
    }
}
