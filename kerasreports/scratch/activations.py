"""Element-wise activations: `ReLU`, `Sigmoid`, `ELU`, `SELU`.

Each caches its input and output during `forward` and multiplies the incoming gradient by the
derivative, written from whichever of the two gives it most cheaply (sigmoid' = y(1-y),
ELU' = y + alpha on the negative side), so backward needs no extra exponential. They have no
parameters and accept any shape.
"""

from __future__ import annotations

from keras import ops

from .module import Module, Tensor


class _Elementwise(Module):
    """forward: y = f(x); backward: grad * f'(x), with f' computed from x and y."""

    def forward(self, x: Tensor) -> Tensor:
        x = ops.convert_to_tensor(x)
        y = self._apply(x)
        self._cache = {"x": x, "y": y, "output_shape": tuple(ops.shape(y))}
        return y

    def backward(self, grad_output: Tensor) -> Tensor:
        cache = self._recall()
        self._check_grad(grad_output, cache["output_shape"])
        return grad_output * self._derivative(cache["x"], cache["y"])

    def _apply(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _derivative(self, x: Tensor, y: Tensor) -> Tensor:
        raise NotImplementedError


class ReLU(_Elementwise):
    """max(x, 0); the derivative at 0 is taken as 0, as in PyTorch and TensorFlow."""

    def _apply(self, x: Tensor) -> Tensor:
        return ops.maximum(x, ops.zeros_like(x))

    def _derivative(self, x: Tensor, y: Tensor) -> Tensor:
        return ops.cast(x > 0, x.dtype)


class Sigmoid(_Elementwise):
    """1 / (1 + exp(-x)), the source model's last layer (pixel values in (0, 1))."""

    def _apply(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)

    def _derivative(self, x: Tensor, y: Tensor) -> Tensor:
        return y * (1 - y)


class ELU(_Elementwise):
    """x for x > 0, alpha*(exp(x) - 1) otherwise (Clevert et al. 2015)."""

    def __init__(self, *, alpha: float = 1.0) -> None:
        self.alpha = float(alpha)

    def _apply(self, x: Tensor) -> Tensor:
        # expm1 of min(x, 0): accurate near 0, and no overflow on the branch `where` discards.
        return ops.where(x > 0, x, self.alpha * ops.expm1(ops.minimum(x, ops.zeros_like(x))))

    def _derivative(self, x: Tensor, y: Tensor) -> Tensor:
        return ops.where(x > 0, ops.ones_like(x), y + self.alpha)

    def __repr__(self) -> str:
        return f"ELU(alpha={self.alpha})"


class SELU(_Elementwise):
    """scale * ELU_alpha(x) with the self-normalising constants of Klambauer et al. 2017."""

    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946

    def _apply(self, x: Tensor) -> Tensor:
        negative = self.alpha * ops.expm1(ops.minimum(x, ops.zeros_like(x)))
        return self.scale * ops.where(x > 0, x, negative)

    def _derivative(self, x: Tensor, y: Tensor) -> Tensor:
        # On the negative side y = scale*alpha*(e^x - 1), so y' = y + scale*alpha.
        return ops.where(x > 0, self.scale * ops.ones_like(x), y + self.scale * self.alpha)
