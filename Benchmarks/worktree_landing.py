#!/usr/bin/env python3
"""Landing cost of --worktree: N tickets that each write one file, run with
--worktree -j4 in a fresh git repository, against the same run without
--worktree; the difference is what worktrees and the merge queue cost.

    python3 Benchmarks/worktree_landing.py [--tickets 100] [--runs 3] [--parrun PATH]

Target (issue 6): landing 100 tickets that each changed one file takes under
10 seconds of parrun's own time (worktree creation, commits, rebases and
branch updates, all done by git commands parrun runs one at a time).
"""
import argparse, os, shutil, statistics, subprocess, tempfile

from bench_common import measure, parrun_binary


def repository(tickets):
    work = tempfile.mkdtemp(prefix="parrun-land-")
    run = lambda *args: subprocess.run(["git", *args], cwd=work, check=True, stdout=subprocess.DEVNULL)
    run("init", "-q", "-b", "main")
    with open(os.path.join(work, ".gitignore"), "w") as f:
        f.write(".parrun/\nParrunfile\n")
    with open(os.path.join(work, "README"), "w") as f:
        f.write("start\n")
    run("add", "-A")
    run("-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "start")
    with open(os.path.join(work, "Parrunfile"), "w") as f:
        for i in range(tickets):
            f.write("t%d:\n    echo %d > file%d.txt\n" % (i, i, i))
    return work


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()
    parrun = parrun_binary(args.parrun)

    times = {"--worktree": [], "plain": []}
    for _ in range(args.runs):
        for label, extra in (("--worktree", ["--worktree"]), ("plain", [])):
            work = repository(args.tickets)
            try:
                times[label].append(measure([parrun, "-q", "-j4", *extra, "Parrunfile"], work)[0])
                if extra:
                    count = subprocess.run(["git", "rev-list", "--count", "main"], cwd=work, capture_output=True, text=True).stdout.strip()
                    if int(count) != args.tickets + 1:
                        raise SystemExit("expected %d commits on main, found %s" % (args.tickets + 1, count))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    worktree, plain = statistics.median(times["--worktree"]), statistics.median(times["plain"])
    print("%d tickets writing one file each, -j4, median of %d runs" % (args.tickets, args.runs))
    print("  parrun --worktree   %6.2f s" % worktree)
    print("  parrun (no git)     %6.2f s" % plain)
    print("  worktrees and landing: %.2f s (%.1f ms a ticket); target under 10 s: %s"
          % (worktree - plain, (worktree - plain) * 1000 / args.tickets, "met" if worktree - plain < 10 else "NOT met"))


if __name__ == "__main__":
    main()
