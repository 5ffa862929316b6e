"""The `kerasreports` command: list | run | tune | compare | notebooks | index | data status.

    kerasreports list
    kerasreports run [NAME ...] [--profile smoke|quick|full] [-p NAME VALUE ...] [--output DIR]
                     [--seeds 0,1,2] [--jobs N] [--jobs-per-gpu K] [--force] [--dask ADDRESS]
                     [--checkpoints DIR | --no-checkpoints] [--restart]
    kerasreports compare A B [--fail-on-regression TOL] [--output DIR] [--all]
    kerasreports notebooks DIR
    kerasreports index [DIR]
    kerasreports tune NAME [--builder B] [--tuner random|bayesian|hyperband] [--max-trials N]
                      [--epochs E] [--profile P] [--directory DIR] [--project P] [--overwrite]
                      [--seed S] [--output DIR] [--data-dir DIR] [--trials-per-process K]
    kerasreports data status [--data-dir DIR]

`tune` runs a KerasTuner search over a report's builder (`kerasreports.tuning.runner.tune`)
and writes its summary; `--data-dir` is the data root the real data sets are looked for in
first, as for `data status` (the smoke profile's generated data needs none).

Errors in what the user typed or chose (`errors.UsageError`) are one paragraph on stderr
and exit status 2; missing or corrupt data, exit status 1 with the paragraph saying what to
do; a report that fails while running gives exit status 1 after the other reports have
run; SIGINT / SIGTERM, 130 / 143 after the run has cleaned up. Anything else is a bug and
prints its traceback (exit status 1).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from kerasreports import catalog

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kerasreports",
        description="Regenerate published deep-learning reports from Keras notebooks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="the reports in the catalogue and the data each needs")

    run = sub.add_parser("run", help="execute report notebooks with papermill")
    run.add_argument("names", nargs="*", metavar="NAME", help="reports to run (default: all)")
    run.add_argument("--profile", default="smoke", choices=catalog.PROFILES,
                     help="smoke: generated data, seconds; quick: real data, minutes on a "
                          "CPU; full: the source's settings (default: smoke)")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), help="set a notebook parameter")
    run.add_argument("--output", default=None, type=Path,
                     help="folder the reports are written to (default: ./reports, and "
                          "./reports/smoke for the smoke profile)")
    run.add_argument("--checkpoints", default=None, type=Path, metavar="DIR",
                     help="where each fit is checkpointed at its epoch ends, so that the "
                          "same command continues an interrupted run (default: "
                          "$KERASREPORTS_CHECKPOINTS, else ~/.cache/kerasreports/"
                          "checkpoints); a finished run removes its own")
    run.add_argument("--restart", action="store_true",
                     help="discard the checkpoints of an interrupted run of the same "
                          "report and parameters, and train from the start")
    run.add_argument("--no-checkpoints", action="store_true",
                     help="neither write nor read checkpoints")
    run.add_argument("--seeds", default=None, metavar="LIST",
                     help="run each report once per seed (e.g. 0,1,2 or 0-4): the seeds' "
                          "reports go to NAME/seed-K/, and NAME/ gets every metric as mean "
                          "± sd over them (default: the notebook's seed parameter)")
    run.add_argument("--jobs", type=_positive, default=1, metavar="N",
                     help="run up to N notebooks (reports x seeds) at once, each in its "
                          "own process; with GPUs, each job gets one (default: 1)")
    run.add_argument("--jobs-per-gpu", type=_positive, default=1, metavar="K",
                     help="let K jobs share each GPU (default: 1)")
    run.add_argument("--force", action="store_true",
                     help="rerun reports whose notebook, parameters, data, package source "
                          "and backend have not changed since their report was made "
                          "(skipped otherwise)")
    run.add_argument("--tensorboard", default=None, type=Path, metavar="DIR",
                     help="write TensorBoard logs of every fit into DIR, one run folder "
                          "per fit (tensorboard --logdir DIR)")
    run.add_argument("--dask", default=None, metavar="ADDRESS",
                     help="run the jobs on the Dask scheduler at ADDRESS (e.g. "
                          "tcp://host:8786) instead of this machine; the workers need the "
                          "same files at the same paths (pip install -e '.[dask]')")

    compare = sub.add_parser(
        "compare", help="every metric of two report folders or two revisions, side by side",
        description="Compare the metrics of A and B: each a reports folder (reports/), one "
                    "report's folder (reports/mnist_dae/), or a git revision whose "
                    "committed reports/ is read (HEAD~3, v1.0). Writes compare.md and "
                    "compare.json into --output.")
    compare.add_argument("a", metavar="A")
    compare.add_argument("b", metavar="B")
    compare.add_argument("--fail-on-regression", default=None, metavar="TOL",
                         help="exit status 1 when a headline metric is worse in B than in "
                              "A by more than TOL (a number in the metric's units, or a "
                              "percentage of A's value: 2%%)")
    compare.add_argument("--output", default=Path("compare"), type=Path, metavar="DIR",
                         help="where compare.md and compare.json are written (default: "
                              "./compare)")
    compare.add_argument("--all", action="store_true",
                         help="list unchanged metrics too (default: only those that differ)")

    tune = sub.add_parser(
        "tune", help="KerasTuner search over a report's builder",
        description="Search hyperparameters of a report's builder with KerasTuner. The "
                    "same command continues an interrupted search (--overwrite starts "
                    "afresh). For a distributed search run it once with "
                    "KERASTUNER_TUNER_ID=chief and once per worker with another id, all "
                    "with KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT set (README).")
    tune.add_argument("name", metavar="NAME", help="the report whose builder is searched")
    tune.add_argument("--builder", default=None,
                      help="which of the report's builders (default: its main one)")
    tune.add_argument("--tuner", default="random", choices=("random", "bayesian", "hyperband"))
    tune.add_argument("--max-trials", type=_positive, default=None,
                      help="trials to run (default per profile; hyperband decides its own)")
    tune.add_argument("--epochs", type=_positive, default=None,
                      help="epochs per trial (hyperband: the most any trial gets)")
    tune.add_argument("--profile", default="quick", choices=catalog.PROFILES,
                      help="smoke: generated data; quick: real data subsets; full: all")
    tune.add_argument("--directory", default="tuning", type=Path,
                      help="where KerasTuner keeps the search state (default: ./tuning)")
    tune.add_argument("--project", default=None,
                      help="the search's name under --directory (default: "
                           "NAME-BUILDER-PROFILE-TUNER)")
    tune.add_argument("--overwrite", action="store_true", help="discard an earlier search")
    tune.add_argument("--seed", type=_seed, default=0,
                      help="seeds the search and its data split (0 to 2**32 - 1)")
    tune.add_argument("--output", default=None, type=Path,
                      help="summary folder (default: reports/NAME/tuning, "
                           "reports/smoke/NAME/tuning for the smoke profile)")
    tune.add_argument("--trials-per-process", type=_positive, default=None, metavar="K",
                      help="run the search in a fresh process every K trials, resuming it "
                           "each time: TensorFlow keeps ~40 MiB per trained model even "
                           "after clear_session(), and only a process's exit frees it")
    tune.add_argument("--no-summary", action="store_true", help=argparse.SUPPRESS)
    tune.add_argument("--worker-timeout", type=_positive, default=300,
                      help="chief only: seconds a worker may stay silent before its trial "
                           "is recorded as failed (default 300)")
    tune.add_argument("--tensorboard", default=None, type=Path, metavar="DIR",
                      help="write TensorBoard logs of every trial into DIR (KerasTuner "
                           "makes a run folder per trial and execution)")
    tune.add_argument("--data-dir", default=None, type=Path,
                      help="a data root to search first (default: $KERASREPORTS_DATA, "
                           "./data, the Keras cache; the smoke profile needs none)")

    notebooks = sub.add_parser(
        "notebooks", help="copy the report notebooks into a folder, to open in Jupyter",
        description="Copy every report notebook (.ipynb, with its jupytext .py pair) into "
                    "DIR, which is created if needed; a file already there is never "
                    "overwritten.")
    notebooks.add_argument("folder", metavar="DIR", type=Path)

    site = sub.add_parser(
        "index", help="rebuild a reports folder's index.html, README.md and report pages",
        description="Rebuild index.html, README.md and each report's summary.html in DIR "
                    "(default: ./reports) from the report folders there, e.g. after a git "
                    "clone, whose committed reports carry no HTML.")
    site.add_argument("folder", metavar="DIR", nargs="?", type=Path, default=Path("reports"))

    data = sub.add_parser("data", help="the data sets")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    status = data_sub.add_parser("status", help="where each data set was found, and checks")
    status.add_argument("--data-dir", default=None, help="a data root to search first")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _seed(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**32:  # what NumPy and Keras accept as a seed
        raise argparse.ArgumentTypeError(f"must be from 0 to {2**32 - 1}, not {value}")
    return value


def cmd_list() -> int:
    from kerasreports import datasets
    from kerasreports.datasets import store

    print(f"{'report':<16} {'source':<28} {'notebook':<28} {'profiles':<18} data")
    for report in catalog.REPORTS.values():
        found = []
        for name in report.datasets:
            folder = store.find_folder(datasets.spec(name))
            found.append(f"{name} ({'found: ' + str(folder) if folder else 'missing'})")
        notebook = report.notebook.relative_to(report.notebook.parent.parent)
        print(f"{report.name:<16} seeds/{report.source:<22} {str(notebook):<28} "
              f"{'/'.join(catalog.PROFILES):<18} {', '.join(found)}")
        print(f"{'':<16} {report.title}")
    return 0


def cmd_run(args) -> int:
    from kerasreports import outputs, run

    overrides = dict(args.parameter)
    output = (args.output or outputs.default_output(args.profile)).resolve()
    checkpoints = None if args.no_checkpoints else (args.checkpoints or "default")
    from kerasreports import seeds

    outcomes = run.run(args.names, profile=args.profile, overrides=overrides,
                       output_root=output, checkpoints=checkpoints, restart=args.restart,
                       seeds=seeds.parse(args.seeds) if args.seeds is not None else None,
                       jobs=args.jobs, jobs_per_gpu=args.jobs_per_gpu, force=args.force,
                       dask=args.dask, tensorboard=args.tensorboard)
    print()
    width = max([16] + [len(o.name) for o in outcomes])
    for o in outcomes:
        state = "cached" if o.cached else "ok" if o.ok else "FAILED"
        print(f"{o.name:<{width}} {state:<7} {o.seconds:7.0f} s  {o.report_dir}")
        if not o.ok:
            print(f"{'':<{width}} {o.error}")
    print(f"\nReports: {output} (index: {output / 'index.html'}, {output / 'README.md'})")
    return 0 if all(o.ok for o in outcomes) else EXIT_FAILED


def cmd_tune(args) -> int:
    from kerasreports import tuning
    from kerasreports.datasets import store
    from kerasreports.errors import InvalidValueError

    task = tuning.task(args.name, args.builder)  # unknown names: a usage error, before work
    store.check_data_dir(args.data_dir)  # a --data-dir that is not a folder: DataDirError
    if args.trials_per_process:
        if args.tuner == "hyperband" or tuning.role() != "single":
            raise InvalidValueError("--trials-per-process works with the random and bayesian "
                             "tuners in a single-process search")
        max_trials = args.max_trials or task.max_trials[args.profile]
        return tuning.run_in_processes(lambda first: _child_argv(args, first),
                                       max_trials=max_trials, per_process=args.trials_per_process)
    from kerasreports.datasets.store import DatasetCorruptError, DatasetNotFoundError
    from kerasreports.errors import UsageError

    try:
        tuning.tune(args.name, builder=args.builder, kind=args.tuner,
                    max_trials=args.max_trials, epochs=args.epochs, profile=args.profile,
                    directory=args.directory, project=args.project, overwrite=args.overwrite,
                    seed=args.seed, output=args.output, worker_timeout=args.worker_timeout,
                    summary=not args.no_summary, data_dir=args.data_dir,
                    tensorboard=args.tensorboard)
    except (UsageError, DatasetNotFoundError, DatasetCorruptError):
        raise  # what the user typed, or where the data is: main() explains these
    except tuning.TuningFailedError as error:
        print(f"kerasreports: search failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as error:  # Keras, KerasTuner, TensorFlow, gRPC: not a usage error
        traceback.print_exc()
        print(f"kerasreports: search failed: {type(error).__name__}: {error}",
              file=sys.stderr)
        return EXIT_FAILED
    return 0


def _child_argv(args, first: bool) -> list[str]:
    """`tune` arguments for one process of a --trials-per-process search."""
    argv = [args.name, "--tuner", args.tuner, "--profile", args.profile,
            "--directory", str(args.directory), "--seed", str(args.seed)]
    for flag, value in (("--builder", args.builder), ("--epochs", args.epochs),
                        ("--project", args.project), ("--output", args.output),
                        ("--data-dir", args.data_dir), ("--tensorboard", args.tensorboard)):
        if value is not None:
            argv += [flag, str(value)]
    return argv + (["--overwrite"] if args.overwrite and first else [])


def cmd_notebooks(args) -> int:
    """Copy the notebooks (from the checkout, or those a wheel carries) into args.folder."""
    import shutil

    from kerasreports.errors import InvalidValueError

    sources = sorted(p for p in catalog.NOTEBOOK_DIR.iterdir()
                     if p.suffix in (".ipynb", ".py") and p.stem in catalog.REPORTS)
    folder = args.folder.expanduser()
    if folder.exists() and not folder.is_dir():
        raise InvalidValueError(f"{folder} is a file: give a folder for the notebooks")
    there = [p.name for p in sources if (folder / p.name).exists()]
    if there:
        raise InvalidValueError(f"{folder} already holds {', '.join(there)}; nothing was "
                                f"copied. Choose another folder, or move those away first.")
    folder.mkdir(parents=True, exist_ok=True)
    for source in sources:
        shutil.copyfile(source, folder / source.name)
    print(f"{len(sources)} files copied into {folder}: open the .ipynb files in Jupyter "
          f"(each runs its report's quick profile as it stands; set `profile` in its first "
          f"cell for another).")
    return 0


def cmd_data_status(args) -> int:
    """Where each data set is and whether it would load; exit 1 when any would not."""
    from kerasreports import datasets

    rows = datasets.status(args.data_dir)  # a --data-dir that is not a folder: DataDirError
    for row in rows:
        print(f"{row['name']:<15} {row['state']:<10} {row['folder'] or ''}")
        if row["help"]:
            print(f"{'':<15} {row['help']}")
    return 0 if all(row["ok"] for row in rows) else EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from kerasreports.datasets.store import DatasetCorruptError, DatasetNotFoundError
    from kerasreports.errors import UsageError

    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "run":
            return cmd_run(args)
        if args.command == "tune":
            return cmd_tune(args)
        if args.command == "index":
            from kerasreports import index, outputs

            folder = outputs.claim(args.folder)
            with outputs.lock(folder):
                for problem in index.write(folder):
                    print(f"kerasreports: index: {problem}", file=sys.stderr)
            print(f"Reports: {folder / 'index.html'}")
            return 0
        if args.command == "notebooks":
            return cmd_notebooks(args)
        if args.command == "compare":
            from kerasreports import compare

            return compare.main(args)
        return cmd_data_status(args)
    except KeyboardInterrupt as stop:
        # SIGINT/SIGTERM during a run raise `run.Interrupted`, after cleaning up; only a
        # run imports `kerasreports.run`, so `tune` and the rest need not import it here.
        run = sys.modules.get("kerasreports.run")
        if run is not None and isinstance(stop, run.Interrupted):
            print(f"kerasreports: {stop}", file=sys.stderr)
            return stop.exit_status
        print("kerasreports: interrupted", file=sys.stderr)  # outside a run (imports...)
        return EXIT_INTERRUPTED
    except (DatasetNotFoundError, DatasetCorruptError) as error:
        print(f"kerasreports: data error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except UsageError as error:  # what the user typed or chose; anything else is a bug
        print(f"kerasreports: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Exception:  # a bug or a failure of the run itself: show where it happened
        traceback.print_exc()
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
