#!/usr/bin/env python3
"""Prefixed output: two tickets each writing SIZE MB of 3-byte lines at -j2,
every line passed on with its `[ID] ` prefix, read by a pipe (`| cat`), as a
person or a log collector would. parrun against GNU parallel --tag (which
prefixes the same way) and ninja -j2 (which buffers each job's output and adds
no prefix), in one run. Prints wall time, MB/s of ticket output, and ratios.

    python3 Benchmarks/output_throughput.py [--size 20] [--runs 5] [--parrun PATH]

Target (issue 14): 100 MB/s or more of ticket output through prefixes.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

from bench_common import parrun_binary


def timed(command, cwd):
    """Wall seconds of `command | cat > /dev/null`, and the bytes cat saw."""
    start = time.perf_counter()
    producer = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    counter = subprocess.Popen(["wc", "-c"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()
    counted = int(counter.communicate()[0].split()[0])
    status = producer.wait()
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit("%s failed with status %d" % (" ".join(command), status))
    return wall, counted


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20, help="MB each of the two tickets writes")
    parser.add_argument("--runs", type=int, default=5, help="runs per tool, interleaved; the median counts")
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()

    parrun = parrun_binary(args.parrun)
    size = args.size * 1000 * 1000
    recipe = "yes ab | head -c %d" % size
    work = tempfile.mkdtemp(prefix="parrun-output-")
    try:
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            f.write("a:\n    %s\nb:\n    %s\n" % (recipe, recipe))
        with open(os.path.join(work, "build.ninja"), "w") as f:
            f.write("rule run\n  command = %s\n\nbuild a: run\nbuild b: run\n" % recipe)
        with open(os.path.join(work, "jobs.txt"), "w") as f:
            f.write("%s\n%s\n" % (recipe, recipe))

        tools = [("parrun -j2", [parrun, "-j2", "-q", "--no-journal", "Parrunfile"])]
        if shutil.which("parallel"):
            tools.append(("parallel --tag", ["parallel", "-j2", "--tag", "--line-buffer", "-a", "jobs.txt"]))
        else:
            print("GNU parallel not found (apt-get install parallel): no parallel comparison")
        if shutil.which("ninja"):
            tools.append(("ninja -j2", ["ninja", "-j2", "--quiet"]))
        else:
            print("ninja not found (apt-get install ninja-build): no ninja comparison")

        results = {name: [] for name, _ in tools}
        for _ in range(args.runs):
            for name, command in tools:
                if os.path.exists(os.path.join(work, ".ninja_log")):
                    os.remove(os.path.join(work, ".ninja_log"))
                results[name].append(timed(command, work))

        print("2 tickets x %d MB of 3-byte lines at -j2, read through a pipe, median of %d runs" % (args.size, args.runs))
        print("%-16s %9s %12s %12s  %s" % ("tool", "wall s", "output MB/s", "bytes out", "parrun / tool"))
        parrun_wall = statistics.median(w for w, _ in results["parrun -j2"])
        for name, _ in tools:
            wall = statistics.median(w for w, _ in results[name])
            counted = results[name][-1][1]
            ratio = "" if name.startswith("parrun") else "%.2fx" % (parrun_wall / wall)
            print("%-16s %9.3f %12.1f %12d  %s" % (name, wall, 2 * size / wall / 1e6, counted, ratio))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
