// Definitions of the shims; _GNU_SOURCE must come before any libc header.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
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

int parrun_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int parrun_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
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
