import ParrunSupport

/// How long a shell script may be. A script reaches its shell as one argument
/// (`/bin/sh -ec SCRIPT`), and Linux refuses to start a program with an argument
/// of MAX_ARG_STRLEN (32 pages: 131072 bytes) or more, its NUL included, failing
/// with "Argument list too long". Checked when the manifest is read, so such a
/// script is an error at its place, under --dry-run too, instead of a failure
/// of every attempt. Prompts are not limited: they go to claude on stdin.
enum ShellScriptLimit {
    /// The longest script, in UTF-8 bytes: MAX_ARG_STRLEN less the terminating NUL.
    static let maximumBytes = 131_072 - 1

    /// Reports `script` (the value of `field`) when it is too long to be passed.
    static func check(_ script: String, field: String, ticket: String?, at span: SourceSpan, diagnostics: inout DiagnosticList) {
        let bytes = script.utf8.count
        guard bytes > maximumBytes else { return }
        diagnostics.add(ManifestError.scriptTooLong(field: field, ticket: ticket, bytes: bytes, at: span))
    }
}
