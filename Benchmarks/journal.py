#!/usr/bin/env python3
"""What the journal costs, in one run:

1. Overhead: 2,000 independent `true` tickets at -j2, parrun with its journal
   (an empty state directory each run, and a state directory kept from the
   previous run) against parrun --no-journal. Target (issue 4): within 1.10x.
2. Resume decision: a 100,000-ticket manifest whose journal holds 99,000
   succeeded tickets and 1,000 interrupted ones (tickets nothing depends on, so
   exactly 1,000 rerun). `parrun -n --resume --summary` against the same dry run
   with --no-journal; the difference is reading the journal and deciding.
   Target (issue 4): under 1 s.

    python3 Benchmarks/journal.py [--tickets 2000] [--resume-tickets 100000] [--runs 7] [--parrun PATH]

The 100,000-ticket journal is made by parrun itself: the manifest's tickets
have no recipe (they succeed at once), so a real run writes a genuine journal
in seconds; then the end records of 1,000 leaf tickets are removed, as if
parrun had been killed while they ran.
"""
import argparse, json, os, random, re, shutil, statistics, subprocess, sys, tempfile

from bench_common import measure, parrun_binary


def overhead(parrun, tickets, runs):
    work = tempfile.mkdtemp(prefix="parrun-journal-")
    try:
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            for i in range(tickets):
                f.write("t%d:\n    true\n" % i)
        state = os.path.join(work, ".parrun")
        base = [parrun, "-j2", "-q", "--prefix", "none", "Parrunfile"]
        variants = [
            ("journal, empty state", base, True),
            ("journal, state kept", base, False),
            ("--no-journal", base[:-1] + ["--no-journal", "Parrunfile"], True),
        ]
        times = {label: [] for label, _, _ in variants}
        for _ in range(runs):
            for label, command, fresh in variants:
                if fresh:
                    shutil.rmtree(state, ignore_errors=True)
                times[label].append(measure(command, work)[0])
        reference = statistics.median(times["--no-journal"])
        print("1. journal overhead: %d `true` tickets, -j2, median of %d runs" % (tickets, runs))
        print("   %-24s %8s %8s" % ("parrun", "wall s", "ratio"))
        for label, _, _ in variants:
            median = statistics.median(times[label])
            print("   %-24s %8.3f %7.2fx" % (label, median, median / reference))
        worst = max(statistics.median(times[label]) for label, _, _ in variants[:2]) / reference
        print("   target: journal within 1.10x of --no-journal: %s (%.2fx)" % ("met" if worst <= 1.10 else "NOT met", worst))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def resume(parrun, tickets, interrupted, runs, seed=7):
    work = tempfile.mkdtemp(prefix="parrun-resume-")
    try:
        rng = random.Random(seed)
        deps = [sorted(rng.sample(range(max(0, i - 1000), i), min(3, i))) for i in range(tickets)]
        has_dependents = set(d for ds in deps for d in ds)
        leaves = [i for i in range(tickets) if i not in has_dependents]
        cut = set("t%06d" % i for i in rng.sample(leaves, interrupted))
        with open(os.path.join(work, "Parrunfile"), "w") as f:
            for i in range(tickets):
                f.write("t%06d: %s\n    @title Ticket %d\n\n" % (i, " ".join("t%06d" % d for d in deps[i]), i))
        subprocess.run([parrun, "-q", "Parrunfile"], cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        journal = os.path.join(work, ".parrun", "journal.jsonl")
        kept = []
        with open(journal) as f:
            for line in f:
                record = json.loads(line)
                if record["type"] == "run-end" or (record["type"] == "end" and record["id"] in cut):
                    continue
                kept.append(line)
        with open(journal, "w") as f:
            f.writelines(kept)
        size = os.path.getsize(journal) / 1e6

        plan = subprocess.run([parrun, "-n", "--resume", "--summary", "Parrunfile"], cwd=work, check=True,
                              capture_output=True, text=True).stdout
        match = re.search(r"\((\d+) to run", plan)
        if not match or int(match.group(1)) != interrupted:
            sys.exit("resume decided wrongly: expected %d to run, got: %s" % (interrupted, plan.strip()))

        rows = [("-n --resume --summary", [parrun, "-n", "--resume", "--summary", "Parrunfile"]),
                ("-n --summary --no-journal", [parrun, "-n", "--summary", "--no-journal", "Parrunfile"])]
        results = {}
        for label, command in rows:
            samples = [measure(command, work) for _ in range(runs)]
            results[label] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples))
        with_journal, without = results[rows[0][0]], results[rows[1][0]]
        print("2. resume decision: %d tickets, %d succeeded, %d interrupted; journal %.1f MB; median of %d runs"
              % (tickets, tickets - interrupted, interrupted, size, runs))
        print("   %-28s %8s %9s" % ("parrun", "wall s", "peak MB"))
        for label, _ in rows:
            print("   %-28s %8.3f %9.0f" % (label, *results[label]))
        decision = with_journal[0] - without[0]
        print("   reading the journal and deciding: %.3f s; target under 1 s: %s" % (decision, "met" if decision < 1 else "NOT met"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--resume-tickets", type=int, default=100_000)
    parser.add_argument("--interrupted", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7, help="runs per variant, interleaved; the median counts")
    parser.add_argument("--parrun", help="parrun binary (default: build the installed one with Scripts/release)")
    args = parser.parse_args()
    parrun = parrun_binary(args.parrun)
    overhead(parrun, args.tickets, args.runs)
    resume(parrun, args.resume_tickets, args.interrupted, max(3, args.runs // 2))


if __name__ == "__main__":
    main()
