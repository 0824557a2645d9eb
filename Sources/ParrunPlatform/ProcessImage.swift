#if canImport(Glibc)
import Glibc
#endif

/// Becoming another program (`execvp`): for commands that hand the terminal
/// over whole, such as `parrun diff` running `git diff`, whose pager must see
/// parrun's own terminal, process group and environment.
public enum ProcessImage {
    /// Replaces parrun with `arguments` (the first looked up on PATH). Returns
    /// only when that failed, with why.
    public static func replace(with arguments: [String]) -> SystemError {
        guard let program = arguments.first else { return SystemError(call: "execvp", code: EINVAL) }
        // Ignored or blocked signals survive exec: the program gets the defaults a shell would give it.
        signal(SIGPIPE, SIG_DFL)
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        var pointers = arguments.map { strdup($0) }
        pointers.append(nil)
        execvp(program, pointers)
        let failure = SystemError(call: "execvp", path: program)
        for pointer in pointers { free(pointer) }
        return failure
    }
}
