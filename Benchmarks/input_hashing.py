#!/usr/bin/env python3
"""The up-to-date check (issue 17, item 2): a build whose 100 tickets read
10,000 input files of 10 KB (100 per ticket, as globs), run a second time with
nothing changed. parrun against `make -q` and `ninja -n` on the same
dependencies, and against hashing the same files with sha256sum, b2sum and
xxhsum, in one run. Prints wall times and ratios.

    python3 Benchmarks/input_hashing.py [--files 10000] [--size 10240] [--runs 5] [--parrun PATH]

Two parrun cases:
- "no change": the files are older than the 2 s trust margin, so their size,
  modification time and inode match the journal and none is read (make and
  ninja decide from timestamps alone, too);
- "all touched": every file's modification time changed (same content), so
  parrun reads and hashes all of them (XXH64) and still finds the build up to
  date, where make and ninja would rebuild everything.
Target: the whole no-change run (start, manifest, journal, 10,000 checks)
under one second on a warm page cache, and hashing at least as fast as b2sum.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

from bench_common import measure, parrun_binary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--size", type=int, default=10240)
    parser.add_argument("--runs", type=int, default=5, help="runs per tool, interleaved; the median counts")
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()

    parrun = parrun_binary(args.parrun)
    tickets = 100
    per_ticket = max(1, args.files // tickets)
    work = tempfile.mkdtemp(prefix="parrun-hashing-")
    try:
        paths = []
        for t in range(tickets):
            os.makedirs(os.path.join(work, "src", "d%d" % t))
            for f in range(per_ticket):
                path = "src/d%d/f%d.txt" % (t, f)
                with open(os.path.join(work, path), "wb") as out:
                    out.write(os.urandom(args.size))
                paths.append(path)
        os.makedirs(os.path.join(work, "out"))
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            for t in range(tickets):
                f.write("t%d:\n    @inputs src/d%d/*.txt\n    @outputs out/%d.txt\n    ls src/d%d > out/%d.txt\n" % (t, t, t, t, t))
        with open(os.path.join(work, "Makefile"), "w") as f:
            f.write("all: %s\n" % " ".join("out/%d.txt" % t for t in range(tickets)))
            for t in range(tickets):
                f.write("out/%d.txt: $(wildcard src/d%d/*.txt)\n\tls src/d%d > $@\n" % (t, t, t))
        with open(os.path.join(work, "build.ninja"), "w") as f:
            f.write("rule list\n  command = ls $dir > $out\n\n")
            for t in range(tickets):
                inputs = " ".join("src/d%d/f%d.txt" % (t, i) for i in range(per_ticket))
                f.write("build out/%d.txt: list %s\n  dir = src/d%d\n" % (t, inputs, t))
        with open(os.path.join(work, "files.txt"), "w") as f:
            f.write("\n".join(paths) + "\n")

        # Files older than parrun's trust margin, as in any tree not edited this very second.
        past = time.time() - 60
        for path in paths:
            os.utime(os.path.join(work, path), (past, past))
        # First builds: every tool's state is in place and the page cache is warm.
        for command in ([parrun, "-q", "-j2"], ["make", "-s", "-j2"], ["ninja", "-j2"]):
            if shutil.which(command[0]) or command[0] == parrun:
                subprocess.run(command, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2.5)  # the outputs too are now older than the margin

        def touch_all():
            now = time.time()
            for path in paths:
                os.utime(os.path.join(work, path), (now - 30, now - 30 + 0.5))

        tools = [("parrun, no change", [parrun, "-q", "-j2"], None),
                 ("parrun, all touched", [parrun, "-q", "-j2"], touch_all)]
        if shutil.which("make"):
            tools.append(("make -q", ["make", "-q"], None))
        if shutil.which("ninja"):
            tools.append(("ninja -n", ["ninja", "-n"], None))
        else:
            print("ninja not found (apt-get install ninja-build): no ninja comparison")
        for hasher in ("sha256sum", "b2sum", "xxhsum"):
            if shutil.which(hasher):
                tools.append((hasher, ["xargs", "-a", "files.txt", hasher], None))

        results = {name: [] for name, _, _ in tools}
        for _ in range(args.runs):
            for name, command, prepare in tools:
                if prepare:
                    prepare()
                results[name].append(measure(command, work)[0])
        # Still nothing to do: the check found every ticket up to date every time.
        check = subprocess.run([parrun, "-n", "--summary"], cwd=work, capture_output=True, text=True, check=True).stdout
        if "(0 to run" not in check:
            sys.exit("parrun would run tickets after the benchmark: " + check)

        print("%d input files of %d bytes in %d tickets, second run, median of %d runs (warm page cache)" % (len(paths), args.size, tickets, args.runs))
        print("%-22s %9s %12s  %s" % ("tool", "wall s", "files/s", "parrun no change / tool, all touched / tool"))
        unchanged = statistics.median(results["parrun, no change"])
        touched = statistics.median(results["parrun, all touched"])
        for name, _, _ in tools:
            wall = statistics.median(results[name])
            ratio = "" if name.startswith("parrun") else "%.2fx, %.2fx" % (unchanged / wall, touched / wall)
            print("%-22s %9.3f %12.0f  %s" % (name, wall, len(paths) / wall, ratio))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
