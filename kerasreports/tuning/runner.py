"""Run a KerasTuner search over a report's builder: `tune`, what `kerasreports tune` does.

KerasTuner keeps the search's state (every trial, its hyperparameters, score and best
weights) under `directory/project`, and reloads it when the same command runs again, so
an interrupted search continues where it stopped; `overwrite=True` starts afresh. When it
ends, `kerasreports.tuning.summary` writes `reports/<name>/tuning/`.

What a run may touch is checked before anything trains (on the chief, or the single
process): the options and the seed (here), the search's lock, its saved state and
settings (`kerasreports.tuning.state`), and the summary folder
(`kerasreports.tuning.summary`). Chief and workers: `kerasreports.tuning.distributed`.
`run_in_processes` runs a long search a few trials per process (memory).
"""

from __future__ import annotations

import json
import numbers
import os
import subprocess
import sys
import time
from pathlib import Path

from kerasreports import catalog, outputs, runtime
from kerasreports.tuning import state, summary as summaries
from kerasreports.tuning.distributed import check_outcome, role, start_heartbeat, watch_workers
from kerasreports.tuning.errors import SearchStateError, SearchUsageError, TuningFailedError
from kerasreports.tuning.tasks import TuneTask, task as find_task

TUNERS = ("random", "bayesian", "hyperband")
SEED_MAX = 2**32 - 1  # NumPy's seeds: 0 to 2**32 - 1


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
            self._heartbeat = start_heartbeat(self.oracle, trial.trial_id)

        def on_trial_end(self, trial):
            if getattr(self, "_heartbeat", None) is not None:
                self._heartbeat.set()
            super().on_trial_end(trial)
            print(f"[{self.tuner_id}] trial {trial.trial_id} ended: {trial.status}",
                  flush=True)

    ReportingTuner.__name__ = f"Reporting{base.__name__}"
    return ReportingTuner


def make_tuner(task: TuneTask, hypermodel, *, kind: str, max_trials: int,
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


def tune(name: str, *, builder: str | None = None, kind: str = "random",
         max_trials: int | None = None, epochs: int | None = None, profile: str = "quick",
         directory: str | Path = "tuning", project: str | None = None,
         overwrite: bool = False, seed: int = 0, output: str | Path | None = None,
         worker_timeout: float = 300.0, verbose: int | None = None,
         summary: bool = True, data_dir: str | Path | None = None,
         tensorboard: str | Path | None = None) -> Path | None:
    """Search `name`'s builder; return the summary folder (None on a worker, or when
    `summary=False`).

    Before anything trains, the chief or single process checks the options, takes the
    search's lock, checks the saved state and claims the summary folder (module
    docstring). `verbose`: Keras' 1 (progress bars) on a terminal, else 2 (a line per
    epoch) so that logs of long or distributed searches stay readable. `data_dir`: the
    data root the real data sets are looked for in first (None: the default search);
    the smoke profile's generated data ignores it.
    """
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    seed = check_seed(seed)
    if kind not in TUNERS:
        raise SearchUsageError(f"unknown tuner {kind!r}; choose one of: {', '.join(TUNERS)}")
    task = find_task(name, builder)
    if profile not in catalog.PROFILES:
        raise SearchUsageError(f"unknown profile {profile!r}; choose one of: "
                               f"{', '.join(catalog.PROFILES)}")
    max_trials = max_trials or task.max_trials[profile]
    epochs = epochs or task.epochs[profile]
    if max_trials < 1 or epochs < 1:
        raise SearchUsageError("--max-trials and --epochs must be at least 1")
    project = project or f"{name}-{task.builder}-{profile}-{kind}"
    directory = Path(directory).expanduser().resolve()
    project_dir = directory / project
    this_role = role()
    out = None if this_role == "worker" else summaries.summary_folder(
        output, name, profile, project_dir)

    settings = {"report": name, "builder": task.builder, "tuner": kind, "profile": profile,
                "seed": seed, "epochs": epochs}
    with state.search_lock(project_dir):
        if not overwrite:  # (with --overwrite a worker trusts the chief's fresh search)
            state.check_settings(project_dir, settings)
            state.check_state(project_dir)
        created = out is not None and not out.exists()
        if out is not None:
            summaries.claim_summary_folder(out)
        wrote = False
        try:
            result = _search(task, name, kind=kind, max_trials=max_trials, epochs=epochs,
                             profile=profile, directory=directory, project=project,
                             overwrite=overwrite, seed=seed, settings=settings, out=out,
                             worker_timeout=worker_timeout, verbose=verbose,
                             summary=summary, data_dir=data_dir, tensorboard=tensorboard)
            wrote = result is not None
            return result
        finally:
            if created and not wrote:
                # A failed search leaves no empty summary folder.
                summaries.remove_if_unused(out)


def _search(task, name, *, kind, max_trials, epochs, profile, directory, project,
            overwrite, seed, settings, out, worker_timeout, verbose,
            summary, data_dir, tensorboard=None) -> Path | None:
    """`tune` once the options, the lock, the saved state and the summary folder are fine."""
    import keras

    this_role = role()
    project_dir = directory / project
    runtime.set_seed(seed)
    # The chief only hands out trials: it needs data only where the search space is sized
    # from it, and to score the best model at the end.
    data = (task.load(profile, seed, data_dir) if this_role != "chief" or task.needs_data
            else None)
    if data is not None:
        print(f"[{this_role}] {name}/{task.builder}: {data.description}", flush=True)
    hypermodel = task.hypermodel(data)
    if overwrite and this_role != "worker":
        # Here rather than by KerasTuner's own overwrite, which would delete the lock
        # file this run holds; and only once the data has loaded, as KerasTuner did.
        state.clear_search(project_dir)
    reloading = this_role != "worker" and state.tuner_file(project_dir).is_file()
    try:
        tuner = make_tuner(task, hypermodel, kind=kind, max_trials=max_trials,
                           epochs=epochs, directory=directory, project=project,
                           overwrite=False, seed=seed)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError,
            RuntimeError) as error:
        if not reloading:
            raise
        # check_state read every file; what is left is the oracle's state not fitting.
        raise SearchStateError(state.damaged(project_dir, project_dir / "oracle.json",
                                             state.reason(error))) from error
    if this_role != "worker":
        project_dir.mkdir(parents=True, exist_ok=True)
        outputs.write_file(project_dir / state.SETTINGS_FILE, json.dumps(settings, indent=2))
    started = time.time()
    stop_watch = watch_workers(tuner.oracle, worker_timeout) if this_role == "chief" else None
    try:
        fit = {} if kind == "hyperband" else {"epochs": epochs}
        if this_role == "chief":
            tuner.search(verbose=verbose)
        else:
            if tensorboard is not None:  # KerasTuner gives each trial its own run folder
                fit["callbacks"] = [keras.callbacks.TensorBoard(
                    log_dir=str(Path(tensorboard).expanduser()))]
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
        data = task.load(profile, seed, data_dir)
    keras.backend.clear_session()
    return summaries.write_summary(tuner, task, data, out, dict(
        report=name, builder=task.builder, tuner=kind, profile=profile, seed=seed,
        max_trials=max_trials, epochs=epochs, directory=str(directory), project=project,
        role=this_role, search_seconds=round(time.time() - started, 1)))


def check_seed(seed) -> int:
    """The seed as an int, or `SearchUsageError`: NumPy takes 0 to 2**32 - 1 only."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) \
            or not 0 <= seed <= SEED_MAX:
        raise SearchUsageError(f"--seed must be a whole number from 0 to {SEED_MAX}, "
                               f"not {seed!r}")
    return int(seed)


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
