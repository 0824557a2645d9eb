"""Shared by the benchmark scripts: finding parrun and measuring one command."""
import os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parrun_binary(path):
    """The given binary, or a freshly built copy of the one users install:
    `Scripts/release`, the Swift runtime linked in (docs/install.md). Linked
    in, the runtime loads about 3 ms sooner and its calls skip the
    shared-library indirection, so the dynamically linked `swift build -c
    release` binary is measured only when given with --parrun."""
    if path:
        return os.path.abspath(path)
    output = os.path.join(ROOT, ".build", "release-static", "parrun")
    subprocess.run([os.path.join(ROOT, "Scripts", "release"), output], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return output


# A child's peak RSS (ru_maxrss) never reads below the RSS of the process
# that forked it: the forked copy of Python's own pages counts until exec. GNU
# time forks from a process of about 1 MB, so through it the figure is the
# tool's own; without it, figures under Python's RSS (about 14 MB) mean "at most".
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
if not GNU_TIME:
    print("note: /usr/bin/time not found (apt-get install time): peak MB figures below "
          "about 14 MB are Python's own RSS, not the tool's", file=sys.stderr)


def measure(command, cwd, stdin=None):
    """(wall seconds, peak RSS in MB of the process or its largest child) of one
    run. Output goes to files, not pipes: a pipe nobody reads fills up and
    stalls the tool being measured."""
    with tempfile.TemporaryFile() as errors, open(os.devnull, "w") as devnull, \
            tempfile.NamedTemporaryFile(mode="r") as peak:
        wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name] + command if GNU_TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, stdout=devnull, stderr=errors,
                                   stdin=open(stdin) if stdin else subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit("%s failed: %s" % (" ".join(command), errors.read().decode(errors="replace")[-2000:]))
        kilobytes = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
    return wall, kilobytes / 1024.0
