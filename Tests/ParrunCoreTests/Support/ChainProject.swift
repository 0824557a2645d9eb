import Foundation

/// A chain of tickets t0 <- t1 <- ... in `directory/work/Parrunfile`: each
/// waits for the one before, so each start needs its dependency's end record
/// on disk. Each recipe appends its id to `directory/ran.txt` (then `extra`).
enum ChainProject {
    /// The work directory holding the Parrunfile.
    static func make(in directory: URL, count: Int, extra: String = "") throws -> URL {
        var manifest = ""
        for index in 0..<count {
            manifest += "t\(index):" + (index > 0 ? " t\(index - 1)" : "") + "\n    echo t\(index) >> ../ran.txt\(extra)\n"
        }
        let work = directory.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Data(manifest.utf8).write(to: work.appendingPathComponent("Parrunfile"))
        return work
    }
}
