"""Run a KerasTuner search over a report's builder, and write what it found.

`run` is what `kerasreports tune` does. KerasTuner keeps the search's state (every trial,
its hyperparameters, score and best weights) under `directory/project`, and reloads it
when the same command runs again, so an interrupted search continues where it stopped;
`overwrite=True` starts afresh. When it ends, `reports/<name>/tuning/` gets a summary:
every trial sorted by objective, the best hyperparameters, a figure of the objective per
trial, and the best model scored on held-out data beside the source's numbers.

What a run may touch, checked before anything trains (on the chief, or the single process):

- The summary folder (`--output`) is claimed with `outputs.claim`: it must be new, empty,
  or an earlier summary (it holds the `.kerasreports-output` marker and only what a
  summary holds). Anything else (a project, a home folder, a run's report tree, a folder
  holding or inside the search state) is refused with `outputs.OutputFolderError` and
  nothing in it is touched. The new summary is built in a hidden sibling folder and
  swapped in whole (`outputs.replace_dir`); a search that fails leaves no summary.
- One run at a time per search: the chief or single process holds `outputs.lock` on
  `directory/project` for the whole run, so a second `tune` of the same search refuses
  at once with `outputs.FolderBusyError` naming the first. Workers share the chief's
  search and take no lock.
- Saved state that cannot be reloaded (a truncated `oracle.json`, `trial.json` or
  `kerasreports_search.json`) is a `SearchStateError` naming the file and `--overwrite`,
  not a traceback from inside KerasTuner.

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
import numbers
import os
import shutil
import subprocess
import sys
import threading
import time
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

from kerasreports import catalog, outputs, record, runtime, tuning
from kerasreports.errors import InvalidValueError

TUNERS = ("random", "bayesian", "hyperband")
HEARTBEAT_SECONDS = 2.0
SEED_MAX = 2**32 - 1  # NumPy's seeds: 0 to 2**32 - 1


class TuningFailedError(RuntimeError):
    """All, or most, trials of a search failed; the message shows the first failure."""


class SearchUsageError(InvalidValueError):  # a ValueError too
    """Options or saved state that stop a search before it trains: the user's to fix
    (`kerasreports` shows the message and exits 2)."""


class SettingsMismatchError(SearchUsageError):
    """A search was resumed with settings that would make its trials incomparable."""


class SearchStateError(SearchUsageError):
    """A file of a search's saved state is damaged, so the search cannot be resumed."""


SETTINGS_FILE = "kerasreports_search.json"
# What `write_summary` puts in the summary folder; a folder holding more is not replaced.
SUMMARY_ENTRIES = frozenset({outputs.MARKER, "summary.md", "results.json", "figures"})
SUMMARY_MARKER_TEXT = ("This folder is a search summary written by `kerasreports tune`, "
                       "which replaces it whole (summary.md, results.json, figures/).\n")
STALE_WORK_SECONDS = 3600  # a hidden summary work folder older than this is a killed run's


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

    Before anything trains, the chief or single process checks the options, takes the
    search's lock, checks the saved state and claims the summary folder (module
    docstring). `verbose`: Keras' 1 (progress bars) on a terminal, else 2 (a line per
    epoch) so that logs of long or distributed searches stay readable.
    """
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    seed = check_seed(seed)
    if kind not in TUNERS:
        raise SearchUsageError(f"unknown tuner {kind!r}; choose one of: {', '.join(TUNERS)}")
    task = tuning.task(name, builder)
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
    out = None if this_role == "worker" else summary_folder(
        output, name, profile, project_dir)

    settings = {"report": name, "builder": task.builder, "tuner": kind, "profile": profile,
                "seed": seed, "epochs": epochs}
    with search_lock(project_dir):
        if not overwrite:  # (with --overwrite a worker trusts the chief's fresh search)
            check_settings(project_dir, settings)
            check_state(project_dir)
        created = out is not None and not out.exists()
        if out is not None:
            claim_summary_folder(out)
        wrote = False
        try:
            result = _search(task, name, kind=kind, max_trials=max_trials, epochs=epochs,
                             profile=profile, directory=directory, project=project,
                             overwrite=overwrite, seed=seed, settings=settings, out=out,
                             worker_timeout=worker_timeout, verbose=verbose,
                             summary=summary)
            wrote = result is not None
            return result
        finally:
            if created and not wrote:
                _remove_if_unused(out)  # a failed search leaves no empty summary folder


def _search(task, name, *, kind, max_trials, epochs, profile, directory, project,
            overwrite, seed, settings, out, worker_timeout, verbose,
            summary) -> Path | None:
    """`run` once the options, the lock, the saved state and the summary folder are fine."""
    import keras

    this_role = role()
    project_dir = directory / project
    runtime.set_seed(seed)
    # The chief only hands out trials: it needs data only where the search space is sized
    # from it, and to score the best model at the end.
    data = task.load(profile, seed) if this_role != "chief" or task.needs_data else None
    if data is not None:
        print(f"[{this_role}] {name}/{task.builder}: {data.description}", flush=True)
    hypermodel = task.hypermodel(data)
    if overwrite and this_role != "worker":
        # Here rather than by KerasTuner's own overwrite, which would delete the lock
        # file this run holds; and only once the data has loaded, as KerasTuner did.
        clear_search(project_dir)
    reloading = this_role != "worker" and _tuner_file(project_dir).is_file()
    try:
        tuner = make_tuner(task, hypermodel, kind=kind, max_trials=max_trials,
                           epochs=epochs, directory=directory, project=project,
                           overwrite=False, seed=seed)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError,
            RuntimeError) as error:
        if not reloading:
            raise
        # check_state read every file; what is left is the oracle's state not fitting.
        raise SearchStateError(_damaged(project_dir, project_dir / "oracle.json",
                                        _reason(error))) from error
    if this_role != "worker":
        project_dir.mkdir(parents=True, exist_ok=True)
        outputs.write_file(project_dir / SETTINGS_FILE, json.dumps(settings, indent=2))
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
    return write_summary(tuner, task, data, out, dict(
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


# ------------------------------------------------------------------ the search's lock

@contextmanager
def search_lock(project_dir: Path):
    """Hold `directory/project`'s lock while the chief or single process runs; a worker
    shares the chief's search and takes none. A second run refuses at once."""
    if role() == "worker":
        yield
        return
    try:
        project_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SearchUsageError(
            f"cannot keep the search state in {project_dir}: "
            f"{error.strerror or error}. Choose another --directory.") from None
    held = ExitStack()
    try:
        held.enter_context(outputs.lock(project_dir, what="search"))
    except outputs.FolderBusyError:
        raise outputs.FolderBusyError(_busy_message(project_dir)) from None
    with held:
        yield


def _busy_message(project_dir: Path) -> str:
    try:
        holder = json.loads((project_dir / outputs.LOCK).read_text())
        first = (f"pid {holder['pid']}, running since {holder['since']}: "
                 f"{holder['command']}")
    except (OSError, ValueError, KeyError, TypeError):
        first = "its process id is not recorded yet"
    return (f"another kerasreports tune is running the search {project_dir} ({first}). "
            f"Two runs of one search would overwrite each other's trials: wait for it to "
            f"finish or stop it, or give another --project or --directory. (The workers "
            f"of a distributed search share the chief's search and are not refused.)")


def clear_search(project_dir: Path) -> None:
    """What `--overwrite` does: empty the project, keeping the lock this run holds."""
    for path in project_dir.iterdir():
        if path.name == outputs.LOCK:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


# ------------------------------------------------------------------ saved state

def _tuner_file(project_dir: Path) -> Path:
    """The file whose presence makes KerasTuner reload the search (base_tuner.py)."""
    return project_dir / f"{os.environ.get('KERASTUNER_TUNER_ID', 'tuner0')}.json"


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200] if text else 'no message'}"


def _damaged(project_dir: Path, path: Path, reason: str) -> str:
    return (f"the search in {project_dir} cannot be resumed: its state file {path} "
            f"cannot be read back ({reason}); perhaps a run was killed while writing it, "
            f"or the file was edited. Rerun with --overwrite to start the search afresh (its earlier "
            f"trials are discarded), or give another --project to keep this one.")


def _read_state(project_dir: Path, path: Path) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SearchStateError(_damaged(project_dir, path, _reason(error))) from None
    if not isinstance(state, dict):
        raise SearchStateError(_damaged(project_dir, path, f"a JSON {type(state).__name__}, "
                                                           f"not an object"))
    return state


def check_state(project_dir: Path) -> None:
    """Raise `SearchStateError` if the files KerasTuner would reload do not parse.

    KerasTuner reloads when `<tuner id>.json` exists: the chief or single process then
    reads `oracle.json` and every `trial_*/trial.json` (oracle.py `reload`), a worker only
    its own file. A truncated file would otherwise end in a JSONDecodeError traceback.
    """
    tuner_file = _tuner_file(project_dir)
    if not tuner_file.is_file():
        return  # nothing is reloaded: KerasTuner starts the search
    _read_state(project_dir, tuner_file)
    if role() == "worker":
        return
    oracle_file = project_dir / "oracle.json"
    if not oracle_file.is_file():
        raise SearchStateError(_damaged(project_dir, oracle_file, "the file is missing"))
    _read_state(project_dir, oracle_file)
    from keras_tuner.src.engine import trial as trial_module

    for path in sorted(project_dir.glob("trial_*/trial.json")):
        state = _read_state(project_dir, path)
        try:
            trial_module.Trial.from_state(state)
        except Exception as error:  # a missing key, a wrong type: KerasTuner's own check
            raise SearchStateError(_damaged(project_dir, path, _reason(error))) from None


# ------------------------------------------------------------------ the summary folder

def summary_folder(output, name: str, profile: str, project_dir: Path) -> Path:
    """The summary folder, resolved; refused where it and the search state overlap."""
    out = (Path(output).expanduser() if output else _default_output(name, profile)).resolve()
    if out == project_dir or out in project_dir.parents or project_dir in out.parents:
        raise outputs.OutputFolderError(
            f"--output {out} overlaps the search state {project_dir}: replacing the summary "
            f"would delete the search's state, and --overwrite would delete the summary. "
            f"Give an --output outside the search's project folder; nothing was touched.")
    return out


def claim_summary_folder(out: Path) -> Path:
    """`outputs.claim` the summary folder, and refuse one holding more than a summary."""
    out = outputs.claim(out, what="output")
    others = sorted(p.name for p in out.iterdir() if p.name not in SUMMARY_ENTRIES)
    if others:
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        raise outputs.OutputFolderError(
            f"--output {out} holds files that a search summary does not ({shown}), and "
            f"`kerasreports tune` replaces its summary folder whole; nothing was touched. "
            f"Give a new or empty folder, or the folder of an earlier search summary.")
    return out


def _remove_if_unused(out: Path) -> None:
    """Remove a summary folder this run created if it still holds only the marker."""
    try:
        if out.is_dir() and {p.name for p in out.iterdir()} <= {outputs.MARKER}:
            shutil.rmtree(out)
    except OSError:
        pass


def _remove_stale_work(out: Path) -> None:
    """Remove hidden work folders of `out` that killed runs left beside it.

    The parent is not ours to lock, so only folders older than `STALE_WORK_SECONDS` go: a
    live run's work folder lives for the seconds it takes to write a summary.
    """
    now = time.time()
    for prefix in (outputs.WORK_PREFIX, outputs.OLD_PREFIX):
        for path in out.parent.glob(f".{out.name}{prefix}*"):
            try:
                if path.is_dir() and now - path.stat().st_mtime > STALE_WORK_SECONDS:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                pass


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
    earlier = _read_state(project_dir, path)
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
    """Write summary.md, results.json and figures/objective.png into a hidden sibling of
    `out`, then swap it in whole; `out` must be (or become) a claimed summary folder."""
    out = claim_summary_folder(out)  # again: the search may have taken hours
    rows = trial_rows(tuner)
    objective = tuner.oracle.objective.name
    best_hp = tuner.get_best_hyperparameters(1)[0].values
    with warnings.catch_warnings():
        # The checkpoint holds the trial's optimizer state too; scoring needs only weights.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        best_model = tuner.get_best_models(1)[0]
    scores = task.evaluate(best_model, data)
    comparison = _beside_source(task, scores)

    _remove_stale_work(out)
    staging = outputs.work_dir(out.parent, out.name)
    try:
        _write_summary_files(staging, tuner, task, data, info, rows, objective, best_hp,
                             scores, comparison)
        (staging / outputs.MARKER).write_text(SUMMARY_MARKER_TEXT)
        outputs.replace_dir(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"tuning summary: {out / 'summary.md'}", flush=True)
    return out


def _write_summary_files(staging: Path, tuner, task, data, info, rows, objective, best_hp,
                         scores, comparison) -> None:
    from kerasreports import plots

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
