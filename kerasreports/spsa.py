"""SPSA, the source's gradient-free learning algorithm (`seeds/002_*` section 2.7.2,
Algorithm 2), as a small training loop for any Keras model, and a matching Adam loop.

Simultaneous Perturbation Stochastic Approximation (Spall 1992) estimates the whole
gradient from two loss evaluations: at step k = 1, 2, ... draw a Rademacher vector Delta
(every entry +-1 with probability 1/2) over *all* trainable variables at once,

    a_k = a / (k + A)**alpha,   c_k = c / k**gamma,
    g_k = (J(theta + c_k Delta) - J(theta - c_k Delta)) / (2 c_k Delta),
    theta <- theta - a_k g_k,

where J is the loss on one mini-batch, the same for both evaluations (so the difference
measures the perturbation, not the change of batch). 1/Delta_i = Delta_i for +-1 entries.

The loss is evaluated in inference mode (`training=False`): SPSA needs no gradients, only
two values of one deterministic function of theta. With dropout active the two evaluations
would see different masks, whose difference swamps the O(c_k) effect of the
perturbation; BatchNorm in training mode would normalise by the batch statistics and move
its running statistics at every evaluation, at perturbed weights. (So a BatchNorm model
trained by SPSA keeps its initial running statistics, 0 and 1, and its BatchNorm layers act
as learned per-channel affine maps.) J includes the model's regularisation losses
(`model.losses`), so an L2 model is trained on its penalised loss.

Cost is counted in loss evaluations, i.e. forward passes on one mini-batch: 2 per SPSA
step. An Adam step (`adam_fit`) evaluates the loss once and back-propagates it; we count it
as one loss evaluation, the same mini-batch forward pass, and so compare the two at the
same number of mini-batch forward passes (`adam_steps_for(e)` = e). A backward pass costs
about two forward passes, so at equal compute Adam gets a third as many steps:
`adam_steps_for(e, backward_cost=2)`.

Defaults: alpha = 0.602 and gamma = 0.101 are Spall's practical exponents (Algorithm 2's
gamma in (1/6, 1/2] is the asymptotic range; Spall recommends 0.101 for finite runs);
A = 10% of the steps (Spall's guideline), at least 50 (`default_A`); a = 0.1, c = 0.03,
measured on LeNet (PyTorch init) and CIFAR-10 training images on this 2-core CPU, batch
128, validation on 2,000 images outside the 5,000 (6,000) trained on:

    500 steps, A = 50, c = 0.01:  a = 0.03 -> 13.9% val. acc.; 0.1 -> 20.9%;
                                  0.2 and 0.3 diverge (val. loss 3.6 and 1.5e4)
    500 steps, a = 0.1:           c = 0.003 -> 20.8%, 0.01 -> 20.9%, 0.03 -> 20.6%
    500 steps, a = 0.15, c = 0.03: 22.0%
    2,000 steps, A = 200, c = 0.03: a = 0.1 -> 23.2% (val. loss 2.31 -> 2.06, still
                                    falling), a = 0.15 -> 27.3% (1.98)

c hardly matters (the loss is linear in the perturbation up to c ~ 0.03 here: |J(+) -
J(-)|/2c is 0.25 for c = 0.001 to 0.03, the true gradient's norm 0.24). a is limited by
stability: every step also moves each of the 62,006 weights by a_k |Delta . g| at random,
and that random walk wins for a >= 0.2. a = 0.1 keeps a margin of 2 below it; 0.15 learns
faster. With a fixed, a longer run (larger A) starts with smaller steps and adds less
noise in all, so the defaults hold for longer runs. At 4,000 loss evaluations (2,000
SPSA steps) Adam (learning rate 1e-3, 4,000 steps) reached 46.5% after 800 evaluations
(then over-fitted the 6,000 images: 43.6% at 4,000), SPSA 23.2%: with 62k weights, one
random direction per two evaluations learns far more slowly than a gradient.

Everything is `keras.ops` and NumPy, so it runs on every Keras backend; the
perturbations and the mini-batches come from NumPy generators seeded by `seed`, the same
on every backend.
"""

from __future__ import annotations

import time

import keras
import numpy as np
from keras import ops

# The defaults, measured (module docstring); A: see `default_A`.
SPSA_DEFAULTS = {"a": 0.1, "c": 0.03, "alpha": 0.602, "gamma": 0.101}
EVALUATIONS_PER_SPSA_STEP = 2


def default_A(steps: int) -> float:
    """Spall's 10% of the steps, but at least 50: the first steps of a short run are then
    no larger than those measured stable (a_1 = a/51**alpha; module docstring)."""
    return max(50.0, 0.1 * steps)


def gains(k: int, *, a: float, c: float, A: float, alpha: float,
          gamma: float) -> tuple[float, float]:
    """Algorithm 2's step size a_k and perturbation size c_k at step k >= 1."""
    return a / (k + A) ** alpha, c / k**gamma


def minibatches(n: int, *, batch_size: int, steps: int, seed: int = 0):
    """`steps` index arrays of `batch_size` (at most n) examples: epochs of a fresh
    permutation each, the incomplete tail of an epoch dropped."""
    rng = np.random.default_rng(seed)
    size = min(batch_size, n)
    produced = 0
    while produced < steps:
        order = rng.permutation(n)
        for start in range(0, n - size + 1, size):
            if produced == steps:
                return
            yield order[start:start + size]
            produced += 1


def loss_value(model: keras.Model, x, y, *, loss_fn) -> float:
    """J(theta): `loss_fn(y, model(x))` in inference mode plus the regularisation losses."""
    value = loss_fn(y, model(x, training=False))
    for penalty in model.losses:
        value = value + penalty
    return float(ops.convert_to_numpy(value))


def spsa_step(model: keras.Model, x, y, *, loss_fn, a_k: float, c_k: float,
              rng: np.random.Generator) -> tuple[float, float]:
    """One SPSA update of all of `model.trainable_variables` on the mini-batch (x, y);
    returns (J(theta + c_k Delta), J(theta - c_k Delta))."""
    variables = model.trainable_variables
    theta = [ops.copy(v.value) for v in variables]  # a snapshot, not a view
    deltas = [(rng.integers(0, 2, size=tuple(v.shape), dtype=np.int8) * 2 - 1)
              .astype(v.dtype) for v in variables]
    losses = []
    for sign in (1.0, -1.0):
        # Both perturbed points are set from the saved theta, never from each other, so
        # theta - c_k Delta is exact (no rounding from adding and removing 2 c_k Delta).
        for v, t, d in zip(variables, theta, deltas):
            v.assign(ops.add(t, (sign * c_k) * d))
        losses.append(loss_value(model, x, y, loss_fn=loss_fn))
    j_plus, j_minus = losses
    scale = a_k * (j_plus - j_minus) / (2.0 * c_k)  # g = scale/a_k * Delta
    for v, t, d in zip(variables, theta, deltas):
        v.assign(ops.subtract(t, scale * d))
    return j_plus, j_minus


def evaluate(model: keras.Model, x, y, *, loss_fn, batch_size: int = 1000) -> dict:
    """Mean loss and accuracy of `model` on (x, y), in inference mode."""
    logits = model.predict(x, batch_size=batch_size, verbose=0)
    y = np.asarray(y).reshape(-1)
    return {"loss": float(ops.convert_to_numpy(loss_fn(y, logits))),
            "accuracy": float(np.mean(np.argmax(logits, axis=-1) == y))}


def _check(*, steps, batch_size, evaluate_every, **positive):
    if not isinstance(steps, (int, np.integer)) or steps <= 0:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size!r}")
    if evaluate_every is not None and evaluate_every <= 0:
        raise ValueError(f"evaluate_every must be positive, got {evaluate_every!r}")
    for name, value in positive.items():
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")


class _Recorder:
    """The history both loops return, and the validation every `evaluate_every` steps."""

    def __init__(self, model, *, loss_fn, steps, validation, evaluate_every, on_evaluate,
                 per_step: int):
        self.model, self.loss_fn, self.validation = model, loss_fn, validation
        self.every = evaluate_every or max(1, steps // 10)
        self.steps, self.per_step, self.on_evaluate = steps, per_step, on_evaluate
        self.history = {"loss": [], "loss_evaluations": 0, "val_step": [],
                        "val_loss_evaluations": [], "val_loss": [], "val_accuracy": []}
        self._validate(0)

    def step(self, k: int, loss: float):
        self.history["loss"].append(float(loss))
        self.history["loss_evaluations"] = k * self.per_step
        if k % self.every == 0 or k == self.steps:
            self._validate(k)

    def _validate(self, k: int):
        if self.validation is None:
            return
        metrics = evaluate(self.model, *self.validation, loss_fn=self.loss_fn)
        h = self.history
        h["val_step"].append(k)
        h["val_loss_evaluations"].append(k * self.per_step)
        h["val_loss"].append(metrics["loss"])
        h["val_accuracy"].append(metrics["accuracy"])
        if self.on_evaluate is not None:
            self.on_evaluate(k, metrics)


def spsa_fit(model: keras.Model, x, y, *, loss_fn, steps: int, batch_size: int = 256,
             a: float = SPSA_DEFAULTS["a"], c: float = SPSA_DEFAULTS["c"],
             A: float | None = None, alpha: float = SPSA_DEFAULTS["alpha"],
             gamma: float = SPSA_DEFAULTS["gamma"], seed: int = 0, validation=None,
             evaluate_every: int | None = None, on_evaluate=None) -> dict:
    """Train `model` in place by SPSA for `steps` steps (2 loss evaluations each).

    Args:
        model: any built Keras model; all its trainable variables are perturbed at once.
        x, y: training inputs and integer labels (NumPy arrays).
        loss_fn: `loss_fn(y_true, y_pred)`, e.g.
            `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`.
        steps: SPSA steps k = 1..steps.
        batch_size: examples per mini-batch (one mini-batch per step, used for both
            evaluations).
        a, c, A, alpha, gamma: Algorithm 2's gains (module docstring); A defaults to
            `default_A(steps)`: 10% of the steps, at least 50.
        seed: seeds the mini-batch order and the perturbations.
        validation: optional (x_val, y_val), evaluated before the first step, every
            `evaluate_every` steps (default: a tenth of `steps`) and after the last.
        on_evaluate: optional `on_evaluate(step, {"loss": ..., "accuracy": ...})`.

    Returns:
        {"loss": mean of the two perturbed losses of each step (J at theta to O(c_k^2)),
         "loss_evaluations": 2*steps, "val_step", "val_loss_evaluations", "val_loss",
         "val_accuracy": lists, one entry per validation}
    """
    A = default_A(steps) if A is None else A
    _check(steps=steps, batch_size=batch_size, evaluate_every=evaluate_every, a=a, c=c,
           alpha=alpha, gamma=gamma)
    if A < 0:
        raise ValueError(f"A must be >= 0, got {A!r}")
    if alpha > 1 or gamma > 0.5:
        raise ValueError(f"need 0 < alpha <= 1 and 0 < gamma <= 1/2, got {alpha}, {gamma}")
    x, y = np.asarray(x), np.asarray(y)
    rng = np.random.default_rng([seed, 1])  # perturbations; the batches use `seed`
    record = _Recorder(model, loss_fn=loss_fn, steps=steps, validation=validation,
                       evaluate_every=evaluate_every, on_evaluate=on_evaluate,
                       per_step=EVALUATIONS_PER_SPSA_STEP)
    batches = minibatches(len(x), batch_size=batch_size, steps=steps, seed=seed)
    for k, index in enumerate(batches, start=1):
        a_k, c_k = gains(k, a=a, c=c, A=A, alpha=alpha, gamma=gamma)
        j_plus, j_minus = spsa_step(model, x[index], y[index], loss_fn=loss_fn, a_k=a_k,
                                    c_k=c_k, rng=rng)
        record.step(k, (j_plus + j_minus) / 2)
    return record.history


def spsa_steps_for(loss_evaluations: int) -> int:
    """SPSA steps that spend `loss_evaluations` (2 each)."""
    return loss_evaluations // EVALUATIONS_PER_SPSA_STEP


def adam_steps_for(loss_evaluations: int, *, backward_cost: float = 0.0) -> int:
    """Adam steps that spend `loss_evaluations`: one forward pass each, plus
    `backward_cost` forward passes' worth for the backward pass (0: count mini-batch
    forward passes, the default comparison; ~2: count compute)."""
    if backward_cost < 0:
        raise ValueError(f"backward_cost must be >= 0, got {backward_cost!r}")
    return int(loss_evaluations // (1 + backward_cost))


def adam_fit(model: keras.Model, x, y, *, loss_fn, steps: int, batch_size: int = 256,
             learning_rate: float = 1e-3, seed: int = 0, validation=None,
             evaluate_every: int | None = None, on_evaluate=None) -> dict:
    """Train `model` in place by Adam for `steps` mini-batch steps, on the mini-batches
    `spsa_fit` would draw with the same `seed`; returns the same history (here
    "loss" is each step's training loss and "loss_evaluations" is `steps`).

    Compiles `model` (Adam, `loss_fn`), replacing any earlier compile. The training steps
    run in training mode (dropout and BatchNorm as in `fit`)."""
    _check(steps=steps, batch_size=batch_size, evaluate_every=evaluate_every,
           learning_rate=learning_rate)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss_fn)
    x, y = np.asarray(x), np.asarray(y)
    record = _Recorder(model, loss_fn=loss_fn, steps=steps, validation=validation,
                       evaluate_every=evaluate_every, on_evaluate=on_evaluate, per_step=1)
    batches = minibatches(len(x), batch_size=batch_size, steps=steps, seed=seed)
    for k, index in enumerate(batches, start=1):
        loss = model.train_on_batch(x[index], y[index])
        record.step(k, float(np.asarray(loss).reshape(-1)[0]))
    return record.history


def compare_with_adam(build_model, x, y, x_val, y_val, *, evaluations: int,
                      batch_size: int = 256, learning_rate: float = 1e-3, seed: int = 0,
                      points: int = 10, loss_fn=None, **spsa_options) -> dict:
    """Train one model by SPSA and a copy of it (the same initial weights) by Adam, each
    for `evaluations` loss evaluations (2 per SPSA step, 1 per Adam step), on the same
    mini-batch order, validating both at the same `points` + 1 evaluation counts.

    Args:
        build_model: a function of no arguments returning a fresh model, called twice.
        evaluations: loss evaluations for each (rounded down to an even number).
        spsa_options: a, c, A, alpha, gamma for `spsa_fit`.

    Returns:
        {"SPSA": result, "Adam": result}, each result `spsa_fit`'s history plus
        "evaluations", "steps", "evaluated_at" (the val_loss_evaluations, equal for
        both) and "seconds" (wall time of its training loop, validation included).
    """
    spsa_steps = spsa_steps_for(evaluations)
    if spsa_steps < 1:
        raise ValueError(f"evaluations must be at least 2, got {evaluations!r}")
    loss_fn = loss_fn or keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    every = max(1, spsa_steps // max(1, points))  # SPSA steps between validations
    first = build_model()
    second = build_model()
    second.set_weights(first.get_weights())
    common = {"loss_fn": loss_fn, "batch_size": batch_size, "seed": seed,
              "validation": (x_val, y_val)}
    results = {}
    for name, model in (("SPSA", first), ("Adam", second)):
        start = time.perf_counter()
        if name == "SPSA":
            history = spsa_fit(model, x, y, steps=spsa_steps, evaluate_every=every,
                               **common, **spsa_options)
        else:
            history = adam_fit(model, x, y, steps=EVALUATIONS_PER_SPSA_STEP * spsa_steps,
                               learning_rate=learning_rate,
                               evaluate_every=EVALUATIONS_PER_SPSA_STEP * every, **common)
        results[name] = {**history, "evaluations": history["loss_evaluations"],
                         "steps": len(history["loss"]),
                         "evaluated_at": list(history["val_loss_evaluations"]),
                         "seconds": time.perf_counter() - start}
    return results
