#!/usr/bin/env python3
"""parrun's own cost per Slurm ticket: N `true` tickets run one at a time
with --launcher slurm, against the same N `srun --quiet true` from a shell
loop; the difference, per ticket, is what parrun adds beyond srun.

    python3 Benchmarks/slurm_overhead.py [--tickets 50] [--runs 3] [--parrun PATH]

Needs a Slurm cluster that answers `sinfo` (.ci/slurm-up starts one).
Target (issue 8): under 5 ms a ticket.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile

from bench_common import measure, parrun_binary


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()
    if subprocess.run(["sinfo", "-h"], capture_output=True).returncode != 0:
        sys.exit("no Slurm cluster answers sinfo; start one with .ci/slurm-up")
    parrun = parrun_binary(args.parrun)
    work = tempfile.mkdtemp(prefix="parrun-slurm-")
    try:
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            for i in range(args.tickets):
                f.write("t%d:\n    true\n" % i)
        with open(os.path.join(work, "loop.sh"), "w") as f:
            f.write("for i in $(seq %d); do srun --quiet --ntasks=1 true; done\n" % args.tickets)
        times = {"parrun": [], "srun loop": []}
        for _ in range(args.runs):
            shutil.rmtree(os.path.join(work, ".parrun"), ignore_errors=True)
            times["parrun"].append(measure([parrun, "-q", "-j1", "--launcher", "slurm", "Parrunfile"], work)[0])
            times["srun loop"].append(measure(["/bin/sh", "loop.sh"], work)[0])
        ours, loop = statistics.median(times["parrun"]), statistics.median(times["srun loop"])
        print("%d `true` tickets one at a time through Slurm, median of %d runs" % (args.tickets, args.runs))
        print("  parrun --launcher slurm -j1   %6.2f s" % ours)
        print("  shell loop of srun            %6.2f s" % loop)
        per = (ours - loop) * 1000 / args.tickets
        print("  parrun's own cost: %.1f ms a ticket; target under 5 ms: %s" % (per, "met" if per < 5 else "NOT met"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
