"""Training recipes: how a builder's model is optimised, kept apart from what it is.

A `Recipe` is the batch size, learning rate and its schedule, whether to compile the step
with XLA (`"auto"`, the default, is Keras' choice: off for TensorFlow on a CPU, `jax.jit`
on JAX, which runs op by op without it), and whether an epoch leaves out its last partial
batch (`drop_remainder`: a partial batch retraces the step function; the sources kept it).
Every fit goes through `resume.fit`: batches in an order fixed by (seed, epoch), served
by a `keras.utils.PyDataset` (on this CPU as fast as Keras' array adapter and a shuffled
`tf.data` pipeline: 22, 21 and 26 ms a step for translation's LSTM at batch 16 on
TensorFlow, 13 ms on JAX), and a checkpoint at each epoch end in a checkpointed run. The same architecture trained with two recipes is how the reports compare
the source's way of training with a faster one (e.g. `models.translation.SOURCE_RECIPE`
and `FAST_RECIPE`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import keras

from kerasreports import resume


# Fits of at most this many steps in all run eagerly under `Recipe(eager="auto")`, and so
# do the trials of a search that small (`kerasreports.tuning.spaces`).
EAGER_STEPS = 24


def few_steps(steps: int) -> bool:
    """Whether a fit of `steps` steps in all is one to run eagerly (`Recipe.run_eagerly`)."""
    return steps <= EAGER_STEPS


@dataclass(frozen=True)
class Recipe:
    name: str
    batch_size: int
    learning_rate: float
    schedule: str = "constant"  # or "cosine": decay to 0 over the whole run
    jit_compile: bool | str = "auto"
    drop_remainder: bool = False  # leave out each epoch's last partial batch
    # "auto": run a fit of at most EAGER_STEPS steps eagerly (see `run_eagerly`).
    eager: bool | str = "auto"

    def run_eagerly(self, steps: int) -> bool:
        """Whether a fit of `steps` steps in all should skip compiling its step functions.

        Tracing a recurrent model's train and predict functions costs seconds; a fit of a
        few steps (the smoke profile's) spends far more time tracing than training, and
        runs 4-5 times faster eagerly (`benchmarks/eager_small_fits.py`). Same ops, same
        seeds: only the speed differs.
        """
        if self.eager == "auto":
            return few_steps(steps) and self.jit_compile is not True
        return bool(self.eager)

    def describe(self) -> str:
        return (f"{self.name}: batch {self.batch_size}, Adam lr {self.learning_rate:g} "
                f"({self.schedule}), XLA {self.xla}, "
                f"{'full batches only' if self.drop_remainder else 'every batch'}")

    @property
    def xla(self) -> str:
        if self.jit_compile == "auto":
            return "auto"
        return "on" if self.jit_compile else "off"

    def optimizer(self, steps_per_epoch: int, epochs: int):
        if self.schedule == "constant":
            return keras.optimizers.Adam(self.learning_rate)
        if self.schedule == "cosine":
            total = max(1, steps_per_epoch * epochs)
            return keras.optimizers.Adam(
                keras.optimizers.schedules.CosineDecay(self.learning_rate, total))
        raise ValueError(f"unknown schedule {self.schedule!r}; use 'constant' or 'cosine'")


class EpochTimer(keras.callbacks.Callback):
    """Records the wall time at the end of each epoch (seconds since training began; a
    fit resumed from a checkpoint (`kerasreports.resume`) counts on from its epochs)."""

    def __init__(self):
        super().__init__()
        self.seconds: list[float] = []

    def get_state(self):
        return list(self.seconds)

    def set_state(self, state):
        self.seconds = list(state)

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter() - (self.seconds[-1] if self.seconds else 0.0)

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


class EpochEvaluation(keras.callbacks.Callback):
    """Adds `evaluate(model)`'s numbers to each epoch's logs (and so to the history).

    For validation numbers Keras cannot compute from batches, e.g. SSIM of whole pages at
    their original size. `evaluate` returns {name: float}; names should start "val_".
    """

    def __init__(self, evaluate, *, verbose: bool = True):
        super().__init__()
        self.evaluate = evaluate
        self.verbose = verbose

    def on_epoch_end(self, epoch, logs=None):
        results = {key: float(value) for key, value in self.evaluate(self.model).items()}
        if logs is not None:
            logs.update(results)
        if self.verbose:
            shown = ", ".join(f"{key} {value:.4f}" for key, value in results.items())
            print(f"epoch {epoch + 1}: {shown}", flush=True)


def compile_and_fit(model, recipe: Recipe, x, y, *, validation, epochs: int, loss: str,
                    metrics=("accuracy",), verbose=2, callbacks=(), seed=None):
    """Compile `model` with `recipe`, fit it (`resume.fit`: batches fixed by seed and
    epoch, checkpoints in a checkpointed run), return (history dict, epoch end times)."""
    # Keep a lone partial batch when there is nothing else to train on.
    drop = recipe.drop_remainder and len(x) >= recipe.batch_size
    steps = len(x) // recipe.batch_size if drop else math.ceil(len(x) / recipe.batch_size)
    model.compile(optimizer=recipe.optimizer(steps, epochs), loss=loss,
                  metrics=list(metrics), jit_compile=recipe.jit_compile,
                  run_eagerly=recipe.run_eagerly(steps * epochs))
    timer = EpochTimer()
    history = resume.fit(model, x, y, batch_size=recipe.batch_size, epochs=epochs,
                         drop_remainder=drop, validation_data=validation, verbose=verbose,
                         callbacks=[timer, *callbacks], seed=seed)
    return history.history, timer.seconds


def fit(model, x, y, *, epochs: int, batch_size: int, learning_rate: float = 0.001,
        schedule: str = "constant", loss: str = "categorical_crossentropy",
        seed: int = 0) -> tuple[dict, float]:
    """Train `model` with Adam on shuffled full batches, without validation; print
    one line saying what is trained how; return (history dict, training seconds).

    The arithmetic report's way of training every model (its scores come afterwards,
    from `evaluate`): accuracy is tracked for the classifiers, nothing for MSE models.
    """
    recipe = Recipe(model.name, batch_size, learning_rate, schedule, drop_remainder=True)
    print(f"{model.name}: {model.count_params():,} parameters |", recipe.describe(),
          f"| {len(x)} examples, {epochs} epochs", flush=True)
    tracked = ("accuracy",) if loss == "categorical_crossentropy" else ()
    history, seconds = compile_and_fit(model, recipe, x, y, validation=None, epochs=epochs,
                                       loss=loss, metrics=tracked, verbose=2, seed=seed)
    return history, seconds[-1]


class StepLosses(keras.callbacks.Callback):
    """The training loss of each of the first `steps` steps (for a "hockey stick" plot);
    `key` names the logged value to follow (a metric such as an unregularised
    cross-entropy, or "loss", which includes any regularisation penalty).

    Keras 3 hands `on_train_batch_end` the epoch's running mean, not the step's loss; with
    equal batches the step's own loss is k·mean_k − (k−1)·mean_(k−1). A partial last batch
    makes that step's value approximate, which a plot of the first steps does not reach
    unless an epoch is shorter than `steps`.
    """

    def __init__(self, steps: int, key: str = "loss"):
        super().__init__()
        self.steps = steps
        self.key = key
        self.losses: list[float] = []
        self._previous_mean = 0.0

    def get_state(self):
        return list(self.losses)

    def set_state(self, state):
        self.losses = list(state)

    def on_epoch_begin(self, epoch, logs=None):
        self._previous_mean = 0.0

    def on_train_batch_end(self, batch, logs=None):
        if len(self.losses) >= self.steps or not logs or self.key not in logs:
            return
        mean = float(logs[self.key])
        self.losses.append((batch + 1) * mean - batch * self._previous_mean)
        self._previous_mean = mean


class TrainingSeconds(keras.callbacks.Callback):
    """Seconds spent in training steps, validation left out: per epoch, from its start to
    its last training batch (the validation pass comes after). `seconds` sums them; a
    throughput is the examples (or tokens) trained divided by it."""

    def __init__(self):
        super().__init__()
        self.seconds = 0.0
        self._start = self._last = 0.0

    def get_state(self):
        return self.seconds

    def set_state(self, state):
        self.seconds = float(state)

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._last = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds += self._last - self._start
