"""Wall time of the smoke profile of every report with `--jobs 1` and `--jobs 2`, and of a
rerun that the cache skips, in one run, on this machine.

    python benchmarks/parallel_jobs.py [--jobs 1,2] [--reports NAME ...]

Each `kerasreports run --profile smoke` is a fresh process writing into a temporary
folder with `--force` (nothing cached); the last line reruns the same command without
`--force`, so every report is a cache hit. Prints a table and writes
benchmarks/results/parallel_jobs.json. On a 2-core CPU two jobs share the cores, so the
gain comes from overlapping what one notebook leaves idle (kernel start, imports, data
generation, HTML export, single-threaded Python) rather than from more arithmetic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "parallel_jobs.json"


def timed_run(output: Path, reports: list[str], extra: list[str]) -> tuple[float, int]:
    command = [sys.executable, "-m", "kerasreports.cli", "run", *reports, "--profile", "smoke",
               "--output", str(output), "--no-checkpoints", *extra]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="1,2", help="job counts to time (default 1,2)")
    parser.add_argument("--reports", nargs="*", default=[], help="default: every report")
    args = parser.parse_args()
    counts = [int(n) for n in args.jobs.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="parallel-jobs-") as folder:
        output = Path(folder) / "reports"
        for jobs in counts:
            seconds, status = timed_run(output, args.reports, ["--jobs", str(jobs), "--force"])
            rows.append({"run": f"--jobs {jobs}", "seconds": round(seconds, 1),
                         "exit_status": status})
            print(f"--jobs {jobs}: {seconds:.1f} s (exit {status})", flush=True)
        seconds, status = timed_run(output, args.reports, [])
        rows.append({"run": "rerun, every report cached", "seconds": round(seconds, 2),
                     "exit_status": status})
    base = rows[0]["seconds"]
    for row in rows:
        row["ratio_to_first"] = round(base / row["seconds"], 2)
    print(f"\n{'run':<28} {'seconds':>9} {'speed-up':>9} exit")
    for row in rows:
        print(f"{row['run']:<28} {row['seconds']:>9} {row['ratio_to_first']:>8}x "
              f"{row['exit_status']}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "parallel_jobs", "reports": args.reports or "all", "profile": "smoke",
        "backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "machine": f"{platform.node()}, {platform.processor() or platform.machine()}, "
                   f"{os.cpu_count()} cores",
        "date": dt.date.today().isoformat(), "rows": rows}, indent=2) + "\n")
    print(f"\nwritten: {RESULTS}")


if __name__ == "__main__":
    main()
