// Definitions of the shims; _GNU_SOURCE must come before any libc header.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "CParrunShims.h"

/// CPUs this process may run on (its affinity mask), or -1 when unknown.
int parrun_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    return CPU_COUNT(&set);
}

/// pipe2 with O_CLOEXEC, so no pipe of parrun leaks into a child.
int parrun_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

// MARK: - Spawning (docs/platform.md, "Starting processes")

/// Signals that had a handler when parrun first spawned: the child puts them
/// back to default before it unblocks signals, so no handler of parrun's can run
/// in the child, which shares parrun's memory until it executes. Taken once:
/// glibc's posix_spawn asks about every signal in every child (116
/// rt_sigaction calls a spawn, measured; this child makes about 13).
static int handled_signals[NSIG];
static int handled_count;
static pthread_once_t handled_once = PTHREAD_ONCE_INIT;

static void find_handled_signals(void) {
    for (int signal = 1; signal < NSIG; signal++) {
        struct sigaction action;
        if (sigaction(signal, NULL, &action) != 0) continue;
        if (action.sa_handler != SIG_DFL && action.sa_handler != SIG_IGN) handled_signals[handled_count++] = signal;
    }
}

struct spawn_child_arguments {
    const struct parrun_spawn_request *request;
    const char *search_path;
    volatile int error;
};

static int put_descriptor(int from, int to) {
    // dup2 onto itself keeps close-on-exec set: clear it instead.
    if (from == to) return fcntl(to, F_SETFD, 0) == 0 ? 0 : -1;
    return dup2(from, to) == to ? 0 : -1;
}

/// execve of `name` found on `search_path` as execvp would (without its
/// fall-back to /bin/sh for a file that is not a program, as posix_spawnp):
/// the first EACCES is kept, else the last error. Returns only on failure.
static void execute_on_path(const char *name, char *const argv[], char *const envp[], const char *search_path) {
    size_t name_length = strlen(name);
    int denied = 0;
    const char *entry = search_path;
    char candidate[PATH_MAX];
    while (1) {
        const char *end = strchr(entry, ':');
        size_t length = end ? (size_t)(end - entry) : strlen(entry);
        if (length + name_length + 2 <= sizeof(candidate)) {
            // An empty entry is the current directory.
            size_t at = 0;
            if (length > 0) {
                memcpy(candidate, entry, length);
                candidate[length] = '/';
                at = length + 1;
            }
            memcpy(candidate + at, name, name_length + 1);
            execve(candidate, argv, envp);
            if (errno == EACCES) denied = 1;
            else if (errno != ENOENT && errno != ENOTDIR && errno != ENAMETOOLONG && errno != ELOOP && errno != ESTALE && errno != ENODEV && errno != ETIMEDOUT) return;
        }
        if (!end) break;
        entry = end + 1;
    }
    if (denied) errno = EACCES;
}

/// The child until it executes: it shares parrun's memory and runs on a stack
/// in parrun's frame, so it calls nothing but system calls, and reports a
/// failure through `error` before it exits.
static int spawn_child(void *argument) {
    struct spawn_child_arguments *arguments = argument;
    const struct parrun_spawn_request *request = arguments->request;
    struct sigaction default_action;
    memset(&default_action, 0, sizeof(default_action));
    default_action.sa_handler = SIG_DFL;
    for (int i = 0; i < handled_count; i++) sigaction(handled_signals[i], &default_action, NULL);
    for (int i = 0; i < request->reset_count; i++) sigaction(request->reset_signals[i], &default_action, NULL);

    if (setpgid(0, 0) != 0) goto failed;
    if (request->input_fd >= 0) {
        if (put_descriptor(request->input_fd, 0) != 0) goto failed;
    } else {
        int input = open(request->input_path, O_RDONLY);
        if (input < 0) goto failed;
        if (input != 0) {
            if (dup2(input, 0) != 0) goto failed;
            close(input);
        }
    }
    if (put_descriptor(request->output_fd, 1) != 0) goto failed;
    if (put_descriptor(request->error_fd, 2) != 0) goto failed;
    // Every descriptor from 3 up: none of parrun's reaches the program. Where
    // the kernel has no close_range (before 5.9), close-on-exec still holds for parrun's own.
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0 && errno != ENOSYS) goto failed;
    if (request->directory && chdir(request->directory) != 0) goto failed;

    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    if (request->path) {
        execve(request->path, request->argv, request->envp);
    } else {
        execute_on_path(request->argv[0], request->argv, request->envp, arguments->search_path);
    }
failed:
    arguments->error = errno ? errno : ECHILD;
    _exit(127);
}

pid_t parrun_spawn(const struct parrun_spawn_request *request, int *exit_descriptor) {
    pthread_once(&handled_once, find_handled_signals);
    struct spawn_child_arguments arguments = { .request = request, .search_path = NULL, .error = 0 };
    if (!request->path) {
        const char *path = getenv("PATH");
        arguments.search_path = path ? path : "/bin:/usr/bin";
    }
    // The child runs on this stack while parrun waits (CLONE_VFORK): it needs
    // little, as it calls no library code beyond system call wrappers.
    _Alignas(16) char stack[32 * 1024];
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    int pidfd = -1;
    int flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
    pid_t pid = clone(spawn_child, stack + sizeof(stack), flags | (exit_descriptor ? CLONE_PIDFD : 0), &arguments, &pidfd);
    if (pid < 0 && exit_descriptor && errno == EINVAL) {
        // A kernel before 5.2 has no CLONE_PIDFD.
        pidfd = -1;
        pid = clone(spawn_child, stack + sizeof(stack), flags, &arguments, &pidfd);
    }
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (pid < 0) return -clone_error;
    if (arguments.error != 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        if (pidfd >= 0) close(pidfd);
        return -arguments.error;
    }
    if (exit_descriptor) *exit_descriptor = pidfd;
    return pid;
}

/// Blocks `signals` for the whole process (call before any thread exists) and
/// returns a signalfd that reads them, close-on-exec and non-blocking.
int parrun_block_and_signalfd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/// Reads one pending signal from a signalfd: its number, or 0 when none is
/// pending, or -1 on error.
int parrun_read_signal(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof(info));
    if (n == (ssize_t)sizeof(info)) return (int)info.ssi_signo;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    return -1;
}

/// Whether `pid` has exited, without reaping it: the unreaped process keeps its
/// process group id from being reused, so its group can still be killed safely.
/// Returns 1 if exited, 0 if still running, -1 on error.
int parrun_has_exited(pid_t pid) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0) return -1;
    return info.si_pid == pid ? 1 : 0;
}

/// A descriptor that becomes readable when `pid` exits (Linux 5.3+), close-on-exec;
/// -1 where the kernel has no pidfd_open.
int parrun_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

/// Reaps `pid`; returns its raw wait status, or -1.
int parrun_reap(pid_t pid) {
    int status = 0;
    pid_t result;
    do { result = waitpid(pid, &status, 0); } while (result < 0 && errno == EINTR);
    return result == pid ? status : -1;
}

int parrun_exit_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
int parrun_term_signal(int status) { return WIFSIGNALED(status) ? WTERMSIG(status) : 0; }

/// The width of the terminal on `fd`, or 0 when it is not a terminal.
int parrun_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 0;
}

int parrun_ofd_lock(int fd, int type, long long offset) {
    struct flock lock;
    memset(&lock, 0, sizeof(lock));
    lock.l_type = type ? F_WRLCK : F_UNLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = (off_t)offset;
    lock.l_len = 1;
    int result;
    do { result = fcntl(fd, F_OFD_SETLK, &lock); } while (result < 0 && errno == EINTR);
    return result;
}

int parrun_ofd_is_locked(int fd, long long offset) {
    struct flock lock;
    memset(&lock, 0, sizeof(lock));
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = (off_t)offset;
    lock.l_len = 1;
    if (fcntl(fd, F_OFD_GETLK, &lock) != 0) return -1;
    return lock.l_type == F_UNLCK ? 0 : 1;
}

#ifndef PARRUN_COMMIT
#define PARRUN_COMMIT ""
#endif

const char *parrun_build_commit(void) {
    return PARRUN_COMMIT;
}
