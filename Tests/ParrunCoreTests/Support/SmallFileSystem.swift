import Foundation
import Glibc
import Testing

/// A real, small file system for fault tests: a tmpfs mounted at a path
/// (root, or a user allowed to mount), which a filler file makes full.
final class SmallFileSystem {
    let path: String
    private var mounted = true
    private var filler: String { path + "/.filler" }

    /// Whether this machine lets the tests mount one (CI runs them as root).
    static let canMount: Bool = {
        let probe = NSTemporaryDirectory() + "parrun-tmpfs-probe-\(getpid())"
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard mount("tmpfs", probe, "tmpfs", 0, "size=64k") == 0 else { return false }
        umount(probe)
        return true
    }()
    static let whyNot: Comment = "mounting a small tmpfs needs root (.ci/run runs the tests as root); FileSizeLimitRunTests covers the fault without it"

    init(at path: String, bytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(bytes)") == 0 else {
            throw NSError(domain: "mount", code: Int(errno))
        }
    }

    /// Fills it up but for about `bytes`.
    func fill(leaving bytes: Int) throws {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { throw NSError(domain: "statvfs", code: Int(errno)) }
        let free = Int(stats.f_bavail) * Int(stats.f_bsize)
        try Data(count: max(0, free - bytes)).write(to: URL(fileURLWithPath: filler))
    }

    func emptyFiller() {
        try? FileManager.default.removeItem(atPath: filler)
    }

    func unmount() {
        guard mounted else { return }
        mounted = false
        umount2(path, Int32(MNT_DETACH))
    }

    deinit { unmount() }
}
