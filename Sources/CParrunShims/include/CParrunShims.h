// GNU-only calls that Swift's Glibc module does not show (it is built without
// _GNU_SOURCE). Only plain prototypes here: defining _GNU_SOURCE in a header that
// Swift imports changes libc's own types (fd_set) and clashes with the Glibc
// module on a clean build, so the definitions live in shims.c, which is compiled
// with _GNU_SOURCE (docs/platform.md). Sources/ParrunPlatform is the only Swift code
// that calls them.
#ifndef CPARRUN_SHIMS_H
#define CPARRUN_SHIMS_H

#include <sys/types.h>

/// CPUs this process may run on (its affinity mask), or -1 when unknown.
int parrun_affinity_cpu_count(void);

/// pipe2 with O_CLOEXEC, so no pipe of parrun leaks into a child.
int parrun_pipe_cloexec(int fds[2]);

/// What `parrun_spawn` starts.
struct parrun_spawn_request {
    /// The program; NULL to look `argv[0]` up on parrun's PATH.
    const char *path;
    char *const *argv;
    char *const *envp;
    /// Standard input: this descriptor, or when it is -1, `input_path` opened for reading.
    int input_fd;
    const char *input_path;
    int output_fd;
    int error_fd;
    /// Where the program runs; NULL for parrun's own directory.
    const char *directory;
    /// Signals the program gets with their default action.
    const int *reset_signals;
    int reset_count;
};

/// Starts `request` in a process group of its own, with an empty signal mask
/// and no descriptor beyond 0, 1 and 2, the way posix_spawn would but with
/// fewer system calls (docs/platform.md). Returns the pid, or -errno when the
/// child could not be made or could not execute. With `exit_descriptor`, a
/// pidfd of the child is stored there (-1 where the kernel makes none).
pid_t parrun_spawn(const struct parrun_spawn_request *request, int *exit_descriptor);

/// Blocks `signals` for the whole process (call before any thread exists) and
/// returns a signalfd that reads them, close-on-exec and non-blocking.
int parrun_block_and_signalfd(const int *signals, int count);

/// The git commit this binary was built from, as `Scripts/release` passes it
/// (`-Xcc -DPARRUN_COMMIT="..."`); the empty string for a plain `swift build`.
const char *parrun_build_commit(void);

/// Reads one pending signal from a signalfd: its number, or 0 when none is
/// pending, or -1 on error.
int parrun_read_signal(int fd);

/// Whether `pid` has exited, without reaping it: the unreaped process keeps its
/// process group id from being reused, so its group can still be killed safely
/// (docs/platform.md).
/// Returns 1 if exited, 0 if still running, -1 on error.
int parrun_has_exited(pid_t pid);

/// A descriptor that becomes readable when `pid` exits (Linux 5.3+), close-on-exec;
/// -1 where the kernel has no pidfd_open.
int parrun_pidfd_open(pid_t pid);

/// Reaps `pid`; returns its raw wait status, or -1.
int parrun_reap(pid_t pid);

int parrun_exit_status(int status);

int parrun_term_signal(int status);

/// The width of the terminal on `fd`, or 0 when it is not a terminal.
int parrun_terminal_columns(int fd);

/// Open-file-description lock on one byte at `offset` of `fd`: `type` is 1 to
/// take an exclusive lock (without waiting), 0 to release it. Returns 0, or -1
/// with errno (EAGAIN/EACCES: another description holds it).
int parrun_ofd_lock(int fd, int type, long long offset);

/// 1 if another open file description holds a lock on the byte at `offset`,
/// 0 if not, -1 on error.
int parrun_ofd_is_locked(int fd, long long offset);

#endif
