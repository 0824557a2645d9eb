#!/usr/bin/env python3
"""Per-ticket overhead: N independent tickets running `true` at -j2, parrun
against `ninja -j2` on the equivalent build.ninja, `xargs -P2` and `make -j2`,
in one run. Prints wall time, jobs/s, peak RSS and ratios.

    python3 Benchmarks/spawn_overhead.py [--tickets 2000] [--runs 5] [--parrun PATH]
    python3 Benchmarks/spawn_overhead.py --tickets 100000 --runs 1   # memory at scale

Target (issue 3): parrun's wall time within 1.1x of ninja -j2 and of xargs -P2.
ninja and xargs run each command as `/bin/sh -c true` (ninja always uses a
shell). parrun and make run a recipe that is one plain command directly, without
a shell, as make always has; anything with quotes, variables, globs or operators
goes through the shell.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

from bench_common import measure, parrun_binary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5, help="runs per tool, interleaved; the median counts")
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()

    parrun = parrun_binary(args.parrun)

    work = tempfile.mkdtemp(prefix="parrun-spawn-")
    try:
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            for i in range(args.tickets):
                f.write("t%d:\n    true\n" % i)
        with open(os.path.join(work, "build.ninja"), "w") as f:
            f.write("rule run\n  command = true\n\n")
            for i in range(args.tickets):
                f.write("build t%d: run\n" % i)
        with open(os.path.join(work, "inputs.txt"), "w") as f:
            f.write("true\n" * args.tickets)
        with open(os.path.join(work, "Makefile"), "w") as f:
            f.write(".PHONY: all %s\nall: %s\n" % (" ".join("t%d" % i for i in range(args.tickets)), " ".join("t%d" % i for i in range(args.tickets))))
            for i in range(args.tickets):
                f.write("t%d:\n\t@true\n" % i)

        tools = [("parrun -j2", [parrun, "-j2", "-q", "--prefix", "none", "Parrunfile"], None)]
        if shutil.which("ninja"):
            tools.append(("ninja -j2", ["ninja", "-j2"], None))
        else:
            print("ninja not found (apt-get install ninja-build): no ninja comparison")
        tools.append(("xargs -P2 sh -c", ["xargs", "-P2", "-n1", "/bin/sh", "-c"], os.path.join(work, "inputs.txt")))
        if shutil.which("make"):
            tools.append(("make -j2", ["make", "-s", "-j2"], None))

        results = {name: [] for name, _, _ in tools}
        for _ in range(args.runs):
            for name, command, stdin in tools:
                shutil.rmtree(os.path.join(work, ".parrun"), ignore_errors=True)
                for leftover in (".ninja_log", ".ninja_deps"):
                    if os.path.exists(os.path.join(work, leftover)):
                        os.remove(os.path.join(work, leftover))
                results[name].append(measure(command, work, stdin))

        print("%d independent tickets running `true`, -j2, median of %d runs" % (args.tickets, args.runs))
        print("%-18s %9s %9s %9s  %s  %s" % ("tool", "wall s", "jobs/s", "peak MB", "parrun / tool", "paired"))
        parrun_walls = [w for w, _ in results["parrun -j2"]]
        parrun_wall = statistics.median(parrun_walls)
        for name, _, _ in tools:
            wall = statistics.median(w for w, _ in results[name])
            rss = max(r for _, r in results[name])
            # Each round runs every tool once, back to back: the median of the
            # rounds' own ratios is steadier than a ratio of medians when the
            # machine's speed drifts during the benchmark.
            paired = statistics.median(p / w for p, (w, _) in zip(parrun_walls, results[name]))
            ratio = "" if name.startswith("parrun") else "%12.2fx  %5.2fx" % (parrun_wall / wall, paired)
            print("%-18s %9.3f %9.0f %9.1f  %s" % (name, wall, args.tickets / wall, rss, ratio))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
