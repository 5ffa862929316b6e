"""`fit`, `evaluate` and `predict`: the training loop of the source report, batch by batch.

Each step is the framework's whole contract: zero the gradients, forward, loss, `backward`
from the loss through the model, optimizer step. Epochs are numbered from 1 in messages and
in `on_epoch`.

`compiled=True` (the default) runs those same hand-written steps traced into one graph by the
backend's compiler (`compiled.py`: about 2x faster on this CPU at the source's width);
`compiled=False` runs them op by op, which is easier to step through in a debugger and
leaves the forward caches in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from keras import ops

from .compiled import CompiledModel, check_optimizer_owner
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
    on_epoch: Callable[[int, dict[str, float]], None] | None = None, compiled: bool = True,
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
    check_optimizer_owner(model, optimizer)
    x, y = ops.convert_to_tensor(x), ops.convert_to_tensor(y)
    if compiled:
        # One CompiledModel for the whole fit, so each function is traced once, not per epoch.
        compiled_model = CompiledModel(model, loss, optimizer)
        step, loss_of = compiled_model.train_step, compiled_model.loss_of
    else:
        step, loss_of = _eager_step(model, loss, optimizer), _eager_loss(model, loss)
    history: dict[str, list[float]] = {"loss": []}
    if validation is not None:
        history["val_loss"] = []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        total = 0.0
        for batch, start in enumerate(range(0, n, batch_size), start=1):
            index = ops.convert_to_tensor(order[start : start + batch_size])
            value = float(ops.convert_to_numpy(step(ops.take(x, index, axis=0), ops.take(y, index, axis=0))))
            if not math.isfinite(value):
                raise FloatingPointError(f"loss became {value} at epoch {epoch}, batch {batch}")
            total += value * int(ops.shape(index)[0])
        logs = {"loss": total / n}
        if validation is not None:
            logs["val_loss"] = _mean_loss(loss_of, *validation, batch_size=batch_size)
        for key, value in logs.items():
            history[key].append(value)
        if on_epoch is not None:
            on_epoch(epoch, logs)
    return history


def _eager_step(model: Module, loss: MSE, optimizer: SGD) -> Callable[[Tensor, Tensor], Tensor]:
    def step(x: Tensor, y: Tensor) -> Tensor:
        optimizer.zero_grad()
        value = loss(model(x), y)
        model.backward(loss.backward())
        optimizer.step()
        return value

    return step


def _eager_loss(model: Module, loss: MSE) -> Callable[[Tensor, Tensor], Tensor]:
    return lambda x, y: loss(model(x), y)


def evaluate(model: Module, loss: MSE, x: Tensor, y: Tensor, *, batch_size: int, compiled: bool = True) -> float:
    """Mean of `loss` over the batches of (x, y), weighted by batch size."""
    loss_of = CompiledModel(model, loss).loss_of if compiled else _eager_loss(model, loss)
    return _mean_loss(loss_of, x, y, batch_size=batch_size)


def _mean_loss(loss_of: Callable[[Tensor, Tensor], Tensor], x: Tensor, y: Tensor, *, batch_size: int) -> float:
    _batch_size(batch_size)
    n = _length(x, y)
    total = 0.0
    for start in range(0, n, batch_size):
        value = loss_of(x[start : start + batch_size], y[start : start + batch_size])
        total += float(ops.convert_to_numpy(value)) * min(batch_size, n - start)
    return total / n if n else float("nan")


def predict(model: Module, x: Tensor, *, batch_size: int, compiled: bool = True) -> Tensor:
    """`model` applied to `x` in batches, concatenated (a backend tensor)."""
    _batch_size(batch_size)
    n = _length(x)
    if n == 0:
        raise ValueError("predict needs at least one sample")
    forward = CompiledModel(model, MSE()).predict if compiled else model
    return ops.concatenate([forward(x[start : start + batch_size]) for start in range(0, n, batch_size)], axis=0)
