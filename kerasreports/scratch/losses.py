"""`MSE`, the source report's loss: mean of squared errors over every element."""

from __future__ import annotations

import math

from keras import ops

from .module import Module, ShapeError, Tensor


class MSE(Module):
    """forward(prediction, target) -> mean((p - t)^2); backward() -> 2 (p - t) / n.

    A loss ends the chain, so `backward` needs no upstream gradient; `grad_output` (a scalar,
    default 1) lets it scale the result, e.g. to weight two losses.
    """

    def forward(self, prediction: Tensor, target: Tensor) -> Tensor:
        prediction = ops.convert_to_tensor(prediction)
        target = ops.convert_to_tensor(target, dtype=prediction.dtype)
        p_shape, t_shape = tuple(ops.shape(prediction)), tuple(ops.shape(target))
        if p_shape != t_shape:
            # Broadcasting would silently average the wrong pairs; refuse it.
            raise ShapeError(repr(self), f"prediction shape {p_shape} != target shape {t_shape}")
        difference = prediction - target
        self._cache = {"difference": difference, "count": math.prod(p_shape)}
        return ops.mean(ops.square(difference))

    def backward(self, grad_output: Tensor | float = 1.0) -> Tensor:
        cache = self._recall()
        return (2.0 / cache["count"]) * grad_output * cache["difference"]
