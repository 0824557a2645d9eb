import CParrunShims

/// What the binary knows of its own build.
public enum BuildInfo {
    /// The git commit `Scripts/release` built it from; nil for a plain `swift build`.
    public static var commit: String? {
        let text = String(cString: parrun_build_commit())
        return text.isEmpty ? nil : text
    }
}
