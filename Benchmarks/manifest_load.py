#!/usr/bin/env python3
"""Load-and-plan benchmark: parrun --dry-run --summary on a generated manifest
of 100,000 tickets and ~300,000 edges, in both formats, against `ninja -n` on the
equivalent build.ninja, in the same run. Prints wall time, peak RSS and ratios.

    python3 Benchmarks/manifest_load.py [--tickets N] [--runs R] [--parrun PATH]

Targets (issue 2): under 1 s and under 300 MB for each parrun format.
"""
import argparse, os, random, shutil, subprocess, sys, tempfile, time

from bench_common import measure, parrun_binary


def generate(directory, tickets, seed=42):
    """Ticket i depends on up to 3 distinct tickets among the 1,000 before it."""
    rng = random.Random(seed)
    deps = []
    for i in range(tickets):
        window = range(max(0, i - 1000), i)
        deps.append(sorted(rng.sample(window, min(3, len(window)))))
    name = lambda i: "t%06d" % i
    edges = sum(len(d) for d in deps)

    with open(os.path.join(directory, "tickets.json"), "w") as f:
        f.write('{"jobs":4,"tickets":[')
        for i in range(tickets):
            if i:
                f.write(",")
            f.write('{"id":"%s","title":"Ticket %d","dependsOn":[%s],"run":"echo %s > out/%s"}'
                    % (name(i), i, ",".join('"%s"' % name(d) for d in deps[i]), name(i), name(i)))
        f.write("]}\n")

    with open(os.path.join(directory, "Parrunfile"), "w") as f:
        f.write("jobs = 4\n\n")
        for i in range(tickets):
            f.write("%s: %s\n    @title Ticket %d\n    echo %s > out/%s\n\n"
                    % (name(i), " ".join(name(d) for d in deps[i]), i, name(i), name(i)))

    with open(os.path.join(directory, "build.ninja"), "w") as f:
        f.write("rule run\n  command = echo $out > $out\n\n")
        for i in range(tickets):
            f.write("build %s: run %s\n" % (name(i), " ".join(name(d) for d in deps[i])))
    return edges


def best_of(runs, command, cwd):
    results = [measure(command, cwd) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per command; the fastest counts")
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()

    parrun = parrun_binary(args.parrun)

    directory = tempfile.mkdtemp(prefix="parrun-bench-")
    try:
        edges = generate(directory, args.tickets)
        sizes = {n: os.path.getsize(os.path.join(directory, n)) / 1e6 for n in ("tickets.json", "Parrunfile")}
        print("manifest: %d tickets, %d edges; tickets.json %.1f MB, Parrunfile %.1f MB; best of %d runs"
              % (args.tickets, edges, sizes["tickets.json"], sizes["Parrunfile"], args.runs))
        rows = [
            ("parrun -n --summary tickets.json", [parrun, "--dry-run", "--summary", "tickets.json"]),
            ("parrun -n --summary Parrunfile", [parrun, "--dry-run", "--summary", "Parrunfile"]),
            ("parrun -n tickets.json (full plan)", [parrun, "--dry-run", "tickets.json"]),
        ]
        ninja = shutil.which("ninja")
        if ninja:
            rows.append(("ninja -n (build.ninja)", [ninja, "-n", "-j4"]))
        else:
            print("ninja not found (apt-get install ninja-build): no comparison")
        results = [(label, *best_of(args.runs, command, directory)) for label, command in rows]
        reference = results[-1] if ninja else None
        print("%-36s %9s %10s %s" % ("command", "wall s", "peak MB", "vs ninja -n (wall, RSS)" if ninja else ""))
        for label, wall, rss in results:
            ratio = "" if not reference or label.startswith("ninja") else "%.2fx, %.2fx" % (wall / reference[1], rss / reference[2])
            print("%-36s %9.3f %10.1f %s" % (label, wall, rss, ratio))
        failed = [label for label, wall, rss in results[:2] if wall >= 1.0 or rss >= 300]
        print("targets (< 1 s, < 300 MB per format):", "missed by " + ", ".join(failed) if failed else "met")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
