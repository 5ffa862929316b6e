"""`fit`, `evaluate` and `predict`: the training loop of the source report, batch by batch.

Each step is the framework's whole contract: zero the gradients, forward, loss, `backward`
from the loss through the model, optimizer step. Epochs are numbered from 1 in messages and
in `on_epoch`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from keras import ops

from .losses import MSE
from .module import Module, Tensor
from .optim import SGD


def _length(x: Tensor, y: Tensor | None = None) -> int:
    n = int(ops.shape(x)[0])
    if y is not None and int(ops.shape(y)[0]) != n:
        raise ValueError(f"x has {n} samples but y has {int(ops.shape(y)[0])}")
    return n


def _batch_size(batch_size: int) -> int:
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    return batch_size


def fit(
    model: Module, loss: MSE, optimizer: SGD, x: Tensor, y: Tensor, *, epochs: int, batch_size: int,
    rng: np.random.Generator, validation: tuple[Tensor, Tensor] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
) -> dict[str, list[float]]:
    """Train `model` in place; returns {"loss": [...], "val_loss": [...] with validation}.

    "loss" is the mean training loss over each epoch's batches (weighted by batch size).
    The samples are shuffled every epoch with `rng.permutation`, so a seeded `rng` makes the
    run reproducible. `on_epoch(epoch, logs)` is called after each epoch with that epoch's
    values; a non-finite loss raises `FloatingPointError` naming the epoch and batch, after
    `on_epoch` has seen every completed epoch.
    """
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"epochs must be an int >= 0, got {epochs!r}")
    _batch_size(batch_size)
    n = _length(x, y)
    if n == 0:
        raise ValueError("fit needs at least one sample")
    x, y = ops.convert_to_tensor(x), ops.convert_to_tensor(y)
    history: dict[str, list[float]] = {"loss": []}
    if validation is not None:
        history["val_loss"] = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        total = 0.0
        for batch, start in enumerate(range(0, n, batch_size), start=1):
            index = ops.convert_to_tensor(order[start : start + batch_size])
            optimizer.zero_grad()
            value = loss(model(ops.take(x, index, axis=0)), ops.take(y, index, axis=0))
            value = float(ops.convert_to_numpy(value))
            if not math.isfinite(value):
                raise FloatingPointError(f"loss became {value} at epoch {epoch}, batch {batch}")
            model.backward(loss.backward())
            optimizer.step()
            total += value * int(ops.shape(index)[0])
        logs = {"loss": total / n}
        if validation is not None:
            logs["val_loss"] = evaluate(model, loss, *validation, batch_size=batch_size)
        for key, value in logs.items():
            history[key].append(value)
        if on_epoch is not None:
            on_epoch(epoch, logs)
    return history


def evaluate(model: Module, loss: MSE, x: Tensor, y: Tensor, *, batch_size: int) -> float:
    """Mean of `loss` over the batches of (x, y), weighted by batch size."""
    _batch_size(batch_size)
    n = _length(x, y)
    total = 0.0
    for start in range(0, n, batch_size):
        value = loss(model(x[start : start + batch_size]), y[start : start + batch_size])
        total += float(ops.convert_to_numpy(value)) * min(batch_size, n - start)
    return total / n if n else float("nan")


def predict(model: Module, x: Tensor, *, batch_size: int) -> Tensor:
    """`model` applied to `x` in batches, concatenated (a backend tensor)."""
    _batch_size(batch_size)
    n = _length(x)
    if n == 0:
        raise ValueError("predict needs at least one sample")
    return ops.concatenate([model(x[start : start + batch_size]) for start in range(0, n, batch_size)], axis=0)
