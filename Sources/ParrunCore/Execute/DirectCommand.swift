import ParrunSupport
import ParrunModel
/// make's fast path: a recipe that is one simple command of plain words (no
/// quotes, variables, globs, redirections or operators) runs without a shell,
/// which halves the cost of starting it. Only with the default shell, where the
/// result is the same as `/bin/sh -ec WORDS`.
enum DirectCommand {
    /// The words to execute directly, or nil when the script needs a shell.
    static func words(of script: String, shell: [String]) -> [String]? {
        guard shell == RunOptions.defaultShell else { return nil }
        var words: [String] = []
        var current = ""
        for scalar in script.unicodeScalars {
            if scalar == " " || scalar == "\t" {
                if !current.isEmpty { words.append(current) }
                current = ""
            } else if isPlain(scalar) {
                current.unicodeScalars.append(scalar)
            } else {
                return nil
            }
        }
        if !current.isEmpty { words.append(current) }
        guard let command = words.first, !command.contains("="), !shellOnly.contains(command) else { return nil }
        return words
    }

    /// Characters that mean the same to the shell as they are written.
    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", ",", "+", "@", "%", "^", "=": true
        default: false
        }
    }

    /// Builtins and keywords that act on the shell itself, or whose program of
    /// the same name behaves differently (`pwd` is logical in the shell).
    private static let shellOnly: Set<String> = [
        ".", ":", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set",
        "shift", "times", "trap", "unset", "cd", "alias", "bg", "command", "fc", "fg", "getopts",
        "hash", "jobs", "read", "type", "ulimit", "umask", "unalias", "wait", "local", "pwd",
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    ]
}
