"""Run a KerasTuner search over a report's builder, and write what it found.

`run` is what `kerasreports tune` does. KerasTuner keeps the search's state (every trial,
its hyperparameters, score and best weights) under `directory/project`, and reloads it
when the same command runs again, so an interrupted search continues where it stopped;
`overwrite=True` starts afresh. When it ends, `reports/<name>/tuning/` gets a summary:
every trial sorted by objective, the best hyperparameters, a figure of the objective per
trial, and the best model scored on held-out data beside the source's numbers.

Distributed search is KerasTuner's own chief/worker mode, driven by three environment
variables: `KERASTUNER_ORACLE_IP` and `KERASTUNER_ORACLE_PORT` (where the chief listens)
and `KERASTUNER_TUNER_ID` ("chief" for the one process that decides the trials, any other
unique name for each worker). The chief only serves trials; workers train them. Two
things are added to KerasTuner here:

- A search whose trials all failed, or most of them, is an error naming the first
  failure. (KerasTuner itself returns normally with a "best" model, e.g. when every
  trial failed importing TensorBoard's hparams plugin.)
- A worker that dies would leave the chief waiting for it forever. Workers send a
  heartbeat (a cheap `get_trial` call) every few seconds while training; when a worker
  is silent for `worker_timeout` seconds, the chief forgets it and records its trial, if
  it had one, as failed with a message saying so; the other workers finish the search.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

from kerasreports import catalog, record, runtime, tuning

TUNERS = ("random", "bayesian", "hyperband")
HEARTBEAT_SECONDS = 2.0


class TuningFailedError(RuntimeError):
    """All, or most, trials of a search failed; the message shows the first failure."""


class SettingsMismatchError(ValueError):
    """A search was resumed with settings that would make its trials incomparable."""


SETTINGS_FILE = "kerasreports_search.json"


def role() -> str:
    """`single`, `chief` or `worker`, from KerasTuner's environment variables."""
    if not os.environ.get("KERASTUNER_ORACLE_IP"):
        return "single"
    return "chief" if "chief" in os.environ.get("KERASTUNER_TUNER_ID", "") else "worker"


def _tuner_class(kind: str):
    import keras_tuner

    base = {"random": keras_tuner.RandomSearch,
            "bayesian": keras_tuner.BayesianOptimization,
            "hyperband": keras_tuner.Hyperband}[kind]

    class ReportingTuner(base):
        """Says which trial starts and ends; a worker also sends heartbeats meanwhile."""

        def on_trial_begin(self, trial):
            super().on_trial_begin(trial)
            values = ", ".join(f"{k}={v}" for k, v in trial.hyperparameters.values.items())
            print(f"[{self.tuner_id}] trial {trial.trial_id} started: {values}", flush=True)
            self._heartbeat = _start_heartbeat(self.oracle, trial.trial_id)

        def on_trial_end(self, trial):
            if getattr(self, "_heartbeat", None) is not None:
                self._heartbeat.set()
            super().on_trial_end(trial)
            print(f"[{self.tuner_id}] trial {trial.trial_id} ended: {trial.status}",
                  flush=True)

    ReportingTuner.__name__ = f"Reporting{base.__name__}"
    return ReportingTuner


def _start_heartbeat(oracle, trial_id: str) -> threading.Event | None:
    """On a worker: ask the chief for `trial_id` every few seconds until the event is set.

    A thread, not a training callback, so that model building, the first step's tracing,
    validation and checkpointing (minutes, for big models) do not look like silence.
    """
    if role() != "worker":
        return None
    stop = threading.Event()

    def beat():
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                oracle.get_trial(trial_id)
            except Exception:  # the chief busy or gone: the search itself will say so
                pass

    threading.Thread(target=beat, name="kerasreports-heartbeat", daemon=True).start()
    return stop


def make_tuner(task: tuning.TuneTask, hypermodel, *, kind: str, max_trials: int,
               epochs: int, directory: Path, project: str, overwrite: bool, seed: int):
    if kind not in TUNERS:
        raise ValueError(f"unknown tuner {kind!r}; choose one of: {', '.join(TUNERS)}")
    options = dict(
        hypermodel=hypermodel, objective=task.objective, seed=seed,
        directory=str(directory), project_name=project,
        # A worker must never delete the search the chief and other workers are using.
        overwrite=overwrite and role() != "worker",
        # KerasTuner raises its consecutive-failure error inside the oracle's lock without
        # releasing it, which would freeze a chief serving workers; there `check_outcome`
        # judges the failures once the search ends.
        max_consecutive_failed_trials=None if role() == "chief" else 3)
    if kind == "hyperband":
        # Hyperband decides how many trials and epochs; `epochs` is the most any gets.
        return _tuner_class(kind)(max_epochs=epochs, factor=3, **options)
    return _tuner_class(kind)(max_trials=max_trials, **options)


def watch_workers(oracle, timeout: float) -> threading.Event:
    """On the chief: forget a worker silent for `timeout` s, failing its trial if it had one.

    KerasTuner's chief ends only when no trial is ongoing and no worker is registered, so
    one dead worker would keep it waiting forever. Every call a worker makes (trials,
    heartbeats) counts as a sign of life. Returns an event; set it to stop watching.
    """
    import keras_tuner
    from keras_tuner.src.engine import trial as trial_module

    last_seen: dict[str, float] = {}  # worker id -> last call
    owner: dict[str, str] = {}  # trial id -> worker id

    def stamp(name, args, result):
        if name == "create_trial":
            tuner_id = args[0]
            owner[result.trial_id] = tuner_id
        else:
            trial_id = args[0].trial_id if name == "end_trial" else args[0]
            tuner_id = owner.get(trial_id)
        if tuner_id is not None:
            last_seen[tuner_id] = time.monotonic()

    for name in ("create_trial", "get_trial", "update_trial", "end_trial"):
        original = getattr(oracle, name)

        def stamped(*args, _original=original, _name=name, **kwargs):
            result = _original(*args, **kwargs)
            stamp(_name, args, result)
            return result

        setattr(oracle, name, stamped)

    @keras_tuner.synchronized  # the oracle's own lock: no trial may end meanwhile
    def forget_if_silent(oracle, tuner_id: str):
        try:
            silent = time.monotonic() - last_seen.setdefault(tuner_id, time.monotonic())
            if silent < timeout or tuner_id not in oracle.tuner_ids:
                return
            trial = oracle.ongoing_trials.get(tuner_id)
            what = f"during trial {trial.trial_id}" if trial else "between trials"
            message = (f"worker {tuner_id!r} stopped responding {what} (silent for "
                       f"{silent:.0f} s, limit {timeout:g} s)")
            if trial is not None:
                message += "; its trial is recorded as failed so that the search can finish"
                oracle.end_trial(trial_module.Trial(
                    trial.hyperparameters, trial_id=trial.trial_id,
                    status=trial_module.TrialStatus.FAILED, message=message))
            oracle.tuner_ids.discard(tuner_id)
            print(f"[chief] {message}", flush=True)
        except Exception as error:  # never leave the oracle's lock held by an exception
            print(f"[chief] could not retire worker {tuner_id!r}: {error}", flush=True)

    stop = threading.Event()

    def watch():
        while not stop.wait(1.0):
            for tuner_id in list(oracle.tuner_ids):
                forget_if_silent(oracle, tuner_id)

    threading.Thread(target=watch, name="kerasreports-worker-watch", daemon=True).start()
    return stop


def check_outcome(oracle) -> None:
    """Raise `TuningFailedError` if no trial completed or more failed than completed."""
    trials = [oracle.trials[t] for t in oracle.start_order if t in oracle.trials]
    completed = [t for t in trials if t.status == "COMPLETED"]
    failed = [t for t in trials if t.status in ("FAILED", "INVALID")]
    if trials and not completed and not failed:
        raise TuningFailedError(f"none of {len(trials)} trials completed")
    if failed and (not completed or len(failed) > len(completed)):
        first = failed[0]
        detail = "\n".join((first.message or "no message").strip().splitlines()[-6:])
        raise TuningFailedError(
            f"{len(failed)} of {len(trials)} trials failed, {len(completed)} completed: no "
            f"result to trust. The first failure (trial {first.trial_id}):\n{detail}")


def run(name: str, *, builder: str | None = None, kind: str = "random",
        max_trials: int | None = None, epochs: int | None = None, profile: str = "quick",
        directory: str | Path = "tuning", project: str | None = None,
        overwrite: bool = False, seed: int = 0, output: str | Path | None = None,
        worker_timeout: float = 300.0, verbose: int | None = None,
        summary: bool = True) -> Path | None:
    """Search `name`'s builder; return the summary folder (None on a worker, or when
    `summary=False`).

    `verbose`: Keras' 1 (progress bars) on a terminal, else 2 (a line per epoch) so that
    logs of long or distributed searches stay readable.
    """
    import keras

    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2

    task = tuning.task(name, builder)
    if profile not in catalog.PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose one of: "
                         f"{', '.join(catalog.PROFILES)}")
    max_trials = max_trials or task.max_trials[profile]
    epochs = epochs or task.epochs[profile]
    if max_trials < 1 or epochs < 1:
        raise ValueError("--max-trials and --epochs must be at least 1")
    project = project or f"{name}-{task.builder}-{profile}-{kind}"
    directory = Path(directory).resolve()
    this_role = role()
    runtime.set_seed(seed)

    settings = {"report": name, "builder": task.builder, "tuner": kind, "profile": profile,
                "seed": seed, "epochs": epochs}
    if not overwrite:  # (with --overwrite a worker trusts the chief's fresh search)
        check_settings(directory / project, settings)

    # The chief only hands out trials: it needs data only where the search space is sized
    # from it, and to score the best model at the end.
    data = task.load(profile, seed) if this_role != "chief" or task.needs_data else None
    if data is not None:
        print(f"[{this_role}] {name}/{task.builder}: {data.description}", flush=True)
    tuner = make_tuner(task, task.hypermodel(data), kind=kind, max_trials=max_trials,
                       epochs=epochs, directory=directory, project=project,
                       overwrite=overwrite, seed=seed)
    if this_role != "worker":
        (directory / project).mkdir(parents=True, exist_ok=True)
        (directory / project / SETTINGS_FILE).write_text(json.dumps(settings, indent=2))
    started = time.time()
    stop_watch = watch_workers(tuner.oracle, worker_timeout) if this_role == "chief" else None
    try:
        fit = {} if kind == "hyperband" else {"epochs": epochs}
        if this_role == "chief":
            tuner.search(verbose=verbose)
        else:
            tuner.search(data.x, data.y, validation_data=data.validation, verbose=verbose,
                         **fit)
    except RuntimeError as error:
        if this_role != "worker":
            check_outcome(tuner.oracle)
        raise TuningFailedError(str(error)) from error
    finally:
        if stop_watch is not None:
            stop_watch.set()
    if this_role == "worker":
        print(f"[{os.environ.get('KERASTUNER_TUNER_ID')}] no trials left; worker done",
              flush=True)
        return None
    check_outcome(tuner.oracle)
    if not summary:
        return None
    if data is None:
        data = task.load(profile, seed)
    keras.backend.clear_session()
    out = Path(output) if output else _default_output(name, profile)
    return write_summary(tuner, task, data, out, dict(
        report=name, builder=task.builder, tuner=kind, profile=profile, seed=seed,
        max_trials=max_trials, epochs=epochs, directory=str(directory), project=project,
        role=this_role, search_seconds=round(time.time() - started, 1)))


def run_in_processes(child_argv, *, max_trials: int, per_process: int) -> int:
    """A search run `per_process` trials at a time, each batch in a fresh process.

    TensorFlow keeps about 40 MiB for every model trained in a process, even after
    `keras.backend.clear_session()` (tensorflow/tensorflow#61791; measured by
    `benchmarks/tuning_memory.py`), so a long search grows until the process ends. Each
    child resumes the search (KerasTuner reloads it) with a larger trial budget; only the
    last one writes the summary. `child_argv(first)` gives the `tune` arguments.
    Returns the exit status of the first child that failed, else 0.
    """
    budgets = list(range(per_process, max_trials, per_process)) + [max_trials]
    for k, budget in enumerate(budgets):
        command = [sys.executable, "-m", "kerasreports.cli", "tune", *child_argv(k == 0),
                   "--max-trials", str(budget)]
        if budget != max_trials:
            command.append("--no-summary")
        print(f"[tune] process {k + 1} of {len(budgets)}: trials up to {budget}", flush=True)
        code = subprocess.call(command)
        if code != 0:
            return code
    return 0


def check_settings(project_dir: Path, settings: dict) -> None:
    """Refuse to resume a search started with other settings (trials would not compare)."""
    path = project_dir / SETTINGS_FILE
    if not path.is_file():
        return
    earlier = json.loads(path.read_text())
    differ = {k: (earlier.get(k), v) for k, v in settings.items() if earlier.get(k) != v}
    if differ:
        said = ", ".join(f"{k} {old!r} then, {new!r} now" for k, (old, new) in differ.items())
        raise SettingsMismatchError(
            f"{project_dir} holds a search started with other settings ({said}): its "
            f"trials would not be comparable with new ones. Rerun with the same options, "
            f"choose another --project, or add --overwrite to start afresh.")


def _default_output(name: str, profile: str) -> Path:
    from kerasreports import run as run_module

    return run_module.default_output(profile).resolve() / name / "tuning"


def trial_rows(tuner) -> list[dict]:
    """One row per trial, best first (failed trials last), with its hyperparameters."""
    oracle = tuner.oracle
    direction = oracle.objective.direction
    rows = []
    for trial_id in oracle.start_order:
        trial = oracle.trials[trial_id]
        rows.append({"trial": trial_id, "status": trial.status,
                     oracle.objective.name: trial.score, "best epoch": trial.best_step,
                     **trial.hyperparameters.values})
    sign = -1 if direction == "max" else 1
    return sorted(rows, key=lambda r: (r[oracle.objective.name] is None,
                                       sign * (r[oracle.objective.name] or 0)))


def write_summary(tuner, task: tuning.TuneTask, data: tuning.SearchData, out: Path,
                  info: dict) -> Path:
    """Write summary.md, results.json and figures/objective.png; replace `out` only whole."""
    from kerasreports import plots

    rows = trial_rows(tuner)
    objective = tuner.oracle.objective.name
    best_hp = tuner.get_best_hyperparameters(1)[0].values
    with warnings.catch_warnings():
        # The checkpoint holds the trial's optimizer state too; scoring needs only weights.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        best_model = tuner.get_best_models(1)[0]
    scores = task.evaluate(best_model, data)
    comparison = _beside_source(task, scores)

    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=_parent(out)))
    (staging / "figures").mkdir()
    in_start_order = sorted(rows, key=lambda r: tuner.oracle.start_order.index(r["trial"]))
    fig = plots.objective_per_trial(
        [r["trial"] for r in in_start_order], [r[objective] for r in in_start_order],
        objective=objective, direction=tuner.oracle.objective.direction,
        title=f"{task.report} / {task.builder}: {info['tuner']} search")
    fig.savefig(staging / "figures" / "objective.png", dpi=100, bbox_inches="tight")
    env = runtime.environment()
    result = {**info, "objective": objective, "direction": tuner.oracle.objective.direction,
              "data": data.description, "best_hyperparameters": best_hp,
              "best_model_scores": scores, "beside_source": comparison, "trials": rows,
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "environment": env}
    (staging / "results.json").write_text(json.dumps(record._plain(result), indent=2) + "\n")
    completed = sum(r["status"] == "COMPLETED" for r in rows)
    lines = [
        f"# {task.report}: hyperparameter search over `{task.builder}`",
        "",
        f"KerasTuner {info['tuner']} search, profile **{info['profile']}**, seed "
        f"{info['seed']}, {completed} of {len(rows)} trials completed, {info['epochs']} "
        f"epochs per trial, objective `{objective}` ({result['direction']}); "
        f"this command took {info['search_seconds']:.0f} s (a resumed search counts only "
        f"its new trials). Run {result['date']} at revision "
        f"`{env['git_revision']}` on {env['machine']}, {env['device']}.",
        "",
        f"Data: {data.description}.",
        "",
        "## Best model beside the source",
        "",
        record.markdown_table(comparison),
        "## Best hyperparameters",
        "",
        record.markdown_table([best_hp]),
        "## Trials, best first",
        "",
        record.markdown_table(rows),
        "## Objective per trial",
        "",
        "![objective per trial](figures/objective.png)",
        "",
    ]
    (staging / "summary.md").write_text("\n".join(lines))
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    print(f"tuning summary: {out / 'summary.md'}", flush=True)
    return out


def _parent(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    return out.parent


def _beside_source(task: tuning.TuneTask, scores: dict) -> list[dict]:
    """The best model's scores beside the source's and the committed report's, where known."""
    figures = {f.metric: f for f in catalog.get(task.report).source_figures}
    committed = (Path(__file__).resolve().parent.parent / "reports" / task.report
                 / "metrics.json")
    run = json.loads(committed.read_text()) if committed.is_file() else {}
    ours = run.get("metrics", {})
    column = f"report ({run.get('profile', 'no')} run)"
    rows = []
    for key, value in scores.items():
        compared = task.source_metrics.get(key, key)
        figure = figures.get(compared)
        # The report's own number for this score; failing that, its number for the metric
        # the score is compared with (e.g. the report's model's depth vs any depth).
        reported = ours.get(key, ours.get(compared))
        rows.append({"score": key, "source": figure.value if figure else None,
                     "source's number": figure.label if figure else "not published",
                     column: reported, "best of search": value})
    return rows


def show(name: str, folder: str | Path | None = None):
    """For a notebook: the latest search summary of report `name`, or how to make one."""
    from IPython.display import Image, Markdown, display

    folder = Path(folder) if folder else (
        Path(__file__).resolve().parent.parent / "reports" / name / "tuning")
    summary = folder / "summary.md"
    if not summary.is_file():
        return Markdown(f"No hyperparameter search has been summarised in `{folder}` yet: "
                        f"`kerasreports tune {name} --profile quick` makes one.")
    text = summary.read_text().split("## Objective per trial")[0]
    display(Markdown(text))
    figure = folder / "figures" / "objective.png"
    return Image(filename=str(figure)) if figure.is_file() else None
