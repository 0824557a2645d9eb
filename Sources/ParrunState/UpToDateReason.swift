/// Why a fresh run runs a ticket instead of finding it up to date, as `-n`
/// says it (`input src/a.c changed`).
public enum UpToDateReason: Sendable, Equatable, CustomStringConvertible {
    /// It declares no `inputs` or `outputs`: it runs every time, as before.
    case noDeclaredFiles
    case noEarlierSuccess
    /// It succeeded in a run whose parrun recorded no file hashes (before this feature).
    case noRecordedHashes
    /// Its last attempt did not succeed (failed, timed-out, ...).
    case lastAttempt(String)
    case recipeChanged
    case dependencyReruns(String)
    /// A dependency succeeded since this ticket last did (its state differs from the one recorded).
    case dependencyChanged(String)
    case dependenciesChanged
    case inputChanged(String)
    case inputAdded(String)
    case inputRemoved(String)
    case inputMissing(String)
    case inputUnreadable(String, String)
    case outputsChanged
    case outputMissing(String)
    case outputChanged(String)
    case outputIsDirectory(String)
    case outputDanglingLink(String)
    case outputUnreadable(String, String)

    public var description: String {
        switch self {
        case .noDeclaredFiles: "declares no inputs or outputs"
        case .noEarlierSuccess: "no earlier success"
        case .noRecordedHashes: "no file hashes recorded (its last success predates them)"
        case .lastAttempt(let status): "last attempt \(status)"
        case .recipeChanged: "recipe changed"
        case .dependencyReruns(let id): "dependency \(id) reruns"
        case .dependencyChanged(let id): "dependency \(id) changed"
        case .dependenciesChanged: "dependencies changed"
        case .inputChanged(let path): "input \(path) changed"
        case .inputAdded(let path): "input \(path) added"
        case .inputRemoved(let path): "input \(path) removed"
        case .inputMissing(let path): "input \(path) missing"
        case .inputUnreadable(let path, let why): "input \(path) unreadable (\(why))"
        case .outputsChanged: "declared outputs changed"
        case .outputMissing(let path): "output \(path) missing"
        case .outputChanged(let path): "output \(path) changed"
        case .outputIsDirectory(let path): "output \(path) is a directory, not a file"
        case .outputDanglingLink(let path): "output \(path) is a symbolic link to nothing"
        case .outputUnreadable(let path, let why): "output \(path) unreadable (\(why))"
        }
    }
}
