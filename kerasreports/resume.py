"""Fits that survive an interruption: `resume.fit` in place of `model.fit`.

A report's full profile is hours of training here, and its users run on Colab (which
disconnects) and on preemptible GPU boxes. Every report notebook trains through
`resume.fit(model, x, y, ...)`, which takes `model.fit`'s arguments and adds two things:

1. **Batches that depend only on (seed, epoch).** Arrays are served by `EpochBatches`, a
   `keras.utils.PyDataset` whose order in epoch e is `default_rng([seed, fit, e])`'s
   permutation, on every backend. Keras' own shuffle draws from a random state that runs
   on from the start of the fit, so a fit restarted at epoch 40 would see epoch 0's order
   again; this one sees epoch 40's. A PyDataset of the package's own (dirty_documents'
   patches) does the same through `start_at(epoch)`.
2. **A checkpoint at every epoch end**, while a run is being checkpointed (`kerasreports
   run` turns it on, see below): the model's variables (weights, BatchNorm statistics
   and the dropout layers' seed states), the optimizer's (step count, moments), the
   history so far and the persistent callbacks' records (`EpochTimer`, ...), in one
   `.npz` written through a temporary file and a rename, so a kill leaves the previous
   epoch's checkpoint whole. A rerun of the same run restores a finished fit without
   training it and continues an unfinished one from its last finished epoch. Losses of
   the continued epochs equal an uninterrupted run's to float tolerance
   (tests/test_resume.py kills a real run with SIGKILL).

Where checkpoints go, and when a run resumes. `kerasreports run` resumes by default: a
user whose Colab or GPU box went away reruns the command they ran, which is what they
would try first, and there is nothing to lose, because a run resumes only from its own
checkpoints. The folder is keyed by the report, every resolved parameter, the package's
revision (with a hash of uncommitted changes) and the Keras backend: any change there
starts afresh. `--restart` discards a matching checkpoint. Checkpoints live in
`$KERASREPORTS_CHECKPOINTS` (default `~/.cache/kerasreports/checkpoints`), never in the
output folder, which holds only finished reports; a finished run removes its own. A
notebook run by hand (Jupyter, papermill) checkpoints only when that variable is set.

What a resumed report records: metrics.json's `resumed` lists each fit that was
restored or continued, and from which epoch; summary.md says so in its first lines.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ENV_FOLDER = "KERASREPORTS_CHECKPOINTS"
ENV_RESTART = "KERASREPORTS_RESTART"  # "1": discard this run's checkpoints first
# The pid of the `kerasreports run` process that started this kernel. A runner killed
# with SIGKILL cannot stop its kernel, which would train on and write checkpoints beside
# the run that resumes them; a kernel whose runner is gone stops at its next checkpoint.
ENV_RUNNER = "KERASREPORTS_RUNNER_PID"
# A folder for TensorBoard logs: when set, every fit also writes them, one run folder per
# fit (`kerasreports run --tensorboard DIR`; by hand, set it before starting Jupyter).
ENV_TENSORBOARD = "KERASREPORTS_TENSORBOARD"


def default_folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "kerasreports" / "checkpoints"


@dataclass
class Run:
    """One notebook run: its seed, how many fits it has started, and (when checkpointed)
    its folder and what it restored."""

    seed: int = 0
    folder: Path | None = None
    report: str = ""
    fits: int = 0
    resumed: list[dict] = field(default_factory=list)
    seconds_before: float = 0.0  # wall time of the earlier, interrupted sessions
    started: float = field(default_factory=time.time)

    def total_seconds(self) -> float:
        return self.seconds_before + time.time() - self.started


_RUN = Run()


def run_key(report: str, parameters: dict, revision: str, backend: str) -> str:
    """What a checkpoint belongs to: the same key means the same computation."""
    described = {"report": report, "parameters": parameters, "revision": revision,
                 "backend": backend}
    if revision.endswith("+dirty"):
        described["changes"] = _uncommitted_changes_hash()
    text = json.dumps(described, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _uncommitted_changes_hash() -> str:
    here = Path(__file__).resolve().parent
    try:
        diff = subprocess.run(["git", "diff", "HEAD"], cwd=here, capture_output=True,
                              check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return hashlib.sha256(diff).hexdigest()


def begin(report: str, parameters: dict, environment: dict, *, seed: int = 0) -> Run:
    """Start a run's fits (`record.start` calls it). Checkpointed when $KERASREPORTS_CHECKPOINTS
    names a folder; then an earlier run with the same key is continued."""
    global _RUN
    _RUN = Run(seed=seed, report=report)
    root = os.environ.get(ENV_FOLDER)
    if not root:
        return _RUN
    key = run_key(report, parameters, environment.get("git_revision", "unknown"),
                  environment.get("backend", "unknown"))
    _RUN.folder = Path(root).expanduser().resolve() / f"{report}-{key}"
    if os.environ.get(ENV_RESTART) == "1" and _RUN.folder.exists():
        shutil.rmtree(_RUN.folder)
        print(f"checkpoints: discarded the earlier run's ({_RUN.folder})", flush=True)
    _RUN.folder.mkdir(parents=True, exist_ok=True)
    state = _RUN.folder / "run.json"
    if state.is_file():
        _RUN.seconds_before = float(json.loads(state.read_text()).get("seconds", 0.0))
        print(f"checkpoints: continuing the run in {_RUN.folder} "
              f"({_RUN.seconds_before:.0f} s of earlier sessions)", flush=True)
    else:
        print(f"checkpoints: {_RUN.folder} (rerun the same command to resume)", flush=True)
    return _RUN


def current() -> Run:
    return _RUN


def finish(run: Run | None = None) -> None:
    """The run is done: remove its checkpoints (`record.Recorder.finish` calls it)."""
    run = run or _RUN
    if run.folder is not None and run.folder.exists():
        shutil.rmtree(run.folder, ignore_errors=True)


# ---------------------------------------------------------------- batches


def EpochBatches(x, y=None, *, batch_size: int, seed, drop_remainder: bool = False):
    """Arrays (or nested structures of arrays) in batches whose order in epoch e depends
    only on (seed, e): a `keras.utils.PyDataset` with `start_at(epoch)`."""
    return _epoch_batches_class()(x, y, batch_size=batch_size, seed=seed,
                                  drop_remainder=drop_remainder)


@functools.cache
def _epoch_batches_class():
    # Made on first use: importing this module must not import Keras (the CLI reads it).
    import keras

    class SeededEpochBatches(_EpochBatchesMixin, keras.utils.PyDataset):
        pass

    return SeededEpochBatches


class _EpochBatchesMixin:
    def __init__(self, x, y, *, batch_size: int, seed, drop_remainder: bool = False):
        super().__init__()
        import keras

        self.x, self.y = x, y
        self.batch_size, self.seed = int(batch_size), seed
        self.n = len(keras.tree.flatten(x)[0])
        self.drop_remainder = drop_remainder and self.n >= self.batch_size
        self.start_at(0)

    def start_at(self, epoch: int) -> None:
        self.epoch = epoch
        self.order = np.random.default_rng([*np.atleast_1d(self.seed), epoch]).permutation(self.n)

    def __len__(self):
        if self.drop_remainder:
            return self.n // self.batch_size
        return math.ceil(self.n / self.batch_size)

    def __getitem__(self, i):
        import keras

        index = np.sort(self.order[i * self.batch_size:(i + 1) * self.batch_size])
        def take(structure):
            # Lists as tuples: TensorFlow's from_generator takes no list in a signature.
            taken = keras.tree.map_structure(lambda array: np.asarray(array)[index], structure)
            return tuple(taken) if isinstance(taken, list) else taken

        if self.y is None:
            return (take(self.x),)
        return take(self.x), take(self.y)

    def on_epoch_end(self):
        self.start_at(self.epoch + 1)


# ---------------------------------------------------------------- own loops


class LoopCheckpoint:
    """The checkpoint of a training loop of one's own (scratch_framework's, outside Keras),
    numbered with the run's fits: `restore()` gives what the last `save` stored, or None;
    `save` stores arrays (the parameters) and a JSON-able state (the epoch, the history,
    a NumPy generator's `bit_generator.state`). Without checkpointing both do nothing."""

    def __init__(self, label: str, path: Path | None):
        self.label, self.path = label, path

    def restore(self) -> dict | None:
        if self.path is None or not self.path.is_file():
            return None
        with np.load(self.path) as data:
            state = json.loads(str(data["meta"]))
            if state.get("label") != self.label:
                raise RuntimeError(f"checkpoint {self.path} belongs to {state.get('label')!r}, "
                                   f"not {self.label!r}: rerun with --restart")
            state["arrays"] = {k: data[k] for k in data.files if k != "meta"}
        _RUN.resumed.append({"fit": int(self.path.stem.split("-")[1]), "model": self.label,
                             "from_epoch": state["epoch"], "epochs": state["epochs"],
                             "finished": state["finished"]})
        return state

    def save(self, arrays: dict, *, epoch: int, epochs: int, **state) -> None:
        if self.path is None:
            return
        meta = {"label": self.label, "epoch": epoch, "epochs": epochs,
                "finished": epoch >= epochs, **state}
        _write_npz(self.path, meta, arrays)


def loop(label: str) -> LoopCheckpoint:
    """The next fit's checkpoint, for a loop that is not `model.fit`."""
    _RUN.fits += 1
    folder = _RUN.folder
    return LoopCheckpoint(label, folder / f"fit-{_RUN.fits:03d}.npz" if folder else None)


def _runner_gone() -> bool:
    try:
        pid = int(os.environ.get(ENV_RUNNER) or 0)
    except ValueError:
        return False
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's: not ours to judge
        return False
    return False


def _write_npz(path: Path, meta: dict, arrays: dict) -> None:
    """One .npz through a temporary file and a rename (a kill leaves the previous one),
    and the run's wall time so far beside it."""
    if _runner_gone():
        print("checkpoints: the kerasreports run that started this kernel is gone; "
              "stopping without writing", flush=True)
        os._exit(1)
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta, default=float)), **arrays)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)
    run_state = path.parent / "run.json"
    run_tmp = run_state.with_name("run.json.tmp")
    run_tmp.write_text(json.dumps({"seconds": _RUN.total_seconds()}))
    os.replace(run_tmp, run_state)


# ---------------------------------------------------------------- fit


def fit(model, x, y=None, *, epochs: int = 1, batch_size: int | None = None,
        shuffle: bool = True, drop_remainder: bool = False, validation_data=None,
        validation_split: float = 0.0, callbacks=(), verbose=2, seed=None, **options):
    """`model.fit` with batches fixed by (seed, epoch) and, in a checkpointed run, a
    checkpoint at each epoch end and a resume from the last one. Returns a
    `keras.callbacks.History` of every epoch (restored ones included).

    `seed` defaults to (the run's seed, this fit's number in the run). `drop_remainder`
    leaves out a last partial batch (a `tf.data`-style recipe's choice). Callbacks with
    `get_state()` / `set_state(state)` (`training.EpochTimer`, `TrainingSeconds`,
    `StepLosses`) have their records kept with the checkpoint.
    """
    run = _RUN
    run.fits += 1
    number = run.fits
    if validation_split:
        (x, y), validation_data = _split(x, y, validation_split)
    if _is_arrays(x):
        if batch_size is None:
            batch_size = 32  # Keras' default
        order_seed = [run.seed, number] if seed is None else seed
        if shuffle:
            x, y = EpochBatches(x, y, batch_size=batch_size, seed=order_seed,
                                drop_remainder=drop_remainder), None
        else:
            options["batch_size"] = batch_size
    keeps = [c for c in callbacks if hasattr(c, "get_state")]
    checkpoint = _Checkpoint(run.folder / f"fit-{number:03d}.npz", model, keeps) \
        if run.folder is not None else None

    previous, initial_epoch = {}, 0
    if checkpoint is not None and checkpoint.path.is_file():
        state = checkpoint.restore()
        previous, initial_epoch = state["history"], state["epoch"]
        entry = {"fit": number, "model": model.name, "from_epoch": initial_epoch,
                 "epochs": epochs, "finished": state["finished"]}
        run.resumed.append(entry)
        if state["finished"]:
            print(f"{model.name}: restored from its checkpoint, trained before "
                  f"({initial_epoch} epochs)", flush=True)
            return _history(model, previous)
        print(f"{model.name}: resuming at epoch {initial_epoch + 1} of {epochs} "
              f"from its checkpoint", flush=True)
    if hasattr(x, "start_at"):
        x.start_at(initial_epoch)
    # shuffle=False: the batches come in their (seed, epoch) order already, and Keras
    # would otherwise shuffle a PyDataset's batch order from its own random state.
    every = [*callbacks] + ([checkpoint.callback(previous, epochs)] if checkpoint else [])
    every += _tensorboard(run, number, model.name)
    history = model.fit(x, y, epochs=epochs, initial_epoch=initial_epoch,
                        validation_data=validation_data, callbacks=every,
                        verbose=verbose, shuffle=False, **options)
    return _history(model, _merged(previous, history.history))


def _tensorboard(run: Run, number: int, model_name: str) -> list:
    """A TensorBoard callback logging into $KERASREPORTS_TENSORBOARD/REPORT-seedS/
    fit-NNN-MODEL (one run folder per fit, so TensorBoard lists each model), or none."""
    root = os.environ.get(ENV_TENSORBOARD)
    if not root:
        return []
    import keras

    folder = (Path(root).expanduser() / f"{run.report or 'notebook'}-seed{run.seed}"
              / f"fit-{number:03d}-{model_name}")
    return [keras.callbacks.TensorBoard(log_dir=str(folder))]


def _is_arrays(x) -> bool:
    import keras

    leaves = keras.tree.flatten(x) if x is not None else []
    return bool(leaves) and all(isinstance(a, np.ndarray) or hasattr(a, "__array__")
                                and hasattr(a, "shape") and not hasattr(a, "element_spec")
                                for a in leaves)


def _split(x, y, fraction: float):
    """Keras' validation_split: the last `fraction` of the samples, unshuffled."""
    import keras

    n = len(keras.tree.flatten(x)[0])
    at = int(math.floor(n * (1.0 - fraction)))
    if at in (0, n):
        raise ValueError(f"validation_split={fraction} leaves no training or no "
                         f"validation samples out of {n}")
    def part(arrays, piece):
        return None if arrays is None else keras.tree.map_structure(lambda a: a[piece], arrays)

    train, held = slice(None, at), slice(at, None)
    return (part(x, train), part(y, train)), (part(x, held), part(y, held))


def _merged(previous: dict, new: dict) -> dict:
    keys = list(dict.fromkeys([*previous, *new]))
    return {k: list(previous.get(k, [])) + list(new.get(k, [])) for k in keys}


def _history(model, values: dict):
    import keras

    history = keras.callbacks.History()
    history.set_model(model)
    history.history = values
    history.epoch = list(range(len(next(iter(values.values()), []))))
    return history


class _Checkpoint:
    """One fit's state in one .npz: variables, optimizer, history, callbacks' records."""

    def __init__(self, path: Path, model, keeps):
        self.path, self.model, self.keeps = path, model, keeps

    def _variables(self):
        optimizer = getattr(self.model, "optimizer", None)
        return list(self.model.variables), list(optimizer.variables) if optimizer else []

    def save(self, history: dict, epoch: int, finished: bool) -> None:
        import keras

        model_vars, optimizer_vars = self._variables()
        arrays = {f"m{i}": keras.ops.convert_to_numpy(v.value) for i, v in enumerate(model_vars)}
        arrays.update({f"o{i}": keras.ops.convert_to_numpy(v.value)
                       for i, v in enumerate(optimizer_vars)})
        meta = {"model": self.model.name, "epoch": epoch, "finished": finished,
                "history": history, "model_variables": len(model_vars),
                "optimizer_variables": len(optimizer_vars),
                "callbacks": [c.get_state() for c in self.keeps]}
        _write_npz(self.path, meta, arrays)

    def restore(self) -> dict:
        with np.load(self.path) as data:
            meta = json.loads(str(data["meta"]))
            model_vars, optimizer_vars = self._variables()
            if (meta["model"] != self.model.name
                    or meta["model_variables"] != len(model_vars)):
                raise RuntimeError(
                    f"checkpoint {self.path} holds model {meta['model']!r} with "
                    f"{meta['model_variables']} variables, not {self.model.name!r} with "
                    f"{len(model_vars)}: the notebook trains other models than the run "
                    f"that wrote it; rerun with --restart")
            for i, variable in enumerate(model_vars):
                variable.assign(data[f"m{i}"])
            optimizer = getattr(self.model, "optimizer", None)
            if optimizer is not None and meta["optimizer_variables"]:
                if not optimizer.built:
                    optimizer.build(self.model.trainable_variables)
                for i, variable in enumerate(optimizer.variables):
                    variable.assign(data[f"o{i}"])
        for callback, state in zip(self.keeps, meta["callbacks"]):
            callback.set_state(state)
        return meta

    def callback(self, previous: dict, epochs: int):
        import keras

        checkpoint = self

        class SaveAtEpochEnd(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.history = {k: list(v) for k, v in previous.items()}
                self.epoch = 0

            def on_epoch_end(self, epoch, logs=None):
                for key, value in (logs or {}).items():
                    self.history.setdefault(key, []).append(float(value))
                self.epoch = epoch + 1
                checkpoint.save(self.history, self.epoch, finished=self.epoch >= epochs)

            def on_train_end(self, logs=None):
                if self.epoch:  # early stopping ends a fit before `epochs`: finished too
                    checkpoint.save(self.history, self.epoch, finished=True)

        return SaveAtEpochEnd()
