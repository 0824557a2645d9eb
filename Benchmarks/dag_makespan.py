#!/usr/bin/env python3
"""Scheduling quality: a seeded random DAG of sleep tickets at -j4. Computes the
lower bound max(critical path, total work / 4) and the makespan of an ideal
critical-path list schedule simulated on the same DAG, then runs parrun (twice:
the second run, which knows the durations from the first, is measured) and
`ninja -j4` on the equivalent build.ninja (also measured on its second run), and
prints makespans, ratios and parrun's peak RSS.

    python3 Benchmarks/dag_makespan.py [--tickets 60] [--seed 7] [--jobs 4] [--parrun PATH]

Targets (issue 3): parrun within 3% of the ideal list schedule and no worse
than ninja; parrun's peak RSS under 50 MB.
"""
import argparse, heapq, os, random, shutil, subprocess, sys, tempfile, time

from bench_common import measure, parrun_binary


def make_dag(count, seed):
    """Ticket i waits for up to 3 random earlier tickets; durations 0.05-0.6 s."""
    rng = random.Random(seed)
    durations = [round(rng.uniform(0.05, 0.6), 3) for _ in range(count)]
    deps = []
    for i in range(count):
        k = min(i, rng.choice([0, 1, 1, 2, 2, 3]))
        deps.append(sorted(rng.sample(range(i), k)))
    return durations, deps


def remaining_paths(durations, deps):
    """Longest path from each ticket to the end of the graph, itself included."""
    dependents = [[] for _ in durations]
    for i, ds in enumerate(deps):
        for d in ds:
            dependents[d].append(i)
    remaining = [0.0] * len(durations)
    for i in reversed(range(len(durations))):  # deps always point backwards
        remaining[i] = durations[i] + max((remaining[j] for j in dependents[i]), default=0.0)
    return remaining, dependents


def list_schedule(durations, deps, jobs):
    """Event simulation: whenever a worker is free, start the ready ticket with
    the longest remaining path (ties: manifest order)."""
    remaining, dependents = remaining_paths(durations, deps)
    waiting = [len(d) for d in deps]
    ready = [(-remaining[i], i) for i in range(len(durations)) if waiting[i] == 0]
    heapq.heapify(ready)
    running, clock, done = [], 0.0, 0
    while done < len(durations):
        while ready and len(running) < jobs:
            _, i = heapq.heappop(ready)
            heapq.heappush(running, (clock + durations[i], i))
        clock, i = heapq.heappop(running)
        done += 1
        for j in dependents[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, (-remaining[j], j))
    return clock


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()

    parrun = parrun_binary(args.parrun)

    durations, deps = make_dag(args.tickets, args.seed)
    remaining, _ = remaining_paths(durations, deps)
    critical = max(remaining)
    work = sum(durations)
    lower = max(critical, work / args.jobs)
    ideal = list_schedule(durations, deps, args.jobs)

    work_dir = tempfile.mkdtemp(prefix="parrun-dag-")
    try:
        with open(os.path.join(work_dir, "Parrunfile"), "w") as f:
            for i, d in enumerate(durations):
                f.write("t%d: %s\n    sleep %s\n" % (i, " ".join("t%d" % x for x in deps[i]), d))
        with open(os.path.join(work_dir, "build.ninja"), "w") as f:
            f.write("rule run\n  command = sleep $d && touch $out\n\n")
            for i, d in enumerate(durations):
                f.write("build t%d: run %s\n  d = %s\n" % (i, " ".join("t%d" % x for x in deps[i]), d))

        command = [parrun, "-j%d" % args.jobs, "-q", "Parrunfile"]
        measure(command, work_dir)                       # learns the durations
        parrun_wall, parrun_rss = measure(command, work_dir)

        ninja_wall = None
        if shutil.which("ninja"):
            measure(["ninja", "-j%d" % args.jobs], work_dir)  # first run; then make it rebuild everything
            for name in os.listdir(work_dir):
                if name.startswith("t") and name[1:].isdigit():
                    os.remove(os.path.join(work_dir, name))
            ninja_wall, _ = measure(["ninja", "-j%d" % args.jobs], work_dir)
        else:
            print("ninja not found (apt-get install ninja-build): no ninja comparison")

        edges = sum(len(d) for d in deps)
        print("DAG: %d sleep tickets, %d edges, seed %d, -j%d; total work %.2f s, critical path %.2f s"
              % (args.tickets, edges, args.seed, args.jobs, work, critical))
        print("%-32s %8s %s" % ("", "seconds", "parrun / this"))
        print("%-32s %8.2f %.3fx" % ("lower bound max(cp, work/j)", lower, parrun_wall / lower))
        print("%-32s %8.2f %.3fx" % ("ideal critical-path list sched.", ideal, parrun_wall / ideal))
        print("%-32s %8.2f" % ("parrun (second run)", parrun_wall))
        if ninja_wall:
            print("%-32s %8.2f %.3fx" % ("ninja (second run)", ninja_wall, parrun_wall / ninja_wall))
        print("parrun peak RSS: %.1f MB (the largest of parrun and its children)" % parrun_rss)
        ok = parrun_wall <= ideal * 1.03 and (ninja_wall is None or parrun_wall <= ninja_wall) and parrun_rss < 50
        print("targets (<= 1.03x ideal, <= ninja, < 50 MB):", "met" if ok else "missed")
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
