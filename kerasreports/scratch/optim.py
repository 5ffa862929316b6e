"""`SGD`, with optional (PyTorch-style) momentum."""

from __future__ import annotations

import math
from collections.abc import Iterable

from keras import ops

from .module import Parameter


class SGD:
    """value -= lr * v, with v = momentum * v + grad (v = grad when momentum is 0).

    This is PyTorch's formulation (the learning rate multiplies the whole velocity), so the
    source report's hyperparameters carry over unchanged.
    """

    def __init__(self, params: Iterable[Parameter], *, lr: float, momentum: float = 0.0) -> None:
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        if not (isinstance(momentum, (int, float)) and 0.0 <= momentum < 1.0):
            raise ValueError(f"momentum must be in [0, 1), got {momentum!r}")
        self.params = list(params)
        for parameter in self.params:
            if not isinstance(parameter, Parameter):
                raise TypeError(f"SGD takes Parameters (module.param()), got {type(parameter).__name__}")
        self.lr = float(lr)
        self.momentum = float(momentum)
        self._velocity = [None] * len(self.params)

    def step(self) -> None:
        for index, parameter in enumerate(self.params):
            update = parameter.grad
            if self.momentum:
                previous = self._velocity[index]
                update = update if previous is None else self.momentum * previous + update
                self._velocity[index] = update
            parameter.value = parameter.value - self.lr * ops.cast(update, parameter.value.dtype)

    def zero_grad(self) -> None:
        for parameter in self.params:
            parameter.zero_grad()
