"""Memory over a KerasTuner search: with and without `keras.backend.clear_session()`.

KerasTuner's `Tuner._try_build` calls `keras.backend.clear_session()` (and
`gc.collect()`) before building each trial's model; `kerasreports.tuning.runner` relies on it.
This measures what that buys: the same search (`--trials` trials of a report's builder,
smoke profile, one epoch each) runs twice, each in a fresh process:

- `clear`: KerasTuner as it is;
- `keep`: the same tuner with the `clear_session()` call taken out of `_try_build`;
- `processes`: `kerasreports tune --trials-per-process 5` (a fresh process every 5
  trials, each resuming the search), the peak RSS of its largest process.

After every trial the process's resident memory (RSS) is recorded; the table shows it
after the first and the last trial, the growth per trial (least squares over trials
2..N), and the peak RSS of the whole process (`ru_maxrss`).

    python benchmarks/tuning_memory.py --trials 10 [--report mnist_dae] [--builder dae]

Writes benchmarks/results/tuning_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def in_processes(report: str, builder: str | None, trials: int) -> dict:
    """`kerasreports tune --trials-per-process 5`; the peak RSS of its largest process."""
    state = tempfile.mkdtemp()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kerasreports.cli", "tune", report,
                    "--profile", "smoke", "--epochs", "1", "--max-trials", str(trials),
                    "--trials-per-process", "5", "--directory", state,
                    "--output", str(Path(state) / "summary")]
                   + (["--builder", builder] if builder else []),
                   capture_output=True, check=True)
    # Only this process's descendants: run it in a process of its own (see main).
    return {"mode": "processes", "rss_after_trial_mib": [],
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "seconds": time.perf_counter() - started}


def child(mode: str, report: str, builder: str | None, trials: int) -> dict:
    import gc

    if mode == "processes":
        return in_processes(report, builder, trials)

    from kerasreports import runtime, tuning
    from kerasreports.tuning import runner

    task = tuning.task(report, builder)
    data = task.load("smoke", 0, None)
    runtime.set_seed(0)
    after_trial: list[float] = []
    base = runner._tuner_class("random")

    class Measured(base):
        def _try_build(self, hp):
            if mode == "clear":
                return super()._try_build(hp)
            gc.collect()  # as KerasTuner, minus clear_session()
            return self._build_hypermodel(hp)

        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            after_trial.append(rss_mib())

    tuner = Measured(hypermodel=task.hypermodel(data), objective=task.objective,
                     max_trials=trials, seed=0, directory=tempfile.mkdtemp(),
                     project_name=f"memory-{mode}", overwrite=True)
    started = time.perf_counter()
    tuner.search(data.x, data.y, validation_data=data.validation, epochs=1, verbose=0)
    return {"mode": mode, "rss_after_trial_mib": after_trial,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "seconds": time.perf_counter() - started}


def slope(values: list[float]) -> float:
    import numpy as np

    if len(values) < 3:
        return float("nan")
    y = np.asarray(values[1:])
    return float(np.polyfit(np.arange(len(y)), y, 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--report", default="mnist_dae")
    parser.add_argument("--builder", default=None)
    parser.add_argument("--child", choices=("clear", "keep", "processes"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.report, args.builder, args.trials)))
        return

    runs = []
    for mode in ("clear", "keep", "processes"):
        command = [sys.executable, __file__, "--child", mode, "--trials", str(args.trials),
                   "--report", args.report] + (["--builder", args.builder] if args.builder
                                               else [])
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))

    print(f"{args.report} search, {args.trials} trials of 1 epoch, smoke data, "
          f"{platform.node()}:")
    print(f"{'mode':<28} {'RSS after 1st':>14} {'after last':>11} {'per trial':>10} "
          f"{'peak RSS':>9} {'time':>7}")
    labels = {"clear": "clear_session (KerasTuner)", "keep": "without clear_session",
              "processes": "a process per 5 trials"}
    for run in runs:
        rss = run["rss_after_trial_mib"]
        run["growth_per_trial_mib"] = slope(rss)
        cells = (f"{rss[0]:>10.0f} MiB {rss[-1]:>7.0f} MiB "
                 f"{run['growth_per_trial_mib']:>6.1f} MiB") if rss else f"{'-':>36}"
        print(f"{labels[run['mode']]:<28} {cells} {run['peak_rss_mib']:>5.0f} MiB "
              f"{run['seconds']:>6.0f}s")
    out = Path(__file__).resolve().parent / "results" / "tuning_memory.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"report": args.report, "builder": args.builder,
                               "trials": args.trials, "machine": platform.node(),
                               "runs": runs}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
